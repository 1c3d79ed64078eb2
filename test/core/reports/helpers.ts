/** Shared set-up for REPORT tests: stored iCalendar objects and report bodies. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DavContext } from '../../../lambda/core/types';
import type { StoredObject } from '../../../lambda/store/types';

export const NS = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"';

export const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/reports/${name}`, import.meta.url)), 'utf8');

/** One-VEVENT calendar from property lines (CRLF-joined). */
export const event = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', ...lines, 'END:VEVENT', 'END:VCALENDAR', '']
    .join('\r\n');

/**
 * Stores `ics` under `name`. Range bounds default to unbounded, so the store's prefilter never
 * hides anything unless a test sets them.
 */
export async function store(
  ctx: DavContext,
  owner: string,
  name: string,
  ics: string,
  range: { start: number | null; end: number | null } = { start: null, end: null },
): Promise<StoredObject> {
  const uid = /^UID:(.*)$/m.exec(ics)?.[1]?.trim() ?? name;
  const obj: StoredObject = {
    name,
    uid,
    etag: `"${name}-${Buffer.byteLength(ics)}-${Math.random().toString(36).slice(2, 8)}"`,
    ics,
    lastModified: '2025-01-01T00:00:00.000Z',
    size: Buffer.byteLength(ics),
    rangeStart: range.start,
    rangeEnd: range.end,
    recurring: /^RRULE|^RDATE/m.test(ics),
  };
  await ctx.store.putObject(owner, obj);
  return obj;
}

export const reportBody = (root: string, inner: string) => `<?xml version="1.0" encoding="utf-8"?><${root} ${NS}>${inner}</${root}>`;

export const multigetBody = (props: string, hrefList: string[]) =>
  reportBody('c:calendar-multiget', `<d:prop>${props}</d:prop>${hrefList.map((h) => `<d:href>${h}</d:href>`).join('')}`);

export const queryBody = (props: string, filter: string, extra = '') =>
  reportBody('c:calendar-query', `<d:prop>${props}</d:prop><c:filter>${filter}</c:filter>${extra}`);

/** A filter on VEVENTs within VCALENDAR. */
export const eventFilter = (inner: string) =>
  `<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">${inner}</c:comp-filter></c:comp-filter>`;

export const timeRange = (start?: string, end?: string) =>
  `<c:time-range${start ? ` start="${start}"` : ''}${end ? ` end="${end}"` : ''}/>`;
