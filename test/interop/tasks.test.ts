/**
 * The tasks list over HTTP on the local server and DynamoDB Local, driven by tsdav (discovery,
 * create, VTODO queries, ctag, sync) and by raw requests where the answer's body matters (the
 * calendar's refusal of a to-do, Reminders' MKCALENDAR, bad to-dos): issue #26's CalDAV half.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAVClient, calendarMultiGet, type DAVCalendar, type DAVCalendarObject } from 'tsdav';
import { findChild, parseXml } from '../../lambda/core/xml';
import { fixture, P, propfindBody, startInteropServer, type DavClient, type InteropServer, type TestUser, IOS_REMINDER } from '../helpers/server';

const EMAIL = 'tara@example.com';
const { ics: REMINDER, uid: REMINDER_UID } = IOS_REMINDER;
const TASKS_KEY = `${EMAIL}#tasks`;

/** A to-do with the given extra lines. */
const todo = (uid: string | null, ...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VTODO', ...(uid === null ? [] : [`UID:${uid}`]), 'DTSTAMP:20250101T000000Z', `SUMMARY:Task ${uid ?? ''}`, ...lines, 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');

let server: InteropServer;
let user: TestUser;
let raw: DavClient;
let client: DAVClient;
let calendar: DAVCalendar;
let tasks: DAVCalendar;

beforeAll(async () => {
  server = await startInteropServer();
  user = await server.addUser(EMAIL);
  raw = server.as(user);
  client = new DAVClient({
    serverUrl: server.url,
    credentials: { username: user.email, password: user.password },
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
  });
  await client.login();
});
afterAll(async () => {
  await server?.stop();
});

const tasksPath = `/calendars/${EMAIL}/tasks/`;
const nameOf = (o: { url: string }) => decodeURIComponent(new URL(o.url, server.url).pathname).split('/').pop();
const names = (objects: { url: string }[]) => objects.map(nameOf).sort();
/** tsdav's filters for the open to-dos (RFC 4791 §7.8.9's example, without a time range). */
const OPEN_TODOS = [
  {
    'comp-filter': {
      _attributes: { name: 'VCALENDAR' },
      'comp-filter': { _attributes: { name: 'VTODO' }, 'prop-filter': { _attributes: { name: 'COMPLETED' }, 'is-not-defined': {} } },
    },
  },
];
const ALL_TODOS = [{ 'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': { _attributes: { name: 'VTODO' } } } }];

/** What a refusal must leave as it was: the tasks list's counter and objects. */
async function tasksState() {
  const meta = await server.store.getCalendar(TASKS_KEY);
  const objects = await server.store.listObjects(TASKS_KEY);
  return { seq: meta.seq, etags: objects.map((o) => `${o.name} ${o.etag}`).sort() };
}

function davError(text: string) {
  const root = parseXml(text);
  expect(root.name).toBe(P.d('error'));
  return { condition: root.children[0]?.name, description: findChild(root, P.d('responsedescription'))?.text ?? '' };
}

describe('discovery', () => {
  it('fetchCalendars finds the calendar and, beside it, the tasks list: VTODO only, named for the user, with ctag and sync token', async () => {
    const found = await client.fetchCalendars();
    expect(found.map((c) => new URL(c.url).pathname)).toEqual([`/calendars/${EMAIL}/crm/`, tasksPath]);
    [calendar, tasks] = found;
    expect(calendar.components).toEqual(['VEVENT']);
    expect(tasks.components).toEqual(['VTODO']);
    expect(tasks.displayName).toBe(`Tasks (${EMAIL})`);
    expect(tasks.ctag).toBeTruthy();
    expect(tasks.syncToken).toBeTruthy();
    expect(tasks.syncToken).not.toBe(calendar.syncToken);
    expect(tasks.reports).toEqual(expect.arrayContaining(['calendarMultiget', 'calendarQuery', 'syncCollection']));
  });

  it("Apple's recorded home poll (Depth 1) shows the list as a calendar holding VTODO, transparent to free-busy", async () => {
    const reply = await raw.request('PROPFIND', `/calendars/${EMAIL}/`, { body: fixture('apple', 'poll_calendarhome_depth1_propfind.xml'), depth: '1' });
    expect(reply.status).toBe(207);
    const listed = await raw.propfind(tasksPath, propfindBody('<c:supported-calendar-component-set/><c:schedule-calendar-transp/><d:resourcetype/>'));
    const props = listed.ms.responses.get(tasksPath)!;
    expect(props.get(P.c('supported-calendar-component-set'))!.element.children.map((c) => c.attrs.name)).toEqual(['VTODO']);
    expect(props.get(P.c('schedule-calendar-transp'))!.element.children.map((c) => c.name)).toEqual([P.c('transparent')]);
    expect(reply.text).toContain(tasksPath);
  });
});

