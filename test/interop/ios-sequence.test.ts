/**
 * The iOS account-setup and sync sequence of /work/shared/protocol-notes.md, in order, as raw
 * HTTP against the local server on DynamoDB (Local or whatever CALDAV_DYNAMODB_ENDPOINT names).
 * Tests share state and run in file order: each step starts where the previous one left off.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  P,
  fixture,
  propfindBody,
  startInteropServer,
  timeRangeQueryBody,
  type DavClient,
  type InteropServer,
  type MultistatusReply,
  type TestUser,
} from '../helpers/server';
import { parseMultistatus, type PropEntry } from '../helpers/multistatus';

const IOS_ICS = fixture('interop', 'ios-event.ics');
/**
 * What the server keeps of that iOS invitation: the bytes sent, with the SCHEDULE-STATUS it adds
 * to the invitee outside the deployment it could not reach (e-mail is off here: RFC 6638 §3.2.9).
 * So a PUT of it answers without an ETag and the phone reads the stored text back (RFC 4791 §5.3.4).
 */
const asStored = (ics: string) =>
  ics.replace(/ATTENDEE;CN="Müller, Klaus"[\s\S]*?mailto:klaus@mueller\.example\r\n/, (line) =>
    `${ICAL.helpers.foldline(line.replace(/\r\n[ \t]/g, '').replace(/\r\n$/, '').replace(':mailto:', ';SCHEDULE-STATUS=5.3:mailto:'))}\r\n`,
  );
const STORED_ICS = asStored(IOS_ICS);
const RECURRING_ICS = fixture('interop', 'recurring-weekly.ics');
const IOS_NAME = '5F2E8A41-0C3B-4D7E-9A18-6B5C4D3E2F10.ics';
const RECURRING_NAME = '9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6.ics';

let server: InteropServer;
let ana: TestUser;
let bob: TestUser;
let a: DavClient;
let b: DavClient;

beforeAll(async () => {
  server = await startInteropServer();
  [ana, bob] = await Promise.all([server.addUser('ana@example.com'), server.addUser('bob@example.com')]);
  a = server.as(ana);
  b = server.as(bob);
});
afterAll(async () => {
  await server?.stop();
});

/** The property entry, failing clearly when the href or property is missing. */
function prop(reply: MultistatusReply, href: string, name: string): PropEntry {
  const props = reply.ms.responses.get(href);
  if (!props) throw new Error(`no response for ${href}; got ${[...reply.ms.responses.keys()].join(', ')}`);
  const entry = props.get(name);
  if (!entry) throw new Error(`no ${name} for ${href}; got ${[...props.keys()].join(', ')}`);
  return entry;
}
const okText = (reply: MultistatusReply, href: string, name: string) => {
  const entry = prop(reply, href, name);
  expect(entry.status, `${name} status`).toBe(200);
  return entry.element.text;
};
const childHref = (reply: MultistatusReply, href: string, name: string) => {
  const entry = prop(reply, href, name);
  expect(entry.status).toBe(200);
  return entry.element.children.find((c) => c.name === P.d('href'))?.text;
};
const childNames = (entry: PropEntry) => entry.element.children.map((c) => c.name);

async function calendarState(client: DavClient = a) {
  const reply = await client.propfind(client.paths.calendar, propfindBody('<cs:getctag/><d:sync-token/>'));
  expect(reply.status).toBe(207);
  return {
    ctag: okText(reply, client.paths.calendar, P.cs('getctag')),
    syncToken: okText(reply, client.paths.calendar, P.d('sync-token')),
  };
}

