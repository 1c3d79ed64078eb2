/**
 * The bridge end to end on DynamoDB Local behind the running local server: the phone's door is
 * real HTTP, the CRM's door is the connector plus the listener (as the CRM API calls them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import { uidForCrmId } from '../../lambda/crm/mapping';
import { hashPassword } from '../../lambda/accounts/passwords';
import { composeApp } from '../../lambda/app/app';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { DynamoOutbox } from '../../lambda/sync/outbox-dynamodb';
import type { CrmSync } from '../../lambda/sync/wiring';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { OLIVIA, draft, fixture, lineDiff, lines } from './harness';

const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const authorization = `Basic ${Buffer.from(`${OLIVIA.email}:${PASSWORD}`).toString('base64')}`;
const IOS_NAME = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C.ics';

let t: TestTables;
let server: LocalServer;
let crm: MemoryCrmConnector;
let bridge: CrmSync;
let store: DynamoCalendarStore;

const url = (name = '') => new URL(`calendars/${OLIVIA.email}/crm/${name}`, server.url).href;
const dav = (method: string, name: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
  fetch(url(name), { method, body: init.body, headers: { authorization, ...init.headers } });

async function syncCollection(token = '') {
  const body = `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const res = await dav('REPORT', '', { body, headers: { 'content-type': 'application/xml', depth: '1' } });
  expect(res.status).toBe(207);
  const text = await res.text();
  return { text, token: /<[^>]*sync-token>([^<]+)</.exec(text)?.[1] ?? '' };
}

beforeAll(async () => {
  t = await freshTables();
  const users = new DynamoUserStore(t.doc, t.tables.users);
  await users.putUser({ email: OLIVIA.email, passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), enabled: true, createdAt: '2024-01-01T00:00:00Z' });
  crm = new MemoryCrmConnector();
  crm.addUser(OLIVIA);
  crm.addPerson({ id: 'L1', module: 'Leads', First_Name: 'Larry', Last_Name: 'Lead', Email: 'larry@acme.example' });
  crm.addPerson({ id: 'C1', module: 'Contacts', First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' });
  store = new DynamoCalendarStore(t.doc, { events: t.tables.events, sync: t.tables.sync });
  const app = composeApp({ store, users, config: DEFAULT_CONFIG, bridge: { connector: crm, outbox: new DynamoOutbox(t.doc, t.tables.outbox), delivery: 'after-commit' } });
  bridge = app.crm!;
  server = await startLocalServer({ port: 0, app });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

describe('CRM bridge on DynamoDB Local through the local server', () => {
  it('phone PUT -> CRM event with linked lead and contact and the reminder', async () => {
    const res = await dav('PUT', IOS_NAME, { body: fixture('ios-event.ics'), headers: { 'content-type': 'text/calendar', 'if-none-match': '*' } });
    expect(res.status).toBe(201);
    const [ev] = await crm.listEvents(OLIVIA.email);
    expect(ev).toMatchObject({ Event_Title: 'Quarterly review with Acme', Remind_At: 15, caldav: { name: IOS_NAME } });
    expect(ev!.Participants.map((p) => [p.type, p.participant])).toEqual([['lead', 'L1'], ['contact', 'C1'], ['email', 'stranger@elsewhere.example']]);
  });

  it('CRM create -> appears through sync-collection, with ATTENDEEs and a VALARM on GET', async () => {
    const { token } = await syncCollection();
    const ev = await crm.upsertEvent(
      draft(OLIVIA, {
        Participants: [{ type: 'lead', participant: 'L1', Email: 'larry@acme.example', name: 'Larry Lead' }],
        Remind_At: 20,
      }),
    );
    await bridge.listener.eventSaved(ev, null);
    const name = `${uidForCrmId(ev.id)}.ics`;
    const changes = await syncCollection(token);
    expect(changes.text).toContain(`/calendars/${OLIVIA.email}/crm/${encodeURIComponent(name).replace(/%40/g, '@')}`);
    const got = await dav('GET', name);
    expect(got.status).toBe(200);
    const l = lines(await got.text());
    expect(l.some((x) => /^ATTENDEE;CN=Larry Lead;.*:mailto:larry@acme.example$/.test(x))).toBe(true);
    expect(l).toContain('TRIGGER:-PT20M');
    // The listener wrote to the plain store: the CRM event was not written a second time.
    expect((await crm.getEvent(ev.id))!.Modified_Time).toBe(ev.Modified_Time);
  });

  it('a CRM outage during a phone PUT loses nothing: 204, outbox item in DynamoDB, retry delivers once', async () => {
    const current = (await store.getObject(OLIVIA.email, IOS_NAME))!;
    crm.available = false;
    const edited = current.ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Edited during the outage');
    const res = await dav('PUT', IOS_NAME, { body: edited, headers: { 'content-type': 'text/calendar', 'if-match': current.etag } });
    expect(res.status).toBe(204);
    expect((await store.getObject(OLIVIA.email, IOS_NAME))!.ics).toBe(edited);
    expect(await bridge.status()).toMatchObject({ pending: 1, users: [{ owner: OLIVIA.email, pending: 1 }] });
    crm.available = true;
    expect(await bridge.retry()).toEqual({ delivered: 1, failed: 0, superseded: 0 });
    expect(await bridge.retry()).toEqual({ delivered: 0, failed: 0, superseded: 0 });
    const events = await crm.listEvents(OLIVIA.email);
    expect(events.filter((e) => e.Event_Title === 'Edited during the outage')).toHaveLength(1);
    expect((await bridge.status()).pending).toBe(0);
  });

  it('phone DELETE -> CRM event deleted', async () => {
    expect((await dav('DELETE', IOS_NAME)).status).toBe(204);
    expect((await crm.listEvents(OLIVIA.email)).map((e) => e.caldav?.name)).not.toContain(IOS_NAME);
  });

  it('iOS event: three alarms, attendee removal and a CRM edit, byte-for-byte stable elsewhere', async () => {
    const name = 'ios-2.ics';
    const ics = fixture('ios-event.ics').replace(/UID:7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C/, 'UID:IOS-2');
    expect((await dav('PUT', name, { body: ics, headers: { 'content-type': 'text/calendar' } })).status).toBe(201);
    const ev = (await crm.findEventByUid(OLIVIA.email, 'IOS-2'))!;
    expect(ev.Remind_At).toBe(15);
    const saved = await crm.upsertEvent({ ...ev, Event_Title: 'Renamed in the CRM', Remind_At: 30, Participants: ev.Participants.filter((p) => p.type !== 'lead') });
    await bridge.listener.eventSaved(saved, ev);
    const got = await (await dav('GET', name)).text();
    // Scheduling marks each invitee it could not reach (e-mail is off here: SCHEDULE-STATUS 5.3, RFC 6638 §3.2.9).
    expect(lines(got).filter((l) => l.startsWith('ATTENDEE') && !l.includes(OLIVIA.email)).every((l) => l.includes(';SCHEDULE-STATUS=5.3'))).toBe(true);
    const diff = lineDiff(ics, got.replace(/\r\n[ \t]/g, '').replace(/;SCHEDULE-STATUS=5\.3/g, ''));
    expect(diff.added.filter((l) => !/^(DTSTAMP|LAST-MODIFIED):/.test(l))).toEqual(['SUMMARY:Renamed in the CRM', 'TRIGGER:-PT30M']);
    expect(diff.removed.filter((l) => !/^(DTSTAMP|LAST-MODIFIED):/.test(l))).toEqual([
      'SUMMARY:Quarterly review with Acme',
      expect.stringMatching(/^ATTENDEE;CN=Larry Lead;/),
      'TRIGGER:-PT15M',
    ]);
    expect(lines(got).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(3);
    // The phone removes Carla: the CRM follows.
    const withoutCarla = got.replace(/ATTENDEE;CN="Carla Contact, CFO"[^\r]*\r\n(?: [^\r]*\r\n)*/, '');
    expect((await dav('PUT', name, { body: withoutCarla, headers: { 'content-type': 'text/calendar' } })).status).toBe(204);
    expect((await crm.findEventByUid(OLIVIA.email, 'IOS-2'))!.Participants.map((p) => p.Email)).toEqual(['stranger@elsewhere.example']);
  });

  it('recurrence with an overridden instance both ways', async () => {
    const name = 'standup.ics';
    expect((await dav('PUT', name, { body: fixture('recurring-override.ics'), headers: { 'content-type': 'text/calendar' } })).status).toBe(201);
    const ev = (await crm.findEventByUid(OLIVIA.email, '5D6E7F80-1A2B-4C3D-8E9F-0A1B2C3D4E5F'))!;
    expect(ev.Recurring_Activity?.RRULE).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=10');
    expect(ev.Recurrence_Exceptions.map((x) => x.Recurrence_Id)).toEqual(['2024-03-18T09:00:00+01:00']);
    const saved = await crm.upsertEvent({ ...ev, Recurrence_Exceptions: [...ev.Recurrence_Exceptions, { Recurrence_Id: '2024-04-01T09:00:00+02:00', Venue: 'Roof terrace' }] });
    await bridge.listener.eventSaved(saved, ev);
    const l = lines(await (await dav('GET', name)).text());
    expect(l.filter((x) => x.startsWith('RECURRENCE-ID'))).toEqual(['RECURRENCE-ID;TZID=Europe/Berlin:20240318T090000', 'RECURRENCE-ID;TZID=Europe/Berlin:20240401T090000']);
    expect(l).toContain('LOCATION:Roof terrace');
  });
});
