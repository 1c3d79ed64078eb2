/**
 * One CrmConnector contract: every connector the bridge talks to must pass it, so the bridge
 * cannot tell them apart on anything it relies on (run by crm/builtin/contract.test.ts on the
 * memory and built-in CRMs, and by crm/zoho/contract.test.ts on Zoho, simulated).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmConflict, CrmNotFound, type CrmConnector, type CrmEvent, type CrmPerson, type PersonModule } from '../../lambda/crm/types';
import { OLIVIA, UMA, draft } from './builtin/helpers';

export interface ContractSubject {
  crm: CrmConnector;
  /** Adds a lead or contact; returns its id. */
  addPerson(module: PersonModule, person: Omit<CrmPerson, 'id' | 'module'>): Promise<string>;
  drop(): Promise<void>;
}

/** The users every subject has: their e-mails, names and zones. */
export const CONTRACT_USERS = [
  { email: OLIVIA, name: 'Olivia Owner', timeZone: 'Europe/Berlin' },
  { email: UMA, name: 'Uma User', timeZone: 'America/New_York' },
];

/** Pages the feed from `cursor` to its end: latest state per id, and where to resume. */
async function drain(crm: CrmConnector, cursor: string | null) {
  const events = new Map<string, CrmEvent>();
  const deleted = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const batch = await crm.listChangesSince(cursor);
    cursor = batch.nextCursor;
    if (batch.events.length === 0 && batch.deletedIds.length === 0) return { events, deleted, cursor };
    for (const e of batch.events) {
      events.set(e.id, e);
      deleted.delete(e.id);
    }
    for (const id of batch.deletedIds) {
      deleted.add(id);
      events.delete(id);
    }
  }
  throw new Error('the change feed never ended');
}

