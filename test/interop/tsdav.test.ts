/**
 * The real tsdav client (DAVClient, Basic auth) against the local server on DynamoDB: discovery,
 * object CRUD with ETags, time-range fetches with and without expansion, ctag checks and both of
 * tsdav's sync paths. A recording fetch keeps what tsdav sent, so quirks can be asserted on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAVClient, calendarMultiGet, type DAVCalendar, type DAVCalendarObject } from 'tsdav';
import { fixture, startInteropServer, type InteropServer, type TestUser } from '../helpers/server';

const IOS_ICS = fixture('interop', 'ios-event.ics');
const RECURRING_ICS = fixture('interop', 'recurring-weekly.ics');
const EMAIL = 'carla@example.com';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  status: number;
}

let server: InteropServer;
let user: TestUser;
let client: DAVClient;
let calendar: DAVCalendar;
const sent: Sent[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  sent.push({
    method: init?.method ?? 'GET',
    url: String(input instanceof Request ? input.url : input),
    headers: Object.fromEntries(new Headers(init?.headers).entries()),
    status: res.status,
  });
  return res;
};

beforeAll(async () => {
  server = await startInteropServer();
  user = await server.addUser(EMAIL);
  client = new DAVClient({
    serverUrl: server.url,
    credentials: { username: user.email, password: user.password },
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
    fetch: recordingFetch,
  });
});
afterAll(async () => {
  await server?.stop();
});

const objectUrl = (name: string) => new URL(`calendars/${EMAIL}/crm/${name}`, server.url).href;
const byUrl = (objects: DAVCalendarObject[], name: string) =>
  objects.find((o) => decodeURIComponent(new URL(o.url, server.url).pathname).endsWith(`/${name}`));
const withUid = (ics: string, from: string, to: string) => ics.replaceAll(from, to);
const RECURRING_UID = '9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6';
const IOS_UID = '5F2E8A41-0C3B-4D7E-9A18-6B5C4D3E2F10';

describe('tsdav', () => {
  it('login discovers principal and home; the account holds one calendar named after the e-mail (and the tasks list)', async () => {
    await client.login();
    expect(client.account?.principalUrl).toBe(new URL(`principals/${EMAIL}/`, server.url).href);
    expect(client.account?.homeUrl).toBe(new URL(`calendars/${EMAIL}/`, server.url).href);
    const calendars = await client.fetchCalendars();
    expect(calendars.map((c) => c.components)).toEqual([['VEVENT'], ['VTODO']]);
    calendar = calendars[0];
    expect(calendar.displayName).toBe(EMAIL);
    expect(calendar.url).toBe(new URL(`calendars/${EMAIL}/crm/`, server.url).href);
    expect(calendar.components).toEqual(['VEVENT']);
    expect(calendar.ctag).toBeTruthy();
    expect(calendar.syncToken).toBeTruthy();
    expect(calendar.reports).toEqual(expect.arrayContaining(['calendarMultiget', 'calendarQuery', 'syncCollection']));
    // tsdav starts at /.well-known/caldav and follows our redirect.
    expect(sent.some((r) => r.url.endsWith('/.well-known/caldav'))).toBe(true);
  });

  it('createCalendarObject stores the event; fetchCalendarObjects returns it with the ETag PUT gave', async () => {
    const res = await client.createCalendarObject({ calendar, iCalString: IOS_ICS, filename: `${IOS_UID}.ics` });
    expect(res.status).toBe(201);
    const etag = res.headers.get('etag');
    // tsdav creates with If-None-Match: *, so a second create cannot overwrite.
    expect(sent.at(-1)?.headers['if-none-match']).toBe('*');
    const again = await client.createCalendarObject({ calendar, iCalString: IOS_ICS, filename: `${IOS_UID}.ics` });
    expect(again.status).toBe(412);

    const objects = await client.fetchCalendarObjects({ calendar });
    expect(objects).toHaveLength(1);
    const ios = byUrl(objects, `${IOS_UID}.ics`)!;
    expect(ios.etag).toBe(etag);
    // xml-js turns CRLF into LF (XML end-of-line handling); the content is otherwise intact.
    expect(String(ios.data).replace(/\r\n/g, '\n').trimEnd()).toBe(IOS_ICS.replace(/\r\n/g, '\n').trimEnd());
  });

  it('fetchCalendarObjects with a timeRange keeps only overlapping events, recurring instances included', async () => {
    const res = await client.createCalendarObject({ calendar, iCalString: RECURRING_ICS, filename: `${RECURRING_UID}.ics` });
    expect(res.status).toBe(201);
    const names = async (start: string, end: string) =>
      (await client.fetchCalendarObjects({ calendar, timeRange: { start, end } }))
        .map((o) => decodeURIComponent(new URL(o.url, server.url).pathname).split('/').pop())
        .sort();
    expect(await names('2025-01-27T14:00:00Z', '2025-01-27T15:00:00Z')).toEqual([`${RECURRING_UID}.ics`]);
    expect(await names('2025-01-13T00:00:00Z', '2025-01-14T00:00:00Z')).toEqual([]);
    expect(await names('2025-02-14T20:00:00Z', '2025-02-14T22:00:00Z')).toEqual([`${RECURRING_UID}.ics`]);
    expect(await names('2025-03-20T00:00:00Z', '2025-03-21T00:00:00Z')).toEqual([`${IOS_UID}.ics`]);
    expect(await names('2025-01-01T00:00:00Z', '2025-12-31T00:00:00Z')).toEqual([`${IOS_UID}.ics`, `${RECURRING_UID}.ics`].sort());
  });

  it('expand: true returns the recurring event as its instances in the range', async () => {
    const objects = await client.fetchCalendarObjects({
      calendar,
      timeRange: { start: '2025-02-01T00:00:00Z', end: '2025-03-01T00:00:00Z' },
      expand: true,
    });
    expect(objects).toHaveLength(1);
    const data = String(objects[0].data);
    expect(data).not.toContain('RRULE');
    expect(data.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(data).toContain('DTSTART:20250203T140000Z');
    expect(data).toContain('DTSTART:20250214T210000Z');
    expect(data).toContain('Pipeline review (moved to Friday)');
  });

  it('updateCalendarObject sends If-Match: a current ETag wins, a stale one gets 412', async () => {
    const [ios] = await client.fetchCalendarObjects({ calendar, objectUrls: [objectUrl(`${IOS_UID}.ics`)] });
    const edited = IOS_ICS.replace('SEQUENCE:0', 'SEQUENCE:1').replace('Angebot besprechen', 'Vertrag unterschreiben');
    const res = await client.updateCalendarObject({ calendarObject: { ...ios, data: edited } });
    expect(res.status).toBe(204);
    expect(sent.at(-1)?.headers['if-match']).toBe(ios.etag);
    const newEtag = res.headers.get('etag');
    expect(newEtag).not.toBe(ios.etag);

    const stale = await client.updateCalendarObject({ calendarObject: { ...ios, data: IOS_ICS } });
    expect(stale.status).toBe(412);
    const [current] = await client.fetchCalendarObjects({ calendar, objectUrls: [objectUrl(`${IOS_UID}.ics`)] });
    expect(current.etag).toBe(newEtag);
    expect(String(current.data)).toContain('Vertrag unterschreiben');
  });

  it('isCollectionDirty follows the ctag', async () => {
    const [fresh] = await client.fetchCalendars();
    expect((await client.isCollectionDirty({ collection: fresh })).isDirty).toBe(false);
    const res = await client.createCalendarObject({
      calendar,
      iCalString: withUid(IOS_ICS, IOS_UID, 'dirty-1'),
      filename: 'dirty-1.ics',
    });
    expect(res.status).toBe(201);
    const dirty = await client.isCollectionDirty({ collection: fresh });
    expect(dirty.isDirty).toBe(true);
    expect(dirty.newCtag).not.toBe(fresh.ctag);
  });

  it('smartCollectionSync (webdav) picks up a create, a modify and a delete', async () => {
    const [base] = await client.fetchCalendars();
    // tsdav quirk: fetchCalendars does not attach objectMultiGet, which smartCollectionSync
    // needs to load changed objects; its syncCalendars attaches calendarMultiGet, so do the same.
    const local = {
      ...base,
      objects: await client.fetchCalendarObjects({ calendar: base }),
      objectMultiGet: calendarMultiGet,
    };
    expect(local.objects).toHaveLength(3);

    const created = await client.createCalendarObject({
      calendar,
      iCalString: withUid(RECURRING_ICS, RECURRING_UID, 'sync-new'),
      filename: 'sync-new.ics',
    });
    expect(created.status).toBe(201);
    const dirty = byUrl(local.objects, 'dirty-1.ics')!;
    const modified = await client.updateCalendarObject({
      calendarObject: { ...dirty, data: String(dirty.data).replace('SEQUENCE:0', 'SEQUENCE:5') },
    });
    expect(modified.status).toBe(204);
    const gone = byUrl(local.objects, `${RECURRING_UID}.ics`)!;
    expect((await client.deleteCalendarObject({ calendarObject: gone })).status).toBe(204);
    expect(sent.at(-1)?.headers['if-match']).toBe(gone.etag);

    const result = await client.smartCollectionSyncDetailed({ collection: local, method: 'webdav' });
    const names = (objects: { url: string }[]) =>
      objects.map((o) => decodeURIComponent(new URL(o.url, server.url).pathname).split('/').pop()).sort();
    expect(names(result.objects.created)).toEqual(['sync-new.ics']);
    expect(names(result.objects.updated)).toEqual(['dirty-1.ics']);
    expect(names(result.objects.deleted)).toEqual([`${RECURRING_UID}.ics`]);
    expect(result.objects.updated[0].etag).toBe(modified.headers.get('etag'));
    expect(result.objects.created[0].etag).toBe(created.headers.get('etag'));
    expect(String(result.objects.created[0].data)).toContain('UID:sync-new');
    expect(result.syncToken).not.toBe(base.syncToken);
    expect(sent.some((r) => r.method === 'REPORT' && r.status === 207)).toBe(true);
  });

  it('syncCalendars sees the one calendar as updated after a change, unchanged otherwise', async () => {
    const calendars = await client.fetchCalendars();
    const quiet = await client.syncCalendarsDetailed({ oldCalendars: calendars });
    expect(quiet.created).toHaveLength(0);
    expect(quiet.deleted).toHaveLength(0);
    expect(quiet.updated).toHaveLength(0);

    await client.createCalendarObject({ calendar, iCalString: withUid(IOS_ICS, IOS_UID, 'cal-sync'), filename: 'cal-sync.ics' });
    const changed = await client.syncCalendarsDetailed({ oldCalendars: calendars });
    expect(changed.created).toHaveLength(0);
    expect(changed.deleted).toHaveLength(0);
    // Only the calendar changed: the tasks list beside it did not.
    expect(changed.updated.map((c) => c.url)).toEqual([calendar.url]);
  });

  it('raw syncCollection from the initial token lists everything, then deletes as 404', async () => {
    const [now] = await client.fetchCalendars();
    const initial = await client.syncCollection({
      url: calendar.url,
      props: { 'd:getetag': {} },
      syncLevel: 1,
      syncToken: '',
    });
    const hrefs = initial.filter((r) => r.href).map((r) => decodeURIComponent(r.href!).split('/').pop()).sort();
    expect(hrefs).toEqual(['cal-sync.ics', 'dirty-1.ics', 'sync-new.ics', `${IOS_UID}.ics`].sort());

    const [target] = await client.fetchCalendarObjects({ calendar, objectUrls: [objectUrl('cal-sync.ics')] });
    await client.deleteCalendarObject({ calendarObject: target });
    const after = await client.syncCollection({
      url: calendar.url,
      props: { 'd:getetag': {} },
      syncLevel: 1,
      syncToken: now.syncToken,
    });
    expect(after).toHaveLength(1);
    expect(decodeURIComponent(after[0].href!)).toMatch(/\/cal-sync\.ics$/);
    expect(after[0].status).toBe(404);
  });

  it('makeCalendar is refused: the CRM calendar and the tasks list are the only ones', async () => {
    const res = await client.makeCalendar({ url: new URL(`calendars/${EMAIL}/local/`, server.url).href, props: {} });
    expect(res[0]?.status).toBe(403);
    expect(await client.fetchCalendars()).toHaveLength(2);
  });
});
