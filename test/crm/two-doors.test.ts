/**
 * Both doors of the product on the running local server over DynamoDB Local, configured as
 * shipped (no CRM_CONNECTOR: the built-in CRM): the phone's CalDAV and the CRM's REST API.
 * Users, leads and contacts are created through the REST API as the admin, so the app password
 * the phone logs in with is the one the API handed out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { basic, DavClient, P, type TestUser } from '../helpers/server';
import { fixture } from '../sync/harness';

const TOKEN = 'two-doors-admin-token-0123456789';
const OLIVIA = 'olivia@crm.example';
const IOS_NAME = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C.ics';

interface Participant {
  type: string;
  participant: string;
  Email: string;
  name?: string;
}
interface ApiEvent {
  id: string;
  Event_Title: string;
  Participants: Participant[];
  Remind_At: number | null;
  Modified_Time: string;
  caldav: { uid: string; name?: string } | null;
}

let t: TestTables;
let server: LocalServer;
let phone: DavClient;
let olivia: TestUser;
const ids: Record<string, string> = {};

const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');

async function api<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as: 'admin' | 'olivia' = 'olivia') {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: {
      authorization: as === 'admin' ? `Bearer ${TOKEN}` : olivia.authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: (text ? JSON.parse(text) : null) as T };
}

/** sync-collection from `token`: the hrefs reported changed and those reported gone. */
async function syncFrom(token: string) {
  const res = await phone.syncCollection(token);
  expect(res.status).toBe(207);
  const gone = [...res.ms.statuses].filter(([, status]) => status === 404).map(([href]) => href);
  const changed = [...res.ms.responses.keys()].filter((href) => !gone.includes(href));
  return { token: res.ms.syncToken ?? '', changed, gone };
}

const oliviaEvents = async () => (await api<{ data: ApiEvent[] }>('GET', '/crm/v1/events')).body.data;