describe('to-dos through tsdav', () => {
  it('createCalendarObject stores the iOS reminder byte for byte; the calendar does not move', async () => {
    const res = await client.createCalendarObject({ calendar: tasks, iCalString: REMINDER, filename: `${REMINDER_UID}.ics` });
    expect(res.status).toBe(201);
    const got = await raw.get(`${tasksPath}${REMINDER_UID}.ics`);
    expect(got.text).toBe(REMINDER);
    expect(got.headers.get('etag')).toBe(res.headers.get('etag'));
    expect((await client.isCollectionDirty({ collection: calendar })).isDirty).toBe(false);
    expect((await client.isCollectionDirty({ collection: tasks })).isDirty).toBe(true);
  });

  it("Apple's recorded Depth 1 poll of a collection lists the list's to-dos with their ETags, as VTODO", async () => {
    const reply = await raw.propfind(tasksPath, fixture('apple', 'poll_calendar_depth1_propfind.xml'), '1');
    expect(reply.status).toBe(207);
    const member = reply.ms.responses.get(`${tasksPath}${REMINDER_UID}.ics`)!;
    expect(member.get(P.d('getcontenttype'))!.element.text).toBe('text/calendar; charset=utf-8; component=vtodo');
    expect(member.get(P.d('getetag'))!.element.text).toMatch(/^"/);
  });

  it('fetchCalendarObjects with VTODO filters: all to-dos, or only the open ones', async () => {
    expect((await client.createCalendarObject({ calendar: tasks, iCalString: todo('open-1', 'DUE;VALUE=DATE:20250320'), filename: 'open-1.ics' })).status).toBe(201);
    const done = todo('done-1', 'STATUS:COMPLETED', 'COMPLETED:20250302T100000Z');
    expect((await client.createCalendarObject({ calendar: tasks, iCalString: done, filename: 'done-1.ics' })).status).toBe(201);
    expect(names(await client.fetchCalendarObjects({ calendar: tasks, filters: ALL_TODOS }))).toEqual(['done-1.ics', 'open-1.ics', `${REMINDER_UID}.ics`].sort());
    expect(names(await client.fetchCalendarObjects({ calendar: tasks, filters: OPEN_TODOS }))).toEqual(['open-1.ics', `${REMINDER_UID}.ics`].sort());
    // tsdav's default filter asks for VEVENTs: the tasks list has none.
    expect(await client.fetchCalendarObjects({ calendar: tasks })).toEqual([]);
  });

  it('a time-range query on VTODO follows DUE, or COMPLETED for a to-do without one (RFC 4791 §9.9)', async () => {
    const inRange = (start: string, end: string) => [
      { 'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': { _attributes: { name: 'VTODO' }, 'time-range': { _attributes: { start, end } } } } },
    ];
    const around20 = await client.fetchCalendarObjects({ calendar: tasks, filters: inRange('20250319T000000Z', '20250321T000000Z') });
    expect(names(around20)).toEqual(['open-1.ics']);
    const march2 = await client.fetchCalendarObjects({ calendar: tasks, filters: inRange('20250302T000000Z', '20250303T000000Z') });
    expect(names(march2)).toEqual(['done-1.ics']);
  });

  it('smartCollectionSync (webdav) on the tasks list picks up a completion and a delete; the calendar stays clean', async () => {
    const [, base] = await client.fetchCalendars();
    const local = { ...base, objects: await client.fetchCalendarObjects({ calendar: base, filters: ALL_TODOS }), objectMultiGet: calendarMultiGet };
    const open = local.objects.find((o) => nameOf(o) === 'open-1.ics') as DAVCalendarObject;
    const completed = String(open.data).replace('END:VTODO', 'STATUS:COMPLETED\r\nCOMPLETED:20250321T080000Z\r\nEND:VTODO');
    const updated = await client.updateCalendarObject({ calendarObject: { ...open, data: completed } });
    expect(updated.status).toBe(204);
    const gone = local.objects.find((o) => nameOf(o) === 'done-1.ics')!;
    expect((await client.deleteCalendarObject({ calendarObject: gone })).status).toBe(204);

    const result = await client.smartCollectionSyncDetailed({ collection: local, method: 'webdav' });
    expect(names(result.objects.updated)).toEqual(['open-1.ics']);
    expect(names(result.objects.deleted)).toEqual(['done-1.ics']);
    expect(result.objects.created).toEqual([]);
    expect(String(result.objects.updated[0].data)).toContain('STATUS:COMPLETED');
    expect((await client.isCollectionDirty({ collection: calendar })).isDirty).toBe(false);
  });

  it("raw syncCollection: the list's token is not the calendar's", async () => {
    const [cal, list] = await client.fetchCalendars();
    const crossed = await raw.report(`/calendars/${EMAIL}/crm/`, `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${list.syncToken}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`);
    expect(crossed.status).toBe(403);
    expect(davError(crossed.text).condition).toBe(P.d('valid-sync-token'));
    const quiet = await client.syncCollection({ url: list.url, props: { 'd:getetag': {} }, syncLevel: 1, syncToken: list.syncToken });
    expect(quiet.filter((r) => r.href)).toEqual([]);
    expect(cal.syncToken).toBeTruthy();
  });
});

