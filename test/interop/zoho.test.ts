/**
 * The mission with CRM_CONNECTOR=zoho, end to end: the local server (the very Lambda handlers) on
 * DynamoDB Local, the Zoho connector against the Zoho simulator, real HTTP both ways (the
 * simulator calls our webhook). Phone create, edit, delete; Zoho create, edit, delete; attendees,
 * reminders, recurrence; the initial export's bounds; users only from Zoho; no duplicates when
 * Zoho's answer is lost; Zoho's errors never reaching the phone; a phone's polls never calling Zoho.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../bin/local-server';
import type { ZohoSimulator } from '../../bin/zoho-sim/index';
import type { App } from '../../lambda/app/app';
import { startZohoWorld, type ZohoWorld } from '../helpers/zoho-world';
import { DavClient, basic, type TestUser } from '../helpers/server';

const ADMIN_TOKEN = 'zoho-interop-admin-token-0123456789';
const PAT = 'patriciab@zillum.com';
const ENABLED_AT = Date.parse('2026-12-07T10:00:00Z');

const ics = (uid: string, summary: string, extra = '') =>
  [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 18.1//EN',
    'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261207T090000Z', 'DTSTART;TZID=America/Los_Angeles:20261210T090000', 'DTEND;TZID=America/Los_Angeles:20261210T100000',
    `SUMMARY:${summary}`, extra, 'BEGIN:VALARM', `X-WR-ALARMUID:${uid}-A1`, `UID:${uid}-A1`, 'TRIGGER:-PT15M', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR', '',
  ].filter((l) => l !== '').join('\r\n');

let world: ZohoWorld;
let sim: ZohoSimulator;
let app: App;
let server: LocalServer;
let phone: DavClient;
let lostAnswers = 0;

const admin = (method: string, path: string, body?: unknown) => world.admin(method, path, body);
const zohoEvents = () => sim.state.records('Events');
const byTitle = (title: string) => zohoEvents().find((e) => e.Event_Title === title);
const settle = () => world.settle();

// The first create's answer is lost on its way back (a timeout after Zoho made the record).
const lossy: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  if (init?.method === 'POST' && String(input).endsWith('/crm/v8/Events') && lostAnswers-- > 0) throw new Error('socket hang up');
  return res;
};

beforeAll(async () => {
  world = await startZohoWorld({
    adminToken: ADMIN_TOKEN,
    startAt: ENABLED_AT,
    fetch: lossy,
    seed: (sim) => {
      // Patricia is the simulator's admin (its token's user); a colleague and the org's leads and contacts.
      sim.state.addUser({ email: 'other@zillum.com', firstName: 'Otto', lastName: 'Other', timeZone: 'Europe/Berlin' });
      sim.state.addLead({ First_Name: 'Larry', Last_Name: 'Lead', Email: 'larry@acme.example', Company: 'Acme' });
      sim.state.addContact({ First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' });
      // Patricia's events before CalDAV: in the export's window (from the first day of last month), before it, and someone else's.
      sim.state.addEvent({ Event_Title: 'In the window', Start_DateTime: '2026-11-20T10:00:00-08:00', End_DateTime: '2026-11-20T11:00:00-08:00' });
      sim.state.addEvent({ Event_Title: 'Before the window', Start_DateTime: '2026-10-20T10:00:00-07:00', End_DateTime: '2026-10-20T11:00:00-07:00' });
      sim.state.addEvent({ Event_Title: 'Otto’s own', Start_DateTime: '2026-11-21T10:00:00+01:00', End_DateTime: '2026-11-21T11:00:00+01:00', Owner: { id: sim.state.users().find((u) => u.email === 'other@zillum.com')!.id } });
    },
  });
  ({ sim, app, server } = world);
});

afterAll(() => world?.stop());

describe('Zoho CRM, end to end', () => {
  it('the first pass made the CalDAV UID field and a notification channel to our webhook', () => {
    expect(sim.state.fields('Events').some((f) => f.field_label === 'CalDAV UID')).toBe(true);
    expect(sim.notifications.channels()).toHaveLength(1);
  });

  it('gives CalDAV access only to active Zoho users, then exports their own events of the window', async () => {
    const refused = await admin('POST', '/crm/v1/users', { email: 'stranger@zillum.com', caldavEnabled: true, generatePassword: true });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/not an active user of the CRM/);
    const made = await admin('POST', '/crm/v1/users', { email: PAT, caldavEnabled: true, generatePassword: true });
    expect(made.status).toBe(201);
    const { appPassword } = ((await made.json()) as { data: { appPassword: string } }).data;
    const user: TestUser = { email: PAT, password: appPassword, authorization: basic(PAT, appPassword) };
    phone = new DavClient(server.url, user);
    // The enable started the export in this process: wait until it says done.
    for (let i = 0; i < 100; i++) {
      const progress = ((await (await admin('GET', `/crm/v1/users/${PAT}/export`)).json()) as { data: { state: string } }).data;
      if (progress.state === 'done') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const objects = await app.store.getObjects(PAT, (await app.store.listObjects(PAT)).map((o) => o.name));
    expect(objects.map((o) => /SUMMARY:(.*)/.exec(o.ics)![1]!.trim()).sort()).toEqual(['In the window']);
  });

  it('a phone create reaches Zoho at once after the answer, with lead, contact, reminder and owner, once even when Zoho\'s answer is lost', async () => {
    lostAnswers = 1;
    const put = await phone.request('PUT', phone.paths.object('PH-1.ics'), {
      body: ics('PH-1', 'Pricing call', 'ATTENDEE;CN=Larry:mailto:larry@acme.example\r\nATTENDEE;CN=Carla:mailto:carla@acme.example\r\nATTENDEE:mailto:someone@else.example\r\nORGANIZER:mailto:patriciab@zillum.com'),
      headers: { 'if-none-match': '*' },
    });
    expect(put.status).toBe(201);
    await settle();
    const made = zohoEvents().filter((e) => e.Event_Title === 'Pricing call');
    expect(made).toHaveLength(1);
    expect(lostAnswers).toBeLessThan(0);
    expect(made[0]).toMatchObject({ Remind_At: [{ unit: 15, period: 'minutes' }], Owner: { email: PAT } });
    expect((made[0]!.Participants as Array<{ type: string }>).map((p) => p.type).sort()).toEqual(['contact', 'email', 'lead']);
    expect(await app.crm!.outbox.list()).toEqual([]);
  });

  it('a phone edit and delete reach Zoho; What_Id set in Zoho survives the phone\'s edit', async () => {
    const id = String(byTitle('Pricing call')!.id);
    sim.state.update('Events', id, { What_Id: { id: String(sim.state.records('Leads')[0]!.id) }, $se_module: 'Leads' });
    await settle();
    const current = await phone.request('GET', phone.paths.object('PH-1.ics'));
    const edited = current.text.replace('SUMMARY:Pricing call', 'SUMMARY:Pricing call (moved)');
    expect((await phone.request('PUT', phone.paths.object('PH-1.ics'), { body: edited, headers: { 'if-match': current.headers.get('etag')! } })).status).toBe(204);
    await settle();
    expect(sim.state.record('Events', id)).toMatchObject({ Event_Title: 'Pricing call (moved)', What_Id: { id: expect.any(String) } });
    expect((await phone.request('DELETE', phone.paths.object('PH-1.ics'))).status).toBe(204);
    await settle();
    expect(sim.state.record('Events', id)).toBeUndefined();
  });

  it('Zoho-side create, edit and delete reach the phone through the webhook', async () => {
    const made = sim.state.addEvent({ Event_Title: 'Made in Zoho', Start_DateTime: '2026-12-11T14:00:00-08:00', End_DateTime: '2026-12-11T15:00:00-08:00', Remind_At: [{ unit: 30, period: 'minutes' }] });
    await settle();
    const name = `crm-${String(made.id)}@crm-caldav.ics`;
    const first = await phone.request('GET', phone.paths.object(name));
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/SUMMARY:Made in Zoho/);
    expect(first.text).toMatch(/TRIGGER:-PT30M/);
    sim.state.update('Events', String(made.id), { Venue: 'Room 7' });
    await settle();
    expect((await phone.request('GET', phone.paths.object(name))).text).toMatch(/LOCATION:Room 7/);
    sim.state.remove('Events', String(made.id));
    await settle();
    expect((await phone.request('GET', phone.paths.object(name))).status).toBe(404);
  });

  it('a recurring phone event keeps its overridden instance on our side; Zoho holds the rule', async () => {
    const series = ics('PH-2', 'Standup', 'RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=4');
    const override = ['BEGIN:VEVENT', 'UID:PH-2', 'DTSTAMP:20261207T090000Z', 'RECURRENCE-ID;TZID=America/Los_Angeles:20261217T090000', 'DTSTART;TZID=America/Los_Angeles:20261217T110000', 'DTEND;TZID=America/Los_Angeles:20261217T120000', 'SUMMARY:Standup (moved)', 'END:VEVENT'].join('\r\n');
    const body = series.replace('END:VCALENDAR', `${override}\r\nEND:VCALENDAR`);
    expect((await phone.request('PUT', phone.paths.object('PH-2.ics'), { body })).status).toBe(201);
    await settle();
    expect((byTitle('Standup')!.Recurring_Activity as { RRULE: string }).RRULE).toMatch(/FREQ=WEEKLY/);
    // A Zoho edit of the series keeps the phone's override.
    sim.state.update('Events', String(byTitle('Standup')!.id), { Venue: 'Kitchen' });
    await settle();
    const back = (await phone.request('GET', phone.paths.object('PH-2.ics'))).text;
    expect(back).toMatch(/LOCATION:Kitchen/);
    expect(back).toMatch(/SUMMARY:Standup \(moved\)/);
  });

  it('a wrong webhook token gets 401 and changes nothing', async () => {
    const before = await app.store.getCalendar(PAT);
    const res = await fetch(new URL('/crm/zoho/notify', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel_id: '1', token: 'guess', module: 'Events', operation: 'insert', ids: [String(zohoEvents()[0]!.id)] }) });
    expect(res.status).toBe(401);
    expect(await app.store.getCalendar(PAT)).toEqual(before);
  });

  it('Zoho\'s errors never reach the phone: the change waits in the outbox with the reason, then arrives', async () => {
    sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'server-error', status: 503 }, 20);
    expect((await phone.request('PUT', phone.paths.object('PH-3.ics'), { body: ics('PH-3', 'During an outage') })).status).toBe(201);
    await settle();
    const status = await app.crm!.status(PAT);
    expect(status.users[0]?.lastError?.message).toMatch(/503|SERVICE_UNAVAILABLE/);
    sim.faults.clear();
    sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'malformed' }, 1);
    expect(await app.crm!.retry(PAT)).toMatchObject({ delivered: 1 });
    expect(zohoEvents().filter((e) => e.Event_Title === 'During an outage')).toHaveLength(1);
  });

  it('a field Zoho refuses keeps the change in the outbox with Zoho\'s code and field, never a phone error', async () => {
    sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'respond', status: 400, body: { data: [{ code: 'INVALID_DATA', status: 'error', message: 'invalid data', details: { api_name: 'Venue' } }] } }, 5);
    expect((await phone.request('PUT', phone.paths.object('PH-4.ics'), { body: ics('PH-4', 'Refused once', 'LOCATION:Somewhere') })).status).toBe(201);
    await settle();
    const waiting = (await app.crm!.status(PAT)).users[0];
    expect(waiting?.lastError?.message).toMatch(/Venue: Zoho refused POST Events: INVALID_DATA/);
    expect(zohoEvents().filter((e) => e.Event_Title === 'Refused once')).toEqual([]);
    // Once Zoho takes it (the admin fixed the field's rule), the replay delivers it.
    sim.faults.clear();
    expect(await app.crm!.retry(PAT)).toMatchObject({ delivered: 1 });
    expect(zohoEvents().filter((e) => e.Event_Title === 'Refused once')).toHaveLength(1);
  });

  it('a phone\'s polls, listings, reports and reads never call Zoho', async () => {
    // The previous test's delivery made Zoho notify us, and that reads: let it finish first.
    await settle();
    const calls = sim.calls().length;
    await phone.request('PROPFIND', phone.paths.calendar, { depth: '0', body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>' });
    await phone.request('PROPFIND', phone.paths.calendar, { depth: '1', body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>' });
    await phone.request('REPORT', phone.paths.calendar, { depth: '1', body: '<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>' });
    await phone.request('GET', phone.paths.object('PH-2.ics'));
    expect(sim.calls().length).toBe(calls);
  });
});