/** calendar-data contents as sent on the wire, entity references undone but line ends untouched. */
function rawCalendarData(xml: string): string[] {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return [...xml.matchAll(/<([a-z]+:)?calendar-data[^>]*>([\s\S]*?)<\/([a-z]+:)?calendar-data>/g)].map((m) =>
    m[2].replace(/&(amp|lt|gt|quot|apos|#13|#x[dD]);/g, (_, e: string) => entities[e] ?? '\r'),
  );
}

/** Asserts a DAV:error body naming `condition` (Clark name). */
function expectCondition(text: string, condition: string) {
  const local = condition.replace(/^\{[^}]*\}/, '');
  expect(text).toMatch(new RegExp(`<[^>]*error[^>]*>[\\s\\S]*<([a-z]+:)?${local}\\b`));
}

describe('account setup (discovery)', () => {
  it('OPTIONS answers without credentials with the CalDAV DAV header', async () => {
    const res = await server.as(null).request('OPTIONS', '/');
    expect(res.status).toBe(200);
    const dav = res.headers.get('dav') ?? '';
    expect(dav.split(',').map((s) => s.trim())).toEqual(expect.arrayContaining(['1', '3', 'calendar-access', 'calendar-auto-schedule']));
    expect(res.headers.get('allow')).toMatch(/PROPFIND/);
    expect(res.headers.get('allow')).toMatch(/REPORT/);
  });

  it('PROPFIND without credentials gets 401 with a Basic challenge', async () => {
    const res = await a.request('PROPFIND', '/', { anonymous: true, depth: '0', body: propfindBody('<d:current-user-principal/>') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
    expect(res.text).not.toContain('ana@example.com');
  });

  it('wrong password gets 401 too', async () => {
    const res = await server.as({ ...ana, authorization: `Basic ${Buffer.from('ana@example.com:nope').toString('base64')}` })
      .request('PROPFIND', '/', { depth: '0', body: propfindBody('<d:current-user-principal/>') });
    expect(res.status).toBe(401);
  });

  it('/.well-known/caldav redirects; the PROPFIND re-sent to the target finds the principal', async () => {
    const body = propfindBody('<d:current-user-principal/>');
    const first = await a.request('PROPFIND', '/.well-known/caldav', { depth: '0', body });
    expect([301, 302, 307, 308]).toContain(first.status);
    const location = first.headers.get('location');
    expect(location).toBeTruthy();
    const target = new URL(location!, server.url);
    const followed = await a.propfind(target.pathname, body);
    expect(followed.status).toBe(207);
    expect(childHref(followed, target.pathname, P.d('current-user-principal'))).toBe(a.paths.principal);
  });

  it('current-user-principal on / names the principal', async () => {
    const reply = await a.propfind('/', propfindBody('<d:current-user-principal/><d:resourcetype/>'));
    expect(reply.status).toBe(207);
    expect(childHref(reply, '/', P.d('current-user-principal'))).toBe('/principals/ana@example.com/');
  });

  it('the principal has home, mailto address, principal-URL, displayname and supported reports', async () => {
    const reply = await a.propfind(
      a.paths.principal,
      propfindBody(
        '<c:calendar-home-set/><c:calendar-user-address-set/><d:principal-URL/><d:displayname/><d:supported-report-set/><c:schedule-inbox-URL/>',
      ),
    );
    expect(reply.status).toBe(207);
    const href = a.paths.principal;
    expect(childHref(reply, href, P.c('calendar-home-set'))).toBe(a.paths.home);
    expect(childHref(reply, href, P.c('calendar-user-address-set'))).toBe('mailto:ana@example.com');
    expect(childHref(reply, href, P.d('principal-URL'))).toBe(href);
    expect(okText(reply, href, P.d('displayname'))).toBeTruthy();
    expect(prop(reply, href, P.d('supported-report-set')).status).toBe(200);
    // Scheduling (RFC 6638): the inbox iOS looks for before it offers Invitees.
    expect(childHref(reply, href, P.c('schedule-inbox-URL'))).toBe(`${a.paths.home}inbox/`);
  });

  it('an e-mail with %40 in the path reaches the same principal', async () => {
    const reply = await a.propfind('/principals/ana%40example.com/', propfindBody('<c:calendar-home-set/>'));
    expect(reply.status).toBe(207);
    const [[, props]] = [...reply.ms.responses];
    expect(props.get(P.c('calendar-home-set'))?.element.children[0]?.text).toBe(a.paths.home);
    const home = await a.propfind('/calendars/ANA%40example.com/crm/', propfindBody('<d:displayname/>'));
    expect(home.status).toBe(207);
    // An object written through the encoded path is the one read through the raw path.
    const encoded = '/calendars/ana%40example.com/crm/encoded.ics';
    const ics = RECURRING_ICS.replaceAll('9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6', 'encoded-1');
    const put = await a.put(encoded, ics, { 'if-none-match': '*' });
    expect(put.status).toBe(201);
    const get = await a.get(a.paths.object('encoded.ics'));
    expect(get.text).toBe(ics);
    expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
    expect((await a.delete(a.paths.object('encoded.ics'), { 'if-match': put.headers.get('etag')! })).status).toBe(204);
  });

  it('the home, Depth 1, holds exactly one calendar as iOS wants it (and the tasks list, VTODO only)', async () => {
    const reply = await a.propfind(
      a.paths.home,
      propfindBody(
        '<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/><d:current-user-privilege-set/><ical:calendar-color/><ical:calendar-order/>',
      ),
      '1',
    );
    expect(reply.status).toBe(207);
    const calendars = [...reply.ms.responses].filter(([, props]) =>
      props.get(P.d('resourcetype'))?.element.children.some((c) => c.name === P.c('calendar')),
    );
    expect(calendars.map(([href]) => href)).toEqual([a.paths.calendar, `${a.paths.home}tasks/`]);
    const tasks = prop(reply, `${a.paths.home}tasks/`, P.c('supported-calendar-component-set'));
    expect(tasks.element.children.map((c) => c.attrs.name)).toEqual(['VTODO']);
    const cal = a.paths.calendar;
    expect(childNames(prop(reply, cal, P.d('resourcetype')))).toEqual(expect.arrayContaining([P.d('collection'), P.c('calendar')]));
    expect(okText(reply, cal, P.d('displayname'))).toBe('ana@example.com');
    expect(okText(reply, cal, P.cs('getctag'))).toBeTruthy();
    expect(okText(reply, cal, P.d('sync-token'))).toBeTruthy();
    const components = prop(reply, cal, P.c('supported-calendar-component-set'));
    expect(components.status).toBe(200);
    expect(components.element.children.map((c) => c.attrs.name)).toEqual(['VEVENT']);
    const privileges = prop(reply, cal, P.d('current-user-privilege-set'));
    expect(privileges.status).toBe(200);
    const granted = privileges.element.children.flatMap((p) => p.children.map((c) => c.name));
    expect(granted.some((n) => n === P.d('write') || n === P.d('all'))).toBe(true);
    expect(prop(reply, cal, P.ical('calendar-color')).status).toBe(200);
    expect(prop(reply, cal, P.ical('calendar-order')).status).toBe(200);
  });

  it('PROPPATCH of colour, order and name as iOS sends it: 207 per property, values kept, ctag untouched', async () => {
    const before = await calendarState();
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<A:propertyupdate xmlns:A="DAV:"><A:set><A:prop><B:calendar-color xmlns:B="http://apple.com/ns/ical/" symbolic-color="purple">#CC73E1FF</B:calendar-color><B:calendar-order xmlns:B="http://apple.com/ns/ical/">3</B:calendar-order><A:displayname>Work</A:displayname></A:prop></A:set></A:propertyupdate>`;
    const res = await a.request('PROPPATCH', a.paths.calendar, { body });
    expect(res.status).toBe(207);
    const cal = a.paths.calendar;
    const patched = parseMultistatus(res.text).responses.get(cal)!;
    for (const name of [P.ical('calendar-color'), P.ical('calendar-order'), P.d('displayname')]) {
      expect(patched.get(name)?.status, name).toBe(200);
    }
    const reply = await a.propfind(cal, propfindBody('<ical:calendar-color/><ical:calendar-order/><d:displayname/>'));
    expect(okText(reply, cal, P.ical('calendar-color'))).toBe('#CC73E1FF');
    expect(okText(reply, cal, P.ical('calendar-order'))).toBe('3');
    expect(okText(reply, cal, P.d('displayname'))).toBe('Work');
    expect(await calendarState()).toEqual(before);
  });
});

describe('create, read back, update', () => {
  let before: { ctag: string; syncToken: string };
  let etag: string;

  it('PUT with If-None-Match: * creates the iOS event: 201, a Schedule-Tag, and the ETag of what was stored', async () => {
    before = await calendarState();
    const res = await a.put(a.paths.object(IOS_NAME), IOS_ICS, { 'if-none-match': '*' });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('schedule-tag')).toMatch(/^"[^"]+"$/);
    etag = (await a.get(a.paths.object(IOS_NAME))).headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
  });

  it('a second If-None-Match: * create of the same name is refused with 412', async () => {
    const res = await a.put(a.paths.object(IOS_NAME), IOS_ICS, { 'if-none-match': '*' });
    expect(res.status).toBe(412);
  });

  it('ctag and sync-token moved; sync-collection from the old token lists the event', async () => {
    const after = await calendarState();
    expect(after.ctag).not.toBe(before.ctag);
    expect(after.syncToken).not.toBe(before.syncToken);
    const sync = await a.syncCollection(before.syncToken);
    expect(sync.status).toBe(207);
    expect([...sync.ms.responses.keys()]).toEqual([a.paths.object(IOS_NAME)]);
    expect(okText(sync, a.paths.object(IOS_NAME), P.d('getetag'))).toBe(etag);
    expect(sync.ms.syncToken).toBe(after.syncToken);
  });

  it('multiget returns the bytes sent (VTIMEZONE, X-APPLE-*, alarms, attendees) and the SCHEDULE-STATUS, under the same ETag', async () => {
    const href = a.paths.object(IOS_NAME);
    const reply = await a.multiget([href]);
    expect(reply.status).toBe(207);
    expect(okText(reply, href, P.d('getetag'))).toBe(etag);
    // On the wire the bytes are exactly the stored ones. An XML parser then turns CRLF into LF
    // (XML 1.0 §2.11), as any client's does, and ours trims: compare the parsed text modulo that.
    expect(STORED_ICS).not.toBe(IOS_ICS);
    expect(rawCalendarData(reply.text)).toEqual([STORED_ICS]);
    expect(okText(reply, href, P.c('calendar-data'))).toBe(STORED_ICS.replace(/\r\n/g, '\n').trimEnd());
    const get = await a.get(href);
    expect(get.status).toBe(200);
    expect(get.text).toBe(STORED_ICS);
    expect(get.headers.get('etag')).toBe(etag);
    expect(get.headers.get('content-type')).toMatch(/^text\/calendar/);
  });

  it('PUT with If-Match updates: 204 and a new ETag', async () => {
    // The phone sends back what it read, SCHEDULE-STATUS included: stored as sent, so the ETag comes back.
    const edited = STORED_ICS.replace('SEQUENCE:0', 'SEQUENCE:1').replace('TRIGGER:-PT15M', 'TRIGGER:-PT30M');
    const res = await a.put(a.paths.object(IOS_NAME), edited, { 'if-match': etag });
    expect(res.status).toBe(204);
    const next = res.headers.get('etag');
    expect(next).toBeTruthy();
    expect(next).not.toBe(etag);
    const staleEtag = etag;
    etag = next!;
    // A device still holding the old ETag is refused and the stored data stays.
    const stale = await a.put(a.paths.object(IOS_NAME), IOS_ICS.replace('Angebot', 'Stale'), { 'if-match': staleEtag });
    expect(stale.status).toBe(412);
    const get = await a.get(a.paths.object(IOS_NAME));
    expect(get.text).toBe(edited);
    expect(get.headers.get('etag')).toBe(etag);
  });
});

describe('time-range queries', () => {
  const query = (start: string, end: string) =>
    a.report(a.paths.calendar, timeRangeQueryBody(start, end)).then((reply) => {
      expect(reply.status).toBe(207);
      return [...reply.ms.responses.keys()].sort();
    });

  it('store a weekly event with an EXDATE and one moved instance', async () => {
    const res = await a.put(a.paths.object(RECURRING_NAME), RECURRING_ICS, { 'if-none-match': '*' });
    expect(res.status).toBe(201);
  });

  it('match expanded instances, skip the excluded and the moved-away ones', async () => {
    const ios = a.paths.object(IOS_NAME);
    const weekly = a.paths.object(RECURRING_NAME);
    // Monday 27 January 09:00 New York (14:00Z), an ordinary instance.
    expect(await query('20250127T140000Z', '20250127T143000Z')).toEqual([weekly]);
    // 13 January is an EXDATE.
    expect(await query('20250113T000000Z', '20250114T000000Z')).toEqual([]);
    // 10 February moved to Friday 14 February 16:00 New York (21:00Z).
    expect(await query('20250210T000000Z', '20250211T000000Z')).toEqual([]);
    expect(await query('20250214T210000Z', '20250214T213000Z')).toEqual([weekly]);
    // COUNT=6 ends the series before March; the iOS event is 20 March 10:00 Berlin (09:00Z).
    expect(await query('20250301T000000Z', '20250401T000000Z')).toEqual([ios]);
    // End is exclusive: the event ends 10:30Z, a range starting then does not overlap.
    expect(await query('20250320T103000Z', '20250320T120000Z')).toEqual([]);
    expect(await query('20250101T000000Z', '20250401T000000Z')).toEqual([ios, weekly].sort());
  });

  it('calendar-data in a query can be expanded to the instances of the range', async () => {
    const reply = await a.report(
      a.paths.calendar,
      timeRangeQueryBody(
        '20250201T000000Z',
        '20250301T000000Z',
        '<d:getetag/><c:calendar-data><c:expand start="20250201T000000Z" end="20250301T000000Z"/></c:calendar-data>',
      ),
    );
    expect(reply.status).toBe(207);
    const data = okText(reply, a.paths.object(RECURRING_NAME), P.c('calendar-data'));
    expect(data).not.toContain('RRULE');
    // 3 February (14:00Z) and the moved instance (14 February 21:00Z).
    expect(data.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(data).toContain('DTSTART:20250203T140000Z');
    expect(data).toContain('DTSTART:20250214T210000Z');
  });
});

describe('sync round trip and delete', () => {
  it('sync-collection reports a create, a modify and a delete, the delete as a 404 href', async () => {
    const { syncToken: start } = await calendarState();
    const created = 'roundtrip-1.ics';
    const modified = a.paths.object(IOS_NAME);
    const createRes = await a.put(a.paths.object(created), RECURRING_ICS.replaceAll('9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6', 'roundtrip-1'), {
      'if-none-match': '*',
    });
    expect(createRes.status).toBe(201);
    const current = (await a.get(modified)).headers.get('etag')!;
    const modRes = await a.put(modified, STORED_ICS.replace('SEQUENCE:0', 'SEQUENCE:2'), { 'if-match': current });
    expect(modRes.status).toBe(204);
    const weeklyEtag = (await a.get(a.paths.object(RECURRING_NAME))).headers.get('etag')!;
    const del = await a.delete(a.paths.object(RECURRING_NAME), { 'if-match': weeklyEtag });
    expect(del.status).toBe(204);

    const sync = await a.syncCollection(start);
    expect(sync.status).toBe(207);
    expect(okText(sync, a.paths.object(created), P.d('getetag'))).toBe(createRes.headers.get('etag'));
    expect(okText(sync, modified, P.d('getetag'))).toBe(modRes.headers.get('etag'));
    expect(sync.ms.statuses.get(a.paths.object(RECURRING_NAME))).toBe(404);
    expect(sync.ms.responses.size).toBe(3);
    expect(sync.ms.syncToken).toBe((await calendarState()).syncToken);
    // Nothing new since: an empty answer with the same token.
    const again = await a.syncCollection(sync.ms.syncToken!);
    expect(again.ms.responses.size).toBe(0);
    expect(again.ms.syncToken).toBe(sync.ms.syncToken);
  });

  it('DELETE with a stale If-Match is 412 and keeps the object; GET after delete is 404', async () => {
    const href = a.paths.object('roundtrip-1.ics');
    const stale = await a.delete(href, { 'if-match': '"not-the-etag"' });
    expect(stale.status).toBe(412);
    expect((await a.get(href)).status).toBe(200);
    const etag = (await a.get(href)).headers.get('etag')!;
    expect((await a.delete(href, { 'if-match': etag })).status).toBe(204);
    expect((await a.get(href)).status).toBe(404);
    expect((await a.delete(href)).status).toBe(404);
  });
});

describe('refusals', () => {
  it('malformed iCalendar: 403/400 with valid-calendar-data, nothing stored, token unchanged', async () => {
    const before = await calendarState();
    const broken = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:broken\r\nDTSTART:notadate\r\nEND:VCALENDAR\r\n';
    const res = await a.put(a.paths.object('broken.ics'), broken);
    expect([400, 403]).toContain(res.status);
    expectCondition(res.text, P.c('valid-calendar-data'));
    expect((await a.get(a.paths.object('broken.ics'))).status).toBe(404);
    expect(await calendarState()).toEqual(before);
  });

  it('a VTODO is refused with supported-calendar-component', async () => {
    const todo = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 18.1//EN', 'BEGIN:VTODO', 'UID:todo-1',
      'DTSTAMP:20250301T000000Z', 'SUMMARY:Call back', 'END:VTODO', 'END:VCALENDAR', '',
    ].join('\r\n');
    const res = await a.put(a.paths.object('todo-1.ics'), todo, { 'if-none-match': '*' });
    expect(res.status).toBe(403);
    expectCondition(res.text, P.c('supported-calendar-component'));
    expect((await a.get(a.paths.object('todo-1.ics'))).status).toBe(404);
  });

  it('malformed XML is 400', async () => {
    const res = await a.request('PROPFIND', a.paths.calendar, { depth: '0', body: '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag></d:propfind>' });
    expect(res.status).toBe(400);
    const report = await a.request('REPORT', a.paths.calendar, { depth: '1', body: '<?xml version="1.0"?><sync-collection' });
    expect(report.status).toBe(400);
  });

  it('a DTD with entities is refused, not expanded', async () => {
    const body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>';
    const res = await a.request('PROPFIND', a.paths.calendar, { depth: '0', body });
    expect(res.status).toBe(400);
  });

  it('PROPFIND Depth infinity is 403 propfind-finite-depth', async () => {
    const res = await a.request('PROPFIND', a.paths.home, { depth: 'infinity', body: propfindBody('<d:displayname/>') });
    expect(res.status).toBe(403);
    expectCondition(res.text, P.d('propfind-finite-depth'));
  });

  it('MKCALENDAR is 403 with a reason', async () => {
    const res = await a.request('MKCALENDAR', `${a.paths.home}work/`);
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/error/);
    const existing = await a.request('MKCALENDAR', a.paths.calendar);
    expect(existing.status).toBe(403);
  });

  it('PUT into a device-local calendar is 403 and stores nothing', async () => {
    const before = await calendarState();
    const res = await a.put(`${a.paths.home}local-calendar/event.ics`, IOS_ICS.replaceAll('5F2E8A41', 'AAAA0000'));
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/error/);
    expect(await calendarState()).toEqual(before);
  });

  it('an unknown sync token is 403 valid-sync-token', async () => {
    for (const token of ['urn:crm-caldav:sync:999999', 'http://other-server/sync/1', 'garbage']) {
      const res = await a.syncCollection(token);
      expect(res.status, token).toBe(403);
      expectCondition(res.text, P.d('valid-sync-token'));
    }
  });

  it('DAV:limit cuts an initial sync with a 507 entry and a token that continues without gaps', async () => {
    for (let i = 0; i < 3; i++) {
      const uid = `limit-${i}`;
      const res = await a.put(a.paths.object(`${uid}.ics`), RECURRING_ICS.replaceAll('9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6', uid), {
        'if-none-match': '*',
      });
      expect(res.status).toBe(201);
    }
    const all = await a.syncCollection('');
    const everything = [...all.ms.responses.keys()].sort();
    expect(everything.length).toBeGreaterThanOrEqual(4);

    const seen: string[] = [];
    let token = '';
    for (let page = 0; page < 10; page++) {
      const reply = await a.syncCollection(token, { limit: 2 });
      expect(reply.status).toBe(207);
      const truncated = reply.ms.statuses.get(a.paths.calendar) === 507;
      seen.push(...[...reply.ms.responses.keys()].filter((h) => h !== a.paths.calendar));
      token = reply.ms.syncToken!;
      if (!truncated) break;
      expect(reply.text).toContain('number-of-matches-within-limits');
    }
    expect(seen.sort()).toEqual(everything);
    expect(token).toBe((await calendarState()).syncToken);
  });
});