describe('to-dos in the wrong place', () => {
  it("the calendar refuses a VTODO with supported-calendar-component; the body names the tasks list's URL", async () => {
    const before = await server.store.getCalendar(EMAIL);
    const res = await client.createCalendarObject({ calendar, iCalString: todo('wrong-1'), filename: 'wrong-1.ics' });
    expect(res.status).toBe(403);
    const { condition, description } = davError(await res.text());
    expect(condition).toBe(P.c('supported-calendar-component'));
    expect(description).toContain(tasksPath);
    expect((await server.store.getCalendar(EMAIL)).seq).toBe(before.seq);
  });

  it("Reminders' MKCALENDAR for a VTODO list is refused with calendar-collection-location-ok and where the tasks list is", async () => {
    const before = await tasksState();
    const body = fixture('apple', 'startup_create_calendar.xml').replace('{component_type}', 'VTODO').replace('{order}', '3').replace('{color}', 'FF9500FF').replace('{name}', 'Reminders');
    const res = await raw.request('MKCALENDAR', `/calendars/${EMAIL}/2C8F0E6B-2D3A-4E5F-8A9B-0C1D2E3F4A5B/`, { body });
    expect(res.status).toBe(403);
    const root = parseXml(res.text);
    expect(findChild(root, P.c('calendar-collection-location-ok'))).toBeDefined();
    expect(findChild(root, P.d('responsedescription'))?.text).toContain(tasksPath);
    // tsdav's makeCalendar asking for a VTODO list gets the same refusal, and still two collections.
    const viaTsdav = await client.makeCalendar({
      url: new URL(`calendars/${EMAIL}/reminders/`, server.url).href,
      props: { 'd:displayname': 'Reminders', 'c:supported-calendar-component-set': { 'c:comp': { _attributes: { name: 'VTODO' } } } },
    });
    expect(viaTsdav[0]?.status).toBe(403);
    expect(await client.fetchCalendars()).toHaveLength(2);
    expect(await tasksState()).toEqual(before);
  });
});

describe('bad to-dos: 403 with the precondition, nothing stored', () => {
  it.each([
    ['a VEVENT', fixture('interop', 'ios-event.ics'), 'supported-calendar-component', `/calendars/${EMAIL}/crm/`],
    ['a VTODO without UID', todo(null), 'valid-calendar-data', 'UID'],
    ['DUE before DTSTART', todo('bad-due', 'DTSTART:20250310T090000Z', 'DUE:20250309T090000Z'), 'valid-calendar-data', 'DUE is before DTSTART'],
    ['a recurring VTODO without DTSTART or DUE', todo('bad-rrule', 'RRULE:FREQ=WEEKLY'), 'valid-calendar-data', 'DTSTART'],
    ['a recurring VTODO with DUE but no DTSTART', todo('bad-rrule-2', 'DUE:20250311T090000Z', 'RRULE:FREQ=WEEKLY'), 'valid-calendar-data', 'DTSTART'],
  ])('%s', async (_what, body, condition, says) => {
    const before = await tasksState();
    const res = await raw.put(`${tasksPath}bad.ics`, body);
    expect(res.status).toBe(403);
    const error = davError(res.text);
    expect(error.condition).toBe(P.c(condition));
    expect(error.description).toContain(says);
    expect(await tasksState()).toEqual(before);
    expect((await raw.get(`${tasksPath}bad.ics`)).status).toBe(404);
  });
});
