import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltinCrm } from '../../../lambda/crm/builtin';
import { CrmConflict, CrmNotFound, CrmValidationError } from '../../../lambda/crm/types';
import { freshTables, type TestTables } from '../../helpers/dynamo';
import { OLIVIA, UMA, builtinOn, draft } from './helpers';

let t: TestTables;
let crm: BuiltinCrm;
beforeAll(async () => {
  t = await freshTables();
  ({ crm } = await builtinOn(t));
});
afterAll(async () => {
  await t?.drop();
});

describe('upsert and read', () => {
  it('creates with an id, timestamps and the owner as stored in the users table', async () => {
    const created = await crm.upsertEvent(draft({ Owner: { id: 'x', email: 'OLIVIA@crm.example', name: 'whatever' } }));
    expect(created.id).toMatch(/\S+/);
    expect(created.Owner).toEqual({ id: OLIVIA, email: OLIVIA, name: 'Olivia Owner' });
    expect(created.Created_Time).toBe(created.Modified_Time);
    expect(created.Deleted).toBe(false);
    expect(await crm.getEvent(created.id)).toEqual(created);
  });

  it('keeps Created_Time and strictly advances Modified_Time on each update', async () => {
    const a = await crm.upsertEvent(draft());
    const b = await crm.upsertEvent({ ...a, Event_Title: 'Renamed' });
    const c = await crm.upsertEvent({ ...b, Venue: 'Room 1' });
    expect(b.Created_Time).toBe(a.Created_Time);
    expect(b.Modified_Time > a.Modified_Time).toBe(true);
    expect(c.Modified_Time > b.Modified_Time).toBe(true);
    expect((await crm.getEvent(a.id))?.Venue).toBe('Room 1');
  });

  it('creates under a caller-chosen id', async () => {
    const e = await crm.upsertEvent(draft({ id: 'chosen-1' }));
    expect(e.id).toBe('chosen-1');
    expect((await crm.getEvent('chosen-1'))?.Event_Title).toBe('Pipeline review');
  });

  it('answers null for an unknown id', async () => {
    expect(await crm.getEvent('nope')).toBeNull();
  });

  it('refuses an owner who is not a CRM user, and invalid fields, writing nothing', async () => {
    const before = await crm.listChangesSince(null);
    await expect(crm.upsertEvent(draft({ id: 'bad-1', Owner: { id: 'z', email: 'zed@nowhere.example', name: 'Z' } }))).rejects.toMatchObject({ field: 'Owner' });
    await expect(crm.upsertEvent(draft({ id: 'bad-2', End_DateTime: '2024-05-06T09:00:00+02:00' }))).rejects.toMatchObject({ field: 'End_DateTime' });
    await expect(crm.upsertEvent(draft({ id: 'bad-3', Recurring_Activity: { RRULE: 'FREQ=SOMETIMES' } }))).rejects.toBeInstanceOf(CrmValidationError);
    await expect(crm.upsertEvent(draft({ id: 'bad-4', Participants: [{ type: 'email', participant: 'x', Email: 'not-an-email' }] }))).rejects.toMatchObject({ field: 'Participants[0].Email' });
    for (const id of ['bad-1', 'bad-2', 'bad-3', 'bad-4']) expect(await crm.getEvent(id)).toBeNull();
    const after = await crm.listChangesSince(before.nextCursor);
    expect(after.events).toEqual([]);
  });
});

