import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { BuiltinCrm } from '../../../lambda/crm/builtin';
import { FEED_SHARDS, shardOfEvent } from '../../../lambda/crm/builtin/keys';
import { DynamoUserStore } from '../../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from '../../helpers/dynamo';
import { OLIVIA, UMA, builtinOn, draft } from './helpers';

let t: TestTables;
let crm: BuiltinCrm;
let clock = Date.parse('2024-06-01T00:00:00Z');
beforeAll(async () => {
  t = await freshTables();
  ({ crm } = await builtinOn(t, () => new Date(clock)));
});
afterAll(async () => {
  await t?.drop();
});

const uma = { id: UMA, email: UMA, name: 'Uma User' };

describe('listEvents by owner and range', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ids.may6 = (await crm.upsertEvent(draft({ Event_Title: 'may6' }))).id;
    ids.may20 = (await crm.upsertEvent(draft({ Event_Title: 'may20', Start_DateTime: '2024-05-20T09:00:00+02:00', End_DateTime: '2024-05-20T10:00:00+02:00' }))).id;
    ids.allDay = (await crm.upsertEvent(draft({ Event_Title: 'allDay', All_day: true, Start_DateTime: '2024-05-10', End_DateTime: '2024-05-11' }))).id;
    ids.weekly3 = (await crm.upsertEvent(draft({ Event_Title: 'weekly3', Start_DateTime: '2024-04-01T09:00:00+02:00', End_DateTime: '2024-04-01T10:00:00+02:00', Recurring_Activity: { RRULE: 'FREQ=WEEKLY;COUNT=3' } }))).id;
    ids.forever = (await crm.upsertEvent(draft({ Event_Title: 'forever', Start_DateTime: '2024-01-01T09:00:00+01:00', End_DateTime: '2024-01-01T10:00:00+01:00', Recurring_Activity: { RRULE: 'FREQ=MONTHLY' } }))).id;
    ids.umas = (await crm.upsertEvent(draft({ Event_Title: 'umas', Owner: uma }))).id;
    const gone = await crm.upsertEvent(draft({ Event_Title: 'gone' }));
    await crm.deleteEvent(gone.id);
  });

  const titles = async (owner: string, range?: { from?: string; to?: string }) => (await crm.listEvents(owner, range)).map((e) => e.Event_Title).sort();

  it('lists only the owner’s live events, case-insensitively', async () => {
    expect(await titles('OLIVIA@crm.example')).toEqual(['allDay', 'forever', 'may20', 'may6', 'weekly3']);
    expect(await titles(UMA)).toEqual(['umas']);
    expect(await titles('nobody@crm.example')).toEqual([]);
  });

  it('keeps events overlapping [from, to), recurring ones by their whole series span', async () => {
    // weekly3 ends 2024-04-15; forever never ends.
    expect(await titles(OLIVIA, { from: '2024-05-01T00:00:00Z', to: '2024-05-15T00:00:00Z' })).toEqual(['allDay', 'forever', 'may6']);
    expect(await titles(OLIVIA, { from: '2024-04-14T00:00:00Z', to: '2024-04-16T00:00:00Z' })).toEqual(['forever', 'weekly3']);
    expect(await titles(OLIVIA, { to: '2024-03-01T00:00:00Z' })).toEqual(['forever']);
    expect(await titles(OLIVIA, { from: '2024-05-21T00:00:00Z' })).toEqual(['forever']);
  });

  it('treats to as exclusive and an event ending exactly at from as overlapping', async () => {
    expect(await titles(OLIVIA, { from: '2024-05-06T09:00:00Z', to: '2024-05-06T09:30:00Z' })).toContain('may6');
    expect(await titles(OLIVIA, { from: '2024-05-06T07:00:00Z', to: '2024-05-06T08:00:00Z' })).not.toContain('may6');
  });

  it('moves an event to the new owner’s listing when the owner changes', async () => {
    const e = await crm.getEvent(ids.may20);
    await crm.upsertEvent({ ...e!, Owner: uma });
    expect(await titles(OLIVIA)).not.toContain('may20');
    expect(await titles(UMA)).toContain('may20');
  });
});

describe('listEventsModifiedSince', () => {
  it('returns the owner’s events changed at or after the instant, deletions included', async () => {
    clock = Date.parse('2024-07-01T00:00:00Z');
    const a = await crm.upsertEvent(draft({ Event_Title: 'july-a' }));
    const b = await crm.upsertEvent(draft({ Event_Title: 'july-b' }));
    clock = Date.parse('2024-07-02T00:00:00Z');
    await crm.deleteEvent(b.id);
    const since = await crm.listEventsModifiedSince(OLIVIA, '2024-07-01T00:00:00Z');
    expect(since.map((e) => [e.Event_Title, e.Deleted]).sort()).toEqual([['july-a', false], ['july-b', true]]);
    const later = await crm.listEventsModifiedSince(OLIVIA, '2024-07-01T12:00:00Z');
    expect(later.map((e) => e.id)).toEqual([b.id]);
    expect(a.Modified_Time).toBe('2024-07-01T00:00:00.000Z');
  });
});