beforeAll(async () => {
  t = await freshTables();
  server = await startLocalServer({ port: 0, dynamodbEndpoint: t.endpoint, env: { ...process.env, ...t.env, CRM_CONNECTOR: undefined, CRM_ADMIN_TOKEN: TOKEN } });
  const password = 'olivia-app-password-2024';
  olivia = { email: OLIVIA, password, authorization: basic(OLIVIA, password) };
  const made = await api('POST', '/crm/v1/users', { email: OLIVIA, name: 'Olivia Owner', timeZone: 'America/Los_Angeles', caldavEnabled: true, password }, {}, 'admin');
  expect(made.status).toBe(201);
  const lead = await api<{ data: { id: string } }>('POST', '/crm/v1/leads', { First_Name: 'Larry', Last_Name: 'Lead', Email: 'LARRY@acme.example', Company: 'Acme' }, {}, 'admin');
  const contact = await api<{ data: { id: string } }>('POST', '/crm/v1/contacts', { First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' }, {}, 'admin');
  expect([lead.status, contact.status]).toEqual([201, 201]);
  ids.lead = lead.body.data.id;
  ids.contact = contact.body.data.id;
  phone = new DavClient(server.url, olivia);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

describe('two doors: CalDAV and the CRM REST API on one server', () => {
  it('create on CalDAV -> visible through REST with the linked lead and contact and Remind_At', async () => {
    const put = await phone.put(phone.paths.object(IOS_NAME), fixture('ios-event.ics'), { 'if-none-match': '*' });
    expect(put.status).toBe(201);
    const [ev, ...more] = await oliviaEvents();
    expect(more).toEqual([]);
    expect(ev).toMatchObject({ Event_Title: 'Quarterly review with Acme', Remind_At: 15, caldav: { uid: '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C', name: IOS_NAME } });
    expect(ev!.Participants.map((p) => [p.type, p.participant])).toEqual([
      ['lead', ids.lead],
      ['contact', ids.contact],
      ['email', 'stranger@elsewhere.example'],
    ]);
    ids.ios = ev!.id;
  });

  it('create through REST -> appears through sync-collection with ATTENDEEs and a VALARM', async () => {
    const { token } = await syncFrom('');
    const created = await api<{ data: ApiEvent }>('POST', '/crm/v1/events', {
      Event_Title: 'Pricing call',
      Start_DateTime: '2024-04-11T09:00:00-07:00',
      End_DateTime: '2024-04-11T09:30:00-07:00',
      Participants: [{ Email: 'larry@ACME.example' }, { Email: 'carla@acme.example' }],
      Remind_At: 20,
    });
    expect(created.status).toBe(201);
    const ev = created.body.data;
    expect(ev.Participants.map((p) => p.type)).toEqual(['lead', 'contact']);
    ids.rest = ev.id;

    const changes = await syncFrom(token);
    expect(changes.gone).toEqual([]);
    expect(changes.changed).toHaveLength(1);
    ids.restHref = changes.changed[0]!;
    const ics = unfold((await phone.get(ids.restHref)).text);
    expect(ics).toContain('SUMMARY:Pricing call');
    expect(ics).toMatch(/ATTENDEE;[^\r\n]*CN=Larry Lead[^\r\n]*:mailto:larry@acme\.example/i);
    expect(ics).toMatch(/ATTENDEE;[^\r\n]*CN=Carla Contact[^\r\n]*:mailto:carla@acme\.example/i);
    expect(ics).toMatch(/BEGIN:VALARM[\s\S]*TRIGGER[^:\r\n]*:-PT20M[\s\S]*END:VALARM/);
  });

  it('attendee removed through REST -> gone on CalDAV; the phone keeps its other alarms and X-APPLE properties', async () => {
    const before = await api<{ data: ApiEvent }>('GET', `/crm/v1/events/${ids.ios}`);
    const { token } = await syncFrom('');
    const kept = before.body.data.Participants.filter((p) => p.Email.toLowerCase() !== 'larry@acme.example');
    expect(kept).toHaveLength(2);
    const patched = await api('PATCH', `/crm/v1/events/${ids.ios}`, { Participants: kept }, { 'if-match': before.etag! });
    expect(patched.status).toBe(200);

    const changes = await syncFrom(token);
    expect(changes.changed).toEqual([phone.paths.object(IOS_NAME)]);
    const ics = unfold((await phone.get(phone.paths.object(IOS_NAME))).text);
    expect(ics).not.toMatch(/larry@acme\.example/i);
    expect(ics).toMatch(/ATTENDEE;[^\r\n]*:mailto:carla@acme\.example/);
    expect(ics.match(/BEGIN:VALARM/g)).toHaveLength(3);
    expect(ics).toContain('X-APPLE-STRUCTURED-LOCATION');
    expect(ics).toContain('URL;VALUE=URI:https://example.com/acme/q2');
  });

  it('attendee removed on CalDAV -> gone in the CRM, and the phone edit after a REST edit updates, not duplicates', async () => {
    const current = await phone.get(phone.paths.object(IOS_NAME));
    const edited = current.text.replace(/ATTENDEE;[^\r\n]*(\r?\n[ \t][^\r\n]*)*stranger@elsewhere\.exam(\r?\n[ \t])?ple\r?\n/, '');
    expect(edited).not.toContain('stranger@');
    const put = await phone.put(phone.paths.object(IOS_NAME), edited, { 'if-match': current.headers.get('etag')! });
    expect(put.status).toBe(204);
    const events = await oliviaEvents();
    expect(events.map((e) => e.id).sort()).toEqual([ids.ios, ids.rest].sort());
    const ev = events.find((e) => e.id === ids.ios)!;
    expect(ev.Participants.map((p) => p.Email)).toEqual(['carla@acme.example']);
    expect(ev.caldav).toEqual({ uid: '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C', name: IOS_NAME });
  });

  it('a stale If-Match on REST is a 409 and changes neither door', async () => {
    const first = await api<{ data: ApiEvent }>('GET', `/crm/v1/events/${ids.rest}`);
    const moved = await api('PATCH', `/crm/v1/events/${ids.rest}`, { Venue: 'Room 1' }, { 'if-match': first.etag! });
    expect(moved.status).toBe(200);
    const davBefore = await phone.get(ids.restHref!);
    const { token } = await syncFrom('');

    const stale = await api<{ error: { code: string } }>('PATCH', `/crm/v1/events/${ids.rest}`, { Venue: 'Room 2' }, { 'if-match': first.etag! });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    expect(stale.etag).toBe(moved.etag);
    const staleDelete = await api('DELETE', `/crm/v1/events/${ids.rest}`, undefined, { 'if-match': first.etag! });
    expect(staleDelete.status).toBe(409);

    expect((await api<{ data: ApiEvent & { Venue: string } }>('GET', `/crm/v1/events/${ids.rest}`)).body.data.Venue).toBe('Room 1');
    expect((await phone.get(ids.restHref!)).headers.get('etag')).toBe(davBefore.headers.get('etag'));
    expect((await syncFrom(token)).changed).toEqual([]);
  });

  it('a stale ETag on CalDAV is a 412 and the CRM keeps its version', async () => {
    const before = await api<{ data: ApiEvent }>('GET', `/crm/v1/events/${ids.ios}`);
    const put = await phone.put(phone.paths.object(IOS_NAME), fixture('ios-event.ics'), { 'if-match': '"not-the-etag"' });
    expect(put.status).toBe(412);
    expect((await api('GET', `/crm/v1/events/${ids.ios}`)).etag).toBe(before.etag);
  });

  it('delete through REST -> gone on CalDAV and reported by sync-collection', async () => {
    const { token } = await syncFrom('');
    expect((await api('DELETE', `/crm/v1/events/${ids.rest}`)).status).toBe(204);
    const changes = await syncFrom(token);
    expect(changes.gone).toEqual([ids.restHref]);
    expect((await phone.get(ids.restHref!)).status).toBe(404);
    expect((await oliviaEvents()).map((e) => e.id)).toEqual([ids.ios]);
  });

  it('delete on CalDAV -> soft-deleted in the CRM; status shows nothing pending', async () => {
    expect((await phone.delete(phone.paths.object(IOS_NAME))).status).toBe(204);
    expect(await oliviaEvents()).toEqual([]);
    expect((await api('GET', `/crm/v1/events/${ids.ios}`)).status).toBe(404);
    const status = await api<{ data: { pending: number } }>('GET', '/crm/v1/status');
    expect(status.status).toBe(200);
    expect(status.body.data.pending).toBe(0);
  });

  it('exposes the calendar the REST-made user logs in to', async () => {
    const res = await phone.propfind(phone.paths.calendar, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>');
    expect(res.status).toBe(207);
    expect(res.ms.responses.get(phone.paths.calendar)?.get(P.d('resourcetype'))?.status).toBe(200);
  });
});

describe('two doors: what the CRM does not own survives, recurrence travels both ways', () => {
  const IOS2 = 'AAAABBBB-CCCC-4DDD-8EEE-FFFF00001111';
  const REC_NAME = '5D6E7F80-1A2B-4C3D-8E9F-0A1B2C3D4E5F.ics';
  const lines = (ics: string) => unfold(ics).split(/\r?\n/).filter(Boolean);
  const volatile = (l: string) => /^(DTSTAMP|LAST-MODIFIED):/.test(l);

  it('an iOS event edited through REST changes on the phone only in the lines the CRM owns', async () => {
    const sent = fixture('ios-event.ics').replace(/UID:7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C/, `UID:${IOS2}`);
    expect((await phone.put(phone.paths.object(`${IOS2}.ics`), sent, { 'if-none-match': '*' })).status).toBe(201);
    const before = (await phone.get(phone.paths.object(`${IOS2}.ics`))).text;
    const [ev] = (await oliviaEvents()).filter((e) => e.caldav?.uid === IOS2);
    expect(ev?.Remind_At).toBe(15);
    const res = await api('PATCH', `/crm/v1/events/${ev!.id}`, { Event_Title: 'Renamed in the CRM', Remind_At: 30 });
    expect(res.status).toBe(200);

    const after = (await phone.get(phone.paths.object(`${IOS2}.ics`))).text;
    const [a, b] = [lines(before), lines(after)];
    expect(b.filter((l) => !a.includes(l) && !volatile(l))).toEqual(['SUMMARY:Renamed in the CRM', 'TRIGGER:-PT30M']);
    expect(a.filter((l) => !b.includes(l) && !volatile(l))).toEqual(['SUMMARY:Quarterly review with Acme', 'TRIGGER:-PT15M']);
    // The other two alarms, the X-APPLE properties and the VTIMEZONE are the phone's bytes.
    expect(b.filter((l) => l === 'BEGIN:VALARM')).toHaveLength(3);
    expect((await api('DELETE', `/crm/v1/events/${ev!.id}`)).status).toBe(204);
  });

  it('a recurring event with an overridden instance: phone -> CRM, CRM edit -> phone, phone edit -> CRM', async () => {
    expect((await phone.put(phone.paths.object(REC_NAME), fixture('recurring-override.ics'), { 'if-none-match': '*' })).status).toBe(201);
    type Rec = ApiEvent & { Recurring_Activity: { RRULE: string; EXDATE?: string[] } | null; Recurrence_Exceptions: Array<Record<string, unknown> & { Recurrence_Id: string }> };
    const [ev] = (await api<{ data: Rec[] }>('GET', '/crm/v1/events')).body.data.filter((e) => e.caldav?.name === REC_NAME);
    expect(ev?.Recurring_Activity).toMatchObject({ RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10', EXDATE: ['2024-03-11T09:00:00+01:00'] });
    expect(ev?.Recurrence_Exceptions).toEqual([expect.objectContaining({ Recurrence_Id: '2024-03-18T09:00:00+01:00', Event_Title: 'Team standup (moved)', Venue: 'Room 4' })]);
    expect(ev?.Remind_At).toBe(5);

    // CRM side: rename the moved instance and move another one.
    const exceptions = [
      { ...ev!.Recurrence_Exceptions[0], Event_Title: 'Standup (CRM)' },
      { Recurrence_Id: '2024-03-25T09:00:00+01:00', Start_DateTime: '2024-03-25T11:00:00+01:00', End_DateTime: '2024-03-25T11:30:00+01:00', Venue: 'Room 9' },
    ];
    const patched = await api('PATCH', `/crm/v1/events/${ev!.id}`, { Recurrence_Exceptions: exceptions });
    expect(patched.status).toBe(200);
    const got = await phone.get(phone.paths.object(REC_NAME));
    const ics = unfold(got.text);
    expect(ics.match(/RECURRENCE-ID/g)).toHaveLength(2);
    expect(ics).toContain('SUMMARY:Standup (CRM)');
    expect(ics).toMatch(/RECURRENCE-ID;TZID=Europe\/Berlin:20240325T090000[\s\S]*LOCATION:Room 9/);
    expect(ics).toContain('X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC');

    // Phone side: drop the first override (back to the series) and add an EXDATE.
    const vevents = got.text.split(/(?=BEGIN:VEVENT)/);
    const kept = vevents.filter((part) => !/RECURRENCE-ID[^\r\n]*20240318T090000/.test(part)).join('');
    const edited = (kept.includes('END:VCALENDAR') ? kept : `${kept}END:VCALENDAR\r\n`).replace(
      /EXDATE;TZID=Europe\/Berlin:20240311T090000/,
      'EXDATE;TZID=Europe/Berlin:20240311T090000,20240401T090000',
    );
    expect((await phone.put(phone.paths.object(REC_NAME), edited, { 'if-match': got.headers.get('etag')! })).status).toBe(204);
    const now = (await api<{ data: Rec }>('GET', `/crm/v1/events/${ev!.id}`)).body.data;
    expect(now.Recurrence_Exceptions.map((x) => x.Recurrence_Id)).toEqual(['2024-03-25T09:00:00+01:00']);
    expect(now.Recurring_Activity?.EXDATE).toEqual(['2024-03-11T09:00:00+01:00', '2024-04-01T09:00:00+02:00']);
  });
});