describe('optimistic concurrency', () => {
  it('applies a write whose ifModified is current and refuses a stale one with the current record', async () => {
    const a = await crm.upsertEvent(draft());
    const b = await crm.upsertEvent({ ...a, Event_Title: 'first' }, { ifModified: a.Modified_Time });
    const stale = crm.upsertEvent({ ...a, Event_Title: 'second' }, { ifModified: a.Modified_Time });
    await expect(stale).rejects.toBeInstanceOf(CrmConflict);
    await expect(stale).rejects.toMatchObject({ current: { Event_Title: 'first', Modified_Time: b.Modified_Time } });
    expect((await crm.getEvent(a.id))?.Event_Title).toBe('first');
  });

  it('refuses ifModified on an event that does not exist', async () => {
    await expect(crm.upsertEvent(draft({ id: 'ghost' }), { ifModified: '2024-01-01T00:00:00.000Z' })).rejects.toBeInstanceOf(CrmConflict);
  });

  it('lets exactly one of many racing conditional writers win', async () => {
    const a = await crm.upsertEvent(draft());
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => crm.upsertEvent({ ...a, Event_Title: `racer ${i}` }, { ifModified: a.Modified_Time })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CrmConflict);
    expect((await crm.getEvent(a.id))?.Event_Title).toBe((won[0] as PromiseFulfilledResult<{ Event_Title: string }>).value.Event_Title);
  });

  it('checks deletes too', async () => {
    const a = await crm.upsertEvent(draft());
    await crm.upsertEvent({ ...a, Venue: 'x' });
    await expect(crm.deleteEvent(a.id, { ifModified: a.Modified_Time })).rejects.toBeInstanceOf(CrmConflict);
    expect((await crm.getEvent(a.id))?.Deleted).toBe(false);
  });
});

describe('soft delete', () => {
  it('marks the record, hides it from listings and UID lookup, and refuses a second delete', async () => {
    const a = await crm.upsertEvent(draft({ caldav: { uid: 'soft-1', name: 'soft-1.ics' } }));
    await crm.deleteEvent(a.id);
    const after = (await crm.getEvent(a.id))!;
    expect(after).toMatchObject({ id: a.id, Deleted: true });
    expect(after.Modified_Time > a.Modified_Time).toBe(true);
    expect((await crm.getEvent(a.id))?.Deleted).toBe(true);
    expect((await crm.listEvents(OLIVIA)).map((e) => e.id)).not.toContain(a.id);
    expect(await crm.findEventByUid(OLIVIA, 'soft-1')).toBeNull();
    await expect(crm.deleteEvent(a.id)).rejects.toBeInstanceOf(CrmNotFound);
    await expect(crm.deleteEvent('never-existed')).rejects.toBeInstanceOf(CrmNotFound);
  });

  it('frees the UID for a new event', async () => {
    const a = await crm.upsertEvent(draft({ caldav: { uid: 'soft-2' } }));
    await crm.deleteEvent(a.id);
    const b = await crm.upsertEvent(draft({ caldav: { uid: 'soft-2' } }));
    expect((await crm.findEventByUid(OLIVIA, 'soft-2'))?.id).toBe(b.id);
  });
});

describe('findEventByUid', () => {
  it('finds by owner and UID, and follows UID and owner changes', async () => {
    const a = await crm.upsertEvent(draft({ caldav: { uid: 'uid-A', name: 'a.ics', ics: 'BEGIN:VCALENDAR…' } }));
    expect(await crm.findEventByUid(OLIVIA, 'uid-A')).toEqual(a);
    expect(await crm.findEventByUid(UMA, 'uid-A')).toBeNull();
    const b = await crm.upsertEvent({ ...a, caldav: { uid: 'uid-B' } });
    expect(await crm.findEventByUid(OLIVIA, 'uid-A')).toBeNull();
    expect((await crm.findEventByUid(OLIVIA, 'uid-B'))?.id).toBe(a.id);
    await crm.upsertEvent({ ...b, Owner: { id: UMA, email: UMA, name: '' } });
    expect(await crm.findEventByUid(OLIVIA, 'uid-B')).toBeNull();
    expect((await crm.findEventByUid('UMA@crm.example', 'uid-B'))?.Owner.email).toBe(UMA);
  });

  it('refuses a second live event of one owner with the same UID', async () => {
    await crm.upsertEvent(draft({ caldav: { uid: 'dup' } }));
    await expect(crm.upsertEvent(draft({ caldav: { uid: 'dup' } }))).rejects.toMatchObject({ field: 'caldav.uid' });
    // Another owner may hold the same UID in their own calendar.
    await expect(crm.upsertEvent(draft({ caldav: { uid: 'dup' }, Owner: { id: UMA, email: UMA, name: '' } }))).resolves.toBeTruthy();
  });
});
