/**
 * Phone -> CRM behaviour, one suite over every path a phone write takes to a CRM: pushed after
 * the commit (memory store and CRM), committed in the calendar's transaction (the built-in CRM on
 * DynamoDB Local), outbox-first (a memory CRM behind the outbox, on DynamoDB Local), and Zoho
 * (the connector against the Zoho simulator, outbox-first). The paths differ in how they read and
 * write, never in what they decide (crm/phone-change.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../lambda/accounts/passwords';
import { composeApp, type App } from '../../lambda/app/app';
import { buildApp } from '../../lambda/app/build';
import { DavError } from '../../lambda/core/errors';
import { deleteMethod } from '../../lambda/core/methods/delete';
import { put } from '../../lambda/core/methods/put';
import { errorResponse } from '../../lambda/core/responses';
import { DEFAULT_CONFIG, type CoreMethod, type DavContext } from '../../lambda/core/types';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import type { CrmEvent } from '../../lambda/crm/types';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import type { StoredObject } from '../../lambda/store/types';
import { DynamoOutbox } from '../../lambda/sync/outbox-dynamodb';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { startZohoSimulator } from '../../bin/zoho-sim/index';
import { OLIVIA, fixture, makeWorld } from './harness';

const IOS_UID = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C';
const IOS_NAME = `${IOS_UID}.ics`;

interface PathWorld {
  put(name: string, ics: string, headers?: Record<string, string>): Promise<number>;
  del(name: string): Promise<number>;
  stored(name: string): Promise<StoredObject | null>;
  /** Olivia's live CRM events. */
  events(): Promise<CrmEvent[]>;
  event(id: string): Promise<CrmEvent | null>;
  /** Ids of the lead (larry@acme.example) and the contact (carla@acme.example). */
  people: { larry: string; carla: string };
  /** A CRM user edits the event (as the CRM API does: write, then the listener). */
  crmEdit(id: string, change: Partial<CrmEvent>): Promise<void>;
  pending(): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Core's PUT and DELETE with the App's hook, as the handlers call them; deliveries awaited. */
function phoneOf(app: App, settle: () => Promise<void>) {
  const ctx: DavContext = { user: { email: OLIVIA.email }, store: app.store, config: DEFAULT_CONFIG, now: app.now, onObjectChange: app.onObjectChange };
  const call = async (method: CoreMethod, req: { method: string; path: string; headers?: Record<string, string>; body?: string }) => {
    try {
      return (await method({ headers: {}, body: '', ...req }, ctx)).status;
    } catch (err) {
      if (err instanceof DavError) return errorResponse(err).status;
      throw err;
    } finally {
      await settle();
    }
  };
  const path = (name: string) => `/calendars/${OLIVIA.email}/crm/${name}`;
  return {
    put: (name: string, ics: string, headers: Record<string, string> = {}) => call(put, { method: 'PUT', path: path(name), body: ics, headers: { 'content-type': 'text/calendar', ...headers } }),
    del: (name: string) => call(deleteMethod, { method: 'DELETE', path: path(name) }),
    stored: (name: string) => app.store.getObject(OLIVIA.email, name),
  };
}

async function oliviaAccount(t: TestTables) {
  const users = new DynamoUserStore(t.doc, t.tables.users);
  await users.putUser({ email: OLIVIA.email, name: OLIVIA.name, timeZone: OLIVIA.timeZone, passwordHash: await hashPassword('olivia-pw-0123', { N: 1024, r: 8, p: 1 }), enabled: true, createdAt: '2024-01-01T00:00:00Z', enabledAt: '2024-01-01T00:00:00Z' });
  return users;
}