export function crmConnectorContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`CrmConnector contract: ${name}`, () => {
    let s: ContractSubject;
    beforeAll(async () => {
      s = await make();
    });
    afterAll(async () => {
      await s?.drop();
    });

    it('creates with an id and timestamps, and reads back what it returned', async () => {
      const created = await s.crm.upsertEvent(draft({ caldav: { uid: 'uid-create', name: 'uid-create.ics', ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' } }));
      expect(created.id).toMatch(/\S/);
      expect(created.Deleted).toBe(false);
      expect(created.Created_Time).toBe(created.Modified_Time);
      expect(created.caldav).toEqual({ uid: 'uid-create', name: 'uid-create.ics', ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' });
      expect(await s.crm.getEvent(created.id)).toEqual(created);
      expect(await s.crm.getEvent('no-such-event')).toBeNull();
    });

    it('keeps Created_Time, strictly advances Modified_Time and honours ifModified', async () => {
      const a = await s.crm.upsertEvent(draft());
      const b = await s.crm.upsertEvent({ ...a, Event_Title: 'B' }, { ifModified: a.Modified_Time });
      expect(b.Created_Time).toBe(a.Created_Time);
      expect(b.Modified_Time > a.Modified_Time).toBe(true);
      const stale = s.crm.upsertEvent({ ...a, Event_Title: 'stale' }, { ifModified: a.Modified_Time });
      await expect(stale).rejects.toBeInstanceOf(CrmConflict);
      await expect(stale).rejects.toMatchObject({ current: { id: a.id, Modified_Time: b.Modified_Time } });
      expect((await s.crm.getEvent(a.id))?.Event_Title).toBe('B');
    });

    it('a record handed as `current` that has changed since still conflicts: nothing is overwritten', async () => {
      const a = await s.crm.upsertEvent(draft());
      const b = await s.crm.upsertEvent({ ...a, Event_Title: 'B' }, { ifModified: a.Modified_Time, current: a });
      const stale = s.crm.upsertEvent({ ...a, Event_Title: 'stale' }, { ifModified: a.Modified_Time, current: a });
      await expect(stale).rejects.toBeInstanceOf(CrmConflict);
      expect((await s.crm.getEvent(a.id))?.Modified_Time).toBe(b.Modified_Time);
      expect((await s.crm.getEvent(a.id))?.Event_Title).toBe('B');
    });

    it('soft-deletes: gone from lists and UID lookup, still readable as Deleted, guarded by ifModified', async () => {
      const e = await s.crm.upsertEvent(draft({ caldav: { uid: 'uid-del' } }));
      await expect(s.crm.deleteEvent(e.id, { ifModified: '2000-01-01T00:00:00.000Z' })).rejects.toBeInstanceOf(CrmConflict);
      expect((await s.crm.getEvent(e.id))?.Deleted).toBe(false);
      await s.crm.deleteEvent(e.id, { ifModified: e.Modified_Time });
      const gone = await s.crm.getEvent(e.id);
      expect(gone).toMatchObject({ id: e.id, Deleted: true });
      expect(gone!.Modified_Time > e.Modified_Time).toBe(true);
      expect((await s.crm.listEvents(OLIVIA)).map((x) => x.id)).not.toContain(e.id);
      expect(await s.crm.findEventByUid(OLIVIA, 'uid-del')).toBeNull();
      await expect(s.crm.deleteEvent(e.id)).rejects.toBeInstanceOf(CrmNotFound);
      await expect(s.crm.deleteEvent('no-such-event')).rejects.toBeInstanceOf(CrmNotFound);
    });

    it('finds an event by owner (any case) and UID, never another owner\'s', async () => {
      const e = await s.crm.upsertEvent(draft({ caldav: { uid: 'uid-find' } }));
      expect((await s.crm.findEventByUid('OLIVIA@crm.example', 'uid-find'))?.id).toBe(e.id);
      expect(await s.crm.findEventByUid(UMA, 'uid-find')).toBeNull();
    });

    it('lists an owner\'s live events overlapping a range; a recurring series counts while it runs', async () => {
      const owner = { id: UMA, email: UMA, name: 'Uma User' };
      const may = await s.crm.upsertEvent(draft({ Owner: owner, Start_DateTime: '2024-05-06T10:00:00-04:00', End_DateTime: '2024-05-06T11:00:00-04:00' }));
      const june = await s.crm.upsertEvent(draft({ Owner: owner, Start_DateTime: '2024-06-03T10:00:00-04:00', End_DateTime: '2024-06-03T11:00:00-04:00' }));
      const weekly = await s.crm.upsertEvent(
        draft({ Owner: owner, Start_DateTime: '2024-01-01T09:00:00-05:00', End_DateTime: '2024-01-01T09:30:00-05:00', Recurring_Activity: { RRULE: 'FREQ=WEEKLY;BYDAY=MO' } }),
      );
      const ids = async (from?: string, to?: string) => (await s.crm.listEvents(UMA, { from, to })).map((e) => e.id).sort();
      expect(await ids()).toEqual([may.id, june.id, weekly.id].sort());
      expect(await ids('2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z')).toEqual([may.id, weekly.id].sort());
      expect(await ids('2024-06-01T00:00:00Z')).toEqual([june.id, weekly.id].sort());
      expect(await ids(undefined, '2023-12-01T00:00:00Z')).toEqual([]);
      expect((await s.crm.listEvents('Uma@CRM.example')).length).toBe(3);
    });

    it('feeds every write after a cursor: creates and updates as their latest state, deletes as ids', async () => {
      const { cursor } = await drain(s.crm, null);
      const a = await s.crm.upsertEvent(draft({ Event_Title: 'feed A' }));
      const b = await s.crm.upsertEvent(draft({ Event_Title: 'feed B' }));
      await s.crm.upsertEvent({ ...a, Event_Title: 'feed A2' });
      await s.crm.deleteEvent(b.id);
      const after = await drain(s.crm, cursor);
      expect([...after.events.keys()]).toEqual([a.id]);
      expect(after.events.get(a.id)?.Event_Title).toBe('feed A2');
      expect([...after.deleted]).toEqual([b.id]);
      expect((await drain(s.crm, after.cursor)).events.size).toBe(0);
      // From the beginning, the whole history folds to the current state.
      const all = await drain(s.crm, null);
      expect(all.events.get(a.id)?.Event_Title).toBe('feed A2');
      expect(all.deleted.has(b.id)).toBe(true);
    });

    it('reads several events at once: soft-deleted ones too, unknown ids skipped', async () => {
      const a = await s.crm.upsertEvent(draft({ Event_Title: 'batch A' }));
      const b = await s.crm.upsertEvent(draft({ Event_Title: 'batch B' }));
      await s.crm.deleteEvent(b.id);
      const got = await s.crm.getEvents([b.id, 'no-such-event', a.id]);
      expect(got.map((e) => [e.id, e.Deleted]).sort()).toEqual([[a.id, false], [b.id, true]].sort());
      expect(await s.crm.getEvents([])).toEqual([]);
    });

    it('hands out a latest cursor after which only later writes are fed', async () => {
      await s.crm.upsertEvent(draft({ Event_Title: 'history' }));
      const latest = await s.crm.latestCursor();
      expect((await drain(s.crm, latest)).events.size).toBe(0);
      const later = await s.crm.upsertEvent(draft({ Event_Title: 'after the cursor' }));
      expect([...(await drain(s.crm, latest)).events.keys()]).toEqual([later.id]);
    });

    it('matches a person by e-mail, any case, lead before contact before user, Secondary_Email too', async () => {
      const lead = await s.addPerson('Leads', { First_Name: 'Larry', Last_Name: 'Lead', Email: 'Shared@Acme.example', Company: 'Acme' });
      const contact = await s.addPerson('Contacts', { First_Name: 'Carla', Last_Name: 'Contact', Email: 'shared@acme.example', Secondary_Email: 'carla.alt@acme.example' });
      expect(await s.crm.findPersonByEmail('SHARED@acme.example')).toMatchObject({ type: 'lead', id: lead, name: 'Larry Lead' });
      expect(await s.crm.findPersonByEmail('Carla.Alt@acme.example')).toMatchObject({ type: 'contact', id: contact });
      expect(await s.crm.findPersonByEmail('Uma@crm.example')).toMatchObject({ type: 'user', email: UMA, name: 'Uma User' });
      expect(await s.crm.findPersonByEmail('nobody@nowhere.example')).toBeNull();
    });

    it('reads users by e-mail in any case', async () => {
      expect(await s.crm.getUser('OLIVIA@CRM.EXAMPLE')).toMatchObject({ email: OLIVIA, name: 'Olivia Owner', timeZone: 'Europe/Berlin' });
      expect(await s.crm.getUser('nobody@crm.example')).toBeNull();
    });
  });
}