describe('change feed', () => {
  it('pages through every write once, in order, and reports the current state', async () => {
    const start = (await drain(null)).cursor;
    const a = await crm.upsertEvent(draft({ Event_Title: 'feed-a' }));
    const b = await crm.upsertEvent(draft({ Event_Title: 'feed-b' }));
    await crm.upsertEvent({ ...a, Event_Title: 'feed-a2' });
    await crm.deleteEvent(b.id);
    const batch = await crm.listChangesSince(start);
    expect(batch.events.map((e) => e.Event_Title)).toEqual(['feed-a2']);
    expect(batch.deletedIds).toEqual([b.id]);
    expect(entriesBetween(start, batch.nextCursor)).toBe(4);
    const empty = await crm.listChangesSince(batch.nextCursor);
    expect(empty).toEqual({ events: [], deletedIds: [], nextCursor: batch.nextCursor });
  });

  it('includes owner changes as events and rejects a cursor it did not hand out', async () => {
    const start = (await drain(null)).cursor;
    const e = await crm.upsertEvent(draft({ Event_Title: 'mover' }));
    await crm.upsertEvent({ ...e, Owner: uma });
    const batch = await crm.listChangesSince(start);
    expect(batch.events.map((x) => [x.id, x.Owner.email])).toEqual([[e.id, UMA]]);
    await expect(crm.listChangesSince('abc')).rejects.toMatchObject({ field: 'cursor' });
  });

  it('gives concurrent writers distinct, gapless sequence numbers: nothing is skipped', async () => {
    const start = (await drain(null)).cursor;
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => crm.upsertEvent(draft({ Event_Title: `par-${i}` }))));
    const seen = await drain(start);
    expect(entriesBetween(start, seen.cursor)).toBe(12);
    expect(seen.cursor).toBe(await crm.latestCursor());
    expect(seen.ids.sort()).toEqual(created.map((e) => e.id).sort());
  });

  it('continues across small pages without losing or repeating a write', async () => {
    const small = new BuiltinCrm(t.doc, { table: t.tables.crm, users: new DynamoUserStore(t.doc, t.tables.users), feedPageSize: 5 });
    const start = (await drain(null)).cursor;
    // All in one shard, so that shard alone takes three pages of 5.
    const ids = idsInShard(3, 13);
    const created = await Promise.all(ids.map((id, i) => small.upsertEvent(draft({ id, Event_Title: `page-${i}` }))));
    const seen = await drain(start, small);
    expect(seen.pages).toBe(3);
    expect(seen.ids.sort()).toEqual(created.map((e) => e.id).sort());
  });

  it('spreads the organisation over its shards, each with its own counter', async () => {
    const start = (await drain(null)).cursor;
    const created = await Promise.all(Array.from({ length: 48 }, (_, i) => crm.upsertEvent(draft({ Event_Title: `spread-${i}` }))));
    const moved = positions(await crm.latestCursor()).map((n, i) => n - positions(start)[i]!);
    expect(moved[0]).toBe(0); // nothing new in the pre-shard partition
    expect(moved.filter((n) => n > 0).length).toBeGreaterThan(8);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(48);
    expect((await drain(start)).ids.sort()).toEqual(created.map((e) => e.id).sort());
  });

  it('still reads what was written before the feed was sharded, from a cursor handed out then', async () => {
    // The old layout: one partition `feed`, its counter and entries. Written here as it was.
    const old = await crm.upsertEvent(draft({ Event_Title: 'from-before' }));
    expect((await t.doc.send(new GetCommand({ TableName: t.tables.crm, Key: { pk: 'feed', sk: 'counter' } }))).Item).toBeUndefined();
    await t.doc.send(new PutCommand({ TableName: t.tables.crm, Item: { pk: 'feed', sk: `seq#${'1'.padStart(15, '0')}`, id: old.id, at: old.Modified_Time } }));
    await t.doc.send(new PutCommand({ TableName: t.tables.crm, Item: { pk: 'feed', sk: 'counter', seq: 1 } }));
    expect(positions(await crm.latestCursor())[0]).toBe(1);
    expect((await drain('0')).ids).toContain(old.id);
    const fromOld = await drain('1'); // an old cursor that had seen it: only the shards are read on
    expect(fromOld.ids).toContain(old.id); // (its shard entry, written by the upsert above)
    expect(positions(fromOld.cursor)[0]).toBe(1);
    await expect(crm.listChangesSince('1.2')).rejects.toMatchObject({ field: 'cursor' });
  });
});

const positions = (cursor: string) => (cursor.includes('.') ? cursor.split('.').map(Number) : [Number(cursor), ...Array<number>(FEED_SHARDS).fill(0)]);
/** Feed entries between two cursors, over every shard. */
const entriesBetween = (from: string, to: string) => positions(to).reduce((sum, n, i) => sum + n - positions(from)[i]!, 0);

function idsInShard(shard: number, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) if (shardOfEvent(`shard-test-${i}`) === shard) ids.push(`shard-test-${i}`);
  return ids;
}

/** Reads the feed to the end in small pages, as a reconciliation job would. */
async function drain(cursor: string | null, from: BuiltinCrm = crm): Promise<{ cursor: string; ids: string[]; pages: number }> {
  const ids: string[] = [];
  let at = cursor;
  for (let pages = 0; ; pages++) {
    const batch = await from.listChangesSince(at);
    if (batch.events.length === 0 && batch.deletedIds.length === 0) return { cursor: batch.nextCursor, ids, pages };
    ids.push(...batch.events.map((e) => e.id), ...batch.deletedIds);
    at = batch.nextCursor;
  }
}
