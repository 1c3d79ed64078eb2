/** The request bodies the bench sends, as iOS and other clients send them. */

const XML = '<?xml version="1.0" encoding="utf-8"?>\n';

export const propfindEtags = `${XML}<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:getcontenttype/></d:prop></d:propfind>`;

export const propfindSyncToken = `${XML}<d:propfind xmlns:d="DAV:"><d:prop><d:sync-token/></d:prop></d:propfind>`;

export const syncCollection = (token: string) =>
  `${XML}<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level>` +
  '<d:prop><d:getetag/><d:getcontenttype/></d:prop></d:sync-collection>';

export const multiget = (hrefs: string[]) =>
  `${XML}<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">` +
  '<d:prop><d:getetag/><c:calendar-data/></d:prop>' +
  hrefs.map((h) => `<d:href>${h}</d:href>`).join('') +
  '</c:calendar-multiget>';

/** iOS's range query: VEVENTs overlapping [start, end), ETags only. */
export const calendarQuery = (start: string, end: string) =>
  `${XML}<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">` +
  '<d:prop><d:getetag/></d:prop>' +
  '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">' +
  `<c:time-range start="${start}" end="${end}"/>` +
  '</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>';

/** `<d:response>` elements in a multistatus body (prefix-agnostic). */
export const countResponses = (xml: string) => (xml.match(/<(?:[\w-]+:)?response[\s>]/g) ?? []).length;

export function syncTokenOf(xml: string): string {
  const match = /<(?:[\w-]+:)?sync-token>([^<]+)</.exec(xml);
  if (!match) throw new Error(`no sync-token in ${xml.slice(0, 300)}`);
  return match[1];
}