describe('another user', () => {
  const ana = () => a.paths;

  it('cannot PROPFIND the principal, home, calendar or objects of A', async () => {
    for (const path of [ana().principal, ana().home, ana().calendar, ana().object(IOS_NAME)]) {
      for (const depth of ['0', '1'] as const) {
        const res = await b.request('PROPFIND', path, { depth, body: propfindBody('<d:displayname/><d:getetag/><c:calendar-data/>') });
        expect([403, 404], `${path} depth ${depth}`).toContain(res.status);
        expect(res.text).not.toContain('BEGIN:VCALENDAR');
        expect(res.text).not.toContain(IOS_NAME);
      }
    }
  });

  it('cannot GET, PUT over, create in, or DELETE A\'s objects', async () => {
    const href = ana().object(IOS_NAME);
    const before = await a.get(href);
    const get = await b.get(href);
    expect([403, 404]).toContain(get.status);
    expect(get.text).not.toContain('BEGIN:VCALENDAR');
    expect([403, 404]).toContain((await b.request('HEAD', href)).status);
    expect([403, 404]).toContain((await b.put(href, IOS_ICS.replace('Angebot', 'Hijack'))).status);
    expect([403, 404]).toContain((await b.put(ana().object('planted.ics'), IOS_ICS.replaceAll('5F2E8A41', 'BBBB1111'))).status);
    expect([403, 404]).toContain((await b.delete(href)).status);
    const after = await a.get(href);
    expect(after.text).toBe(before.text);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect((await a.get(ana().object('planted.ics'))).status).toBe(404);
  });

  it('cannot REPORT on A\'s calendar, and a multiget of A\'s hrefs on B\'s own calendar yields only 404s', async () => {
    const onA = await b.report(ana().calendar, timeRangeQueryBody('20200101T000000Z', '20300101T000000Z'));
    expect([403, 404]).toContain(onA.status);
    const syncOnA = await b.request('REPORT', ana().calendar, { depth: '1', body: '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>' });
    expect([403, 404]).toContain(syncOnA.status);
    expect(syncOnA.text).not.toContain(IOS_NAME);

    const hrefs = [ana().object(IOS_NAME), `/calendars/ana%40example.com/crm/${IOS_NAME}`];
    const viaOwn = await b.multiget(hrefs, '<d:getetag/><c:calendar-data/>', b.paths.calendar);
    expect(viaOwn.status).toBe(207);
    for (const href of hrefs) expect(viaOwn.ms.statuses.get(href)).toBe(404);
    expect(viaOwn.text).not.toContain('BEGIN:VCALENDAR');
    const viaA = await b.multiget(hrefs, '<d:getetag/><c:calendar-data/>', ana().calendar);
    expect([403, 404]).toContain(viaA.status);
    expect(viaA.text).not.toContain('BEGIN:VCALENDAR');
  });

  it('B\'s own home lists only B\'s calendar', async () => {
    const reply = await b.propfind(b.paths.home, propfindBody('<d:resourcetype/><d:displayname/>'), '1');
    expect(reply.status).toBe(207);
    expect(reply.text).not.toContain('ana@example.com');
    expect(okText(reply, b.paths.calendar, P.d('displayname'))).toBe('bob@example.com');
  });
});

describe('access revoked', () => {
  it('a disabled user gets 401 on the very next request', async () => {
    const ok = await a.propfind(a.paths.calendar, propfindBody('<d:displayname/>'));
    expect(ok.status).toBe(207);
    await server.setEnabled(ana.email, false);
    const res = await a.request('PROPFIND', a.paths.calendar, { depth: '0', body: propfindBody('<d:displayname/>') });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await a.get(a.paths.object(IOS_NAME))).status).toBe(401);
  });
});
