/**
 * The measured requests, with the bodies iOS Calendar sends for them (protocol-notes.md §4-7).
 * Each one is built per iteration so that GET, multiget and PUT walk through different objects.
 */
import { editEvent, type BenchEvent } from './ics';
import type { BenchClient, DavReply, DavRequest } from './http';
import { etagAfterPut, putRequest } from './seed';

export interface Scenario {
  name: string;
  /** What the request asks, for the README. */
  what: string;
  request(i: number): DavRequest;
  expected: number;
  /** Bookkeeping after a reply (a PUT's new ETag, asked for when the reply has none). */
  after?(reply: DavReply, i: number, client: BenchClient): void | Promise<void>;
}

export interface ScenarioState {
  /** The calendar collection's path, ending in `/`. */
  calendar: string;
  events: BenchEvent[];
  /** Current ICS text and ETag per resource name, kept current by the PUT scenario. */
  current: Map<string, { ics: string; etag: string }>;
  /**
   * Token taken just before the handful of changes the incremental sync reports; absent when the
   * server has no sync-collection (sabre/dav 1.8), which drops both sync requests.
   */
  incrementalToken?: string;
  /** The month window of the time-range query. */
  month: { start: Date; end: Date };
  now: Date;
}

const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';
const utc = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export const propfindBody = () =>
  `${XML}<A:propfind xmlns:A="DAV:"><A:prop><A:getcontenttype/><A:getetag/></A:prop></A:propfind>`;

export const pollBody = () =>
  `${XML}<A:propfind xmlns:A="DAV:" xmlns:C="http://calendarserver.org/ns/"><A:prop><C:getctag/><A:sync-token/></A:prop></A:propfind>`;

export const syncBody = (token: string) =>
  `${XML}<A:sync-collection xmlns:A="DAV:">` +
  (token ? `<A:sync-token>${token}</A:sync-token>` : '<A:sync-token/>') +
  '<A:sync-level>1</A:sync-level><A:prop><A:getcontenttype/><A:getetag/></A:prop></A:sync-collection>';

export const multigetBody = (hrefs: string[]) =>
  `${XML}<B:calendar-multiget xmlns:A="DAV:" xmlns:B="urn:ietf:params:xml:ns:caldav">` +
  '<A:prop><A:getetag/><B:calendar-data/></A:prop>' +
  hrefs.map((h) => `<A:href>${h}</A:href>`).join('') +
  '</B:calendar-multiget>';

export const queryBody = (start: Date, end: Date) =>
  `${XML}<B:calendar-query xmlns:A="DAV:" xmlns:B="urn:ietf:params:xml:ns:caldav">` +
  '<A:prop><A:getetag/><A:getcontenttype/></A:prop>' +
  '<B:filter><B:comp-filter name="VCALENDAR"><B:comp-filter name="VEVENT">' +
  `<B:time-range start="${utc(start)}" end="${utc(end)}"/>` +
  '</B:comp-filter></B:comp-filter></B:filter></B:calendar-query>';

const MULTIGET_SIZE = 100;

export function scenarios(s: ScenarioState): Scenario[] {
  const { calendar } = s;
  const names = s.events.map((e) => e.name).filter((n) => s.current.has(n));
  const pick = (i: number, stride = 1) => names[(i * stride) % names.length];
  // The PUT scenario edits its own slice, so GETs and multigets elsewhere stay cache-neutral.
  const editable = names.slice(0, 400);
  const all: Scenario[] = [
    {
      name: 'PROPFIND Depth 0 (getctag, sync-token): idle poll',
      what: 'what iOS asks every 15 minutes to learn whether anything changed',
      request: () => ({ method: 'PROPFIND', path: calendar, headers: { depth: '0', 'content-type': 'application/xml' }, body: pollBody() }),
      expected: 207,
    },
    {
      name: 'PROPFIND Depth 1 (getetag, getcontenttype)',
      what: 'the listing iOS asks for when the ctag changed',
      request: () => ({ method: 'PROPFIND', path: calendar, headers: { depth: '1', 'content-type': 'application/xml' }, body: propfindBody() }),
      expected: 207,
    },
    {
      name: 'sync-collection, full (empty token)',
      what: 'first sync: every href with its ETag',
      request: () => ({ method: 'REPORT', path: calendar, headers: { depth: '0', 'content-type': 'application/xml' }, body: syncBody('') }),
      expected: 207,
    },
    {
      name: 'sync-collection, incremental (10 changes)',
      what: 'next sync: the 10 hrefs changed since the token',
      request: () => ({
        method: 'REPORT',
        path: calendar,
        headers: { depth: '0', 'content-type': 'application/xml' },
        body: syncBody(s.incrementalToken ?? ''),
      }),
      expected: 207,
    },
    {
      name: `calendar-multiget, ${MULTIGET_SIZE} hrefs`,
      what: 'getetag + calendar-data of 100 objects',
      request: (i) => ({
        method: 'REPORT',
        path: calendar,
        headers: { depth: '1', 'content-type': 'application/xml' },
        body: multigetBody(Array.from({ length: MULTIGET_SIZE }, (_, k) => calendar + pick(i * MULTIGET_SIZE + k, 7))),
      }),
      expected: 207,
    },
    {
      name: 'calendar-query, one month',
      what: 'VEVENT time-range over 30 days, getetag (recurrences expanded)',
      request: () => ({
        method: 'REPORT',
        path: calendar,
        headers: { depth: '1', 'content-type': 'application/xml' },
        body: queryBody(s.month.start, s.month.end),
      }),
      expected: 207,
    },
    {
      name: 'GET one object',
      what: 'one event body with its ETag',
      request: (i) => ({ method: 'GET', path: calendar + pick(i, 13) }),
      expected: 200,
    },
    {
      name: 'HEAD one object',
      what: 'an event\'s ETag without its body',
      request: (i) => ({ method: 'HEAD', path: calendar + pick(i, 11) }),
      expected: 200,
    },
    {
      name: 'PUT update (If-Match)',
      what: 'an edited event replacing the current ETag',
      request: (i) => {
        const name = editable[i % editable.length];
        const cur = s.current.get(name)!;
        return putRequest(calendar, { name, ics: editEvent(cur.ics, i + 1, s.now) }, { 'if-match': cur.etag });
      },
      expected: 204,
      after: async (reply, i, client) => {
        const name = editable[i % editable.length];
        const cur = s.current.get(name)!;
        s.current.set(name, { ics: editEvent(cur.ics, i + 1, s.now), etag: await etagAfterPut(client, calendar + name, reply) });
      },
    },
  ];
  return s.incrementalToken === undefined ? all.filter((x) => !x.name.startsWith('sync-collection')) : all;
}