function memoryPeople(crm: MemoryCrmConnector) {
  crm.addPerson({ id: 'L1', module: 'Leads', First_Name: 'Larry', Last_Name: 'Lead', Email: 'larry@acme.example' });
  crm.addPerson({ id: 'C1', module: 'Contacts', First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' });
  return { larry: 'L1', carla: 'C1' };
}

const PATHS: Array<[string, () => Promise<PathWorld>]> = [
  [
    'after the commit (memory store and CRM)',
    async () => {
      const w = makeWorld();
      return {
        put: async (name, ics, headers) => (await w.phone.put(name, ics, headers)).status,
        del: async (name) => (await w.phone.delete(name)).status,
        stored: (name) => w.phone.get(name),
        events: () => w.crm.listEvents(OLIVIA.email),
        event: (id) => w.crm.getEvent(id),
        people: { larry: 'L1', carla: 'C1' },
        crmEdit: async (id, change) => void (await w.api.save({ ...(await w.crm.getEvent(id))!, ...change })),
        pending: () => w.outbox.list(),
        close: async () => {},
      };
    },
  ],
  [
    "in the calendar's transaction (the built-in CRM on DynamoDB)",
    async () => {
      const t = await freshTables();
      const users = await oliviaAccount(t);
      const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users });
      const store = new DynamoCalendarStore(t.doc, { events: t.tables.events, sync: t.tables.sync }, { participant: crm.participant() });
      const app = composeApp({ config: DEFAULT_CONFIG, users, store, bridge: { connector: crm, outbox: new DynamoOutbox(t.doc, t.tables.outbox), delivery: 'in-transaction' } });
      const larry = await crm.savePerson({ module: 'Leads', First_Name: 'Larry', Last_Name: 'Lead', Email: 'larry@acme.example' });
      const carla = await crm.savePerson({ module: 'Contacts', First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' });
      return {
        ...phoneOf(app, async () => {}),
        events: () => crm.listEvents(OLIVIA.email),
        event: (id) => crm.getEvent(id),
        people: { larry: larry.id, carla: carla.id },
        crmEdit: async (id, change) => {
          const before = (await crm.getEvent(id))!;
          await app.crm!.listener.eventSaved(await crm.upsertEvent({ ...before, ...change }), before);
        },
        pending: () => app.crm!.outbox.list(),
        close: () => t.drop(),
      };
    },
  ],
  [
    'outbox-first (a CRM elsewhere, on DynamoDB)',
    async () => {
      const t = await freshTables();
      await oliviaAccount(t);
      const crm = new MemoryCrmConnector();
      crm.addUser(OLIVIA);
      const people = memoryPeople(crm);
      const app = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: t.doc, tables: t.tables, hostedCrm: crm, retryDelaysMs: [10] });
      return {
        ...phoneOf(app, () => app.crm!.idle()),
        events: () => crm.listEvents(OLIVIA.email),
        event: (id) => crm.getEvent(id),
        people,
        crmEdit: async (id, change) => {
          const before = (await crm.getEvent(id))!;
          await app.crm!.listener.eventSaved(await crm.upsertEvent({ ...before, ...change }), before);
        },
        pending: () => app.crm!.outbox.list(),
        close: () => t.drop(),
      };
    },
  ],
  [
    'Zoho (simulated), outbox-first',
    async () => {
      const t = await freshTables();
      await oliviaAccount(t);
      const sim = await startZohoSimulator({ searchIndexDelayMs: 0 });
      sim.state.addUser({ email: OLIVIA.email, firstName: 'Olivia', lastName: 'Owner', timeZone: OLIVIA.timeZone });
      const larry = sim.state.addLead({ First_Name: 'Larry', Last_Name: 'Lead', Email: 'larry@acme.example', Company: 'Acme' });
      const carla = sim.state.addContact({ First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' });
      const env = { ...t.env, ...sim.connectorEnv() };
      const app = buildApp({ env, doc: t.doc, tables: t.tables, retryDelaysMs: [10] });
      const crm = app.crm!.connector;
      return {
        ...phoneOf(app, () => app.crm!.idle()),
        events: () => crm.listEvents(OLIVIA.email),
        event: (id) => crm.getEvent(id),
        people: { larry: String(larry.id), carla: String(carla.id) },
        crmEdit: async (id, change) => {
          const before = (await crm.getEvent(id))!;
          await app.crm!.listener.eventSaved(await crm.upsertEvent({ ...before, ...change }, { ifModified: before.Modified_Time }), before);
        },
        pending: () => app.crm!.outbox.list(),
        close: async () => {
          await sim.stop();
          await t.drop();
        },
      };
    },
  ],
];

describe.each(PATHS)('phone -> CRM, %s', (_label, open) => {
  let w: PathWorld;
  beforeAll(async () => {
    w = await open();
  });
  afterAll(() => w.close());
  let n = 0;
  /** A fresh object per test: the world is shared by the file. */
  const fresh = () => {
    const uid = `${IOS_UID.slice(0, 30)}${String(++n).padStart(6, '0')}`;
    return { uid, name: `${uid}.ics`, ics: fixture('ios-event.ics').replaceAll(IOS_UID, uid) };
  };
  const byUid = async (uid: string) => (await w.events()).find((e) => e.caldav?.uid === uid);

  it('a PUT makes the CRM event: linked lead and contact, bare e-mail, reminder, owner, link', async () => {
    const o = fresh();
    expect(await w.put(o.name, o.ics, { 'if-none-match': '*' })).toBe(201);
    const ev = (await byUid(o.uid))!;
    expect(ev).toMatchObject({
      Event_Title: 'Quarterly review with Acme',
      Start_DateTime: '2024-04-10T10:00:00-07:00',
      End_DateTime: '2024-04-10T11:00:00-07:00',
      Remind_At: 15,
      Owner: { email: OLIVIA.email },
      caldav: { uid: o.uid, name: o.name, ics: o.ics },
    });
    expect(ev.Participants).toEqual([
      expect.objectContaining({ type: 'lead', participant: w.people.larry, Email: expect.stringMatching(/^larry@acme\.example$/i) }),
      expect.objectContaining({ type: 'contact', participant: w.people.carla, Email: 'carla@acme.example' }),
      expect.objectContaining({ type: 'email', participant: 'stranger@elsewhere.example', status: 'TENTATIVE' }),
    ]);
    expect(await w.pending()).toEqual([]);
  });

  it('an update changes the same CRM event; an identical re-PUT writes nothing to the CRM', async () => {
    const o = fresh();
    await w.put(o.name, o.ics);
    const first = (await byUid(o.uid))!;
    await w.put(o.name, o.ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Q2 review'));
    const second = (await byUid(o.uid))!;
    expect(second.id).toBe(first.id);
    expect(second.Event_Title).toBe('Q2 review');
    await w.put(o.name, (await w.stored(o.name))!.ics);
    expect((await w.event(first.id))!.Modified_Time).toBe(second.Modified_Time);
  });

  it('a DELETE deletes the CRM event', async () => {
    const o = fresh();
    await w.put(o.name, o.ics);
    const { id } = (await byUid(o.uid))!;
    expect(await w.del(o.name)).toBe(204);
    expect(await byUid(o.uid)).toBeUndefined();
    const after = await w.event(id);
    expect(after === null || after.Deleted).toBe(true);
  });

  it('an attendee removed on the phone leaves the CRM participants', async () => {
    const o = fresh();
    await w.put(o.name, o.ics);
    const withoutCarla = o.ics.replace(/ATTENDEE;CN="Carla Contact, CFO"[^\r]*\r\n(?: [^\r]*\r\n)*/, '');
    expect(withoutCarla).not.toBe(o.ics);
    await w.put(o.name, withoutCarla);
    expect((await byUid(o.uid))!.Participants.map((p) => p.participant)).toEqual([w.people.larry, 'stranger@elsewhere.example']);
  });

  it('recurrence with an overridden instance reaches the CRM', async () => {
    const text = fixture('recurring-override.ics');
    const uid = /^UID:(.*)$/m.exec(text)![1]!.trim();
    await w.put('standup.ics', text);
    const ev = (await byUid(uid))!;
    expect(ev.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10', EXDATE: ['2024-03-11T09:00:00+01:00'] });
    expect(ev.Recurrence_Exceptions).toEqual([
      expect.objectContaining({ Recurrence_Id: '2024-03-18T09:00:00+01:00', Event_Title: 'Team standup (moved)', Start_DateTime: '2024-03-18T10:00:00+01:00', Venue: 'Room 4' }),
    ]);
    expect(ev.Remind_At).toBe(5);
  });

  it('a reminder cleared in the CRM stays cleared: its alarm leaves the phone, the others stay, a later phone edit promotes none', async () => {
    const o = fresh();
    const alarm = (uid: string, trigger: string) => `BEGIN:VALARM\r\nX-WR-ALARMUID:${uid}\r\nUID:${uid}\r\nTRIGGER:${trigger}\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\n`;
    const three = o.ics.replace(/BEGIN:VALARM[\s\S]*END:VALARM\r\n/, alarm('AL-20', '-PT20M') + alarm('AL-5', '-PT5M') + alarm('AL-1D', '-P1D'));
    expect(three.match(/BEGIN:VALARM/g)).toHaveLength(3);
    await w.put(o.name, three);
    const ev = (await byUid(o.uid))!;
    expect(ev.Remind_At).toBe(20);
    await w.crmEdit(ev.id, { Remind_At: null });
    const onPhone = (await w.stored(o.name))!.ics;
    expect(onPhone.match(/^TRIGGER:.*$/gm)).toEqual(['TRIGGER:-PT5M', 'TRIGGER:-P1D']);
    // The next phone edit is unrelated (a new title): the CRM keeps no reminder.
    await w.put(o.name, onPhone.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Renamed on the phone'));
    expect(await w.event(ev.id)).toMatchObject({ Event_Title: 'Renamed on the phone', Remind_At: null });
    expect((await w.stored(o.name))!.ics.match(/^TRIGGER:.*$/gm)).toEqual(['TRIGGER:-PT5M', 'TRIGGER:-P1D']);
    // A new first alarm added on the phone while the CRM has none sets one, as before.
    const added = (await w.stored(o.name))!.ics.replace('BEGIN:VALARM', `${alarm('AL-10', '-PT10M')}BEGIN:VALARM`);
    await w.put(o.name, added);
    expect((await w.event(ev.id))!.Remind_At).toBe(10);
  });
});

describe('phone -> CRM, a calendar owner who is not a CRM user', () => {
  it('has the object stored without CRM writes or outbox entries', async () => {
    const w = makeWorld();
    expect((await w.phone.put(IOS_NAME, fixture('ios-event.ics'), {}, 'someone@else.example')).status).toBe(201);
    expect(w.crm.calls).not.toContain('upsertEvent');
    expect(await w.outbox.list()).toEqual([]);
  });
});
