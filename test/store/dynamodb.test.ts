/**
 * DynamoCalendarStore on the run's DynamoDB engine: the shared contract, then what only a
 * concurrent, TTL-backed store can get wrong (lost updates, duplicate seqs, expired logs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { LOG_FIRST_PAGE } from '../../lambda/store/dynamodb/sync';
import { ObjectTooLarge } from '../../lambda/store/types';
import { PreconditionFailed, UidConflict } from '../../lambda/store/types';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { ListingCache } from '../../lambda/store/listing-cache';
import { calendarObject, calendarStoreContract, newOwner, readingTheCounter } from './calendar-store.contract';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(async () => {
  await t?.drop();
});

calendarStoreContract('DynamoDB', () => new DynamoCalendarStore(t.doc, t.tables));
calendarStoreContract('listing cache over DynamoDB', () => readingTheCounter(new ListingCache(new DynamoCalendarStore(t.doc, t.tables))));

describe('DynamoCalendarStore change log before a credential check', () => {
  it(`reads its first ${LOG_FIRST_PAGE} entries at once and the rest only once restAfter resolves`, async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    const objects = Array.from({ length: LOG_FIRST_PAGE + 5 }, (_, i) => calendarObject(`p${i}.ics`, `uid-${i}`));
    await store.importObjects(owner, objects);
    let open!: () => void;
    const checked = new Promise<void>((resolve) => (open = resolve));
    let done = false;
    const reading = store.changesSince(owner, 0, undefined, { restAfter: checked }).then((log) => ((done = true), log));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    open();
    expect((await reading)?.map((c) => c.seq)).toEqual(Array.from({ length: LOG_FIRST_PAGE + 5 }, (_, i) => i + 1));
    // A log of exactly one page needs no second Query, and a short one does not wait either.
    const exact = newOwner();
    await store.importObjects(exact, objects.slice(0, LOG_FIRST_PAGE));
    expect(await store.changesSince(exact, 0, undefined, { restAfter: new Promise(() => undefined) })).toHaveLength(LOG_FIRST_PAGE);
    const few = newOwner();
    await store.importObjects(few, objects.slice(0, 3));
    expect(await store.changesSince(few, 0, undefined, { restAfter: new Promise(() => undefined) })).toHaveLength(3);
  });
});

describe('DynamoCalendarStore under concurrency', () => {
  it('20 parallel creates: seq 20, log 1..20 once each, no object lost', async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    const objects = Array.from({ length: 20 }, (_, i) => calendarObject(`p${i}.ics`, `uid-${i}`));
    const results = await Promise.all(objects.map((o) => store.putObject(owner, o)));

    expect(results.every((r) => r.created)).toBe(true);
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await store.getCalendar(owner)).seq).toBe(20);
    const log = await store.changesSince(owner, 0);
    expect(log?.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(log?.map((c) => c.name))).toEqual(new Set(objects.map((o) => o.name)));
    expect(await store.listObjects(owner)).toHaveLength(20);
  });

  it('10 parallel If-Match writes with the same ETag: exactly one wins', async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    const original = calendarObject('a.ics', 'u1');
    await store.putObject(owner, original);
    const attempts = Array.from({ length: 10 }, () => calendarObject('a.ics', 'u1'));
    const settled = await Promise.allSettled(attempts.map((o) => store.putObject(owner, o, { ifMatch: original.etag })));

    const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [attempts[i]] : []));
    expect(won).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(PreconditionFailed);
    expect((await store.getObject(owner, 'a.ics'))?.etag).toBe(won[0]?.etag);
    expect((await store.getCalendar(owner)).seq).toBe(2);
  });

  it('parallel creates of one UID under different names: one holder, the rest conflict', async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => store.putObject(owner, calendarObject(`n${i}.ics`, 'same-uid'))),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const holder = await store.findNameByUid(owner, 'same-uid');
    for (const s of settled) {
      if (s.status === 'rejected') {
        expect(s.reason).toBeInstanceOf(UidConflict);
        expect((s.reason as UidConflict).existingName).toBe(holder);
      }
    }
    expect(await store.listObjects(owner)).toHaveLength(1);
  });

  it('parallel deletes of one object: one succeeds, the others find it gone', async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    await store.putObject(owner, calendarObject('a.ics', 'u1'));
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => store.deleteObject(owner, 'a.ics')));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.name)).toEqual(
      Array(4).fill('NotFound'),
    );
    expect(await store.changesSince(owner, 0)).toHaveLength(2);
  });
});

describe('DynamoCalendarStore: a write out of time for another round (CommitOptions.giveUpBy)', () => {
  /** A write that reads the counter with another one and commits after it: it loses that race. */
  async function losingWrite(giveUpBy: number | undefined) {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Both read the counter in the same batch; the gated one commits second, on a counter gone stale.
    const late = store.putObject(owner, calendarObject('late.ics', 'u-late'), {}, { commitAfter: gate, ...(giveUpBy !== undefined ? { giveUpBy } : {}) });
    late.catch(() => undefined);
    await store.putObject(owner, calendarObject('first.ics', 'u-first'));
    open();
    return { late, store, owner };
  }

  it('answers WriteContention instead of another round once the deadline has passed', async () => {
    const { late, store, owner } = await losingWrite(Date.now());
    await expect(late).rejects.toMatchObject({ name: 'WriteContention' });
    expect((await store.listObjects(owner)).map((o) => o.name)).toEqual(['first.ics']);
    expect((await store.getCalendar(owner)).seq).toBe(1);
  });

  it('re-reads and commits when time is left', async () => {
    const { late, store, owner } = await losingWrite(Date.now() + 10_000);
    await expect(late).resolves.toMatchObject({ created: true, seq: 2 });
    expect((await store.listObjects(owner)).map((o) => o.name).sort()).toEqual(['first.ics', 'late.ics']);
  });
});

describe('DynamoCalendarStore change-log retention', () => {
  it('writes expiresAt = now + retention on each entry', async () => {
    const now = new Date('2025-06-01T00:00:00Z');
    const store = new DynamoCalendarStore(t.doc, t.tables, { retentionSeconds: 3600, now: () => now });
    const owner = newOwner();
    await store.putObject(owner, calendarObject('a.ics', 'u1'));
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Item } = await t.doc.send(new GetCommand({ TableName: t.tables.sync, Key: { pk: owner, seq: 1 } }));
    expect(Item).toMatchObject({ name: 'a.ics', deleted: false, expiresAt: now.getTime() / 1000 + 3600 });
  });

  it('treats an expired entry as gone: a token before it is invalid', async () => {
    let now = new Date('2025-06-01T00:00:00Z');
    const store = new DynamoCalendarStore(t.doc, t.tables, { retentionSeconds: 60, now: () => now });
    const owner = newOwner();
    await store.putObject(owner, calendarObject('a.ics', 'u1'));
    now = new Date(now.getTime() + 120_000);
    await store.putObject(owner, calendarObject('b.ics', 'u2'));

    expect(await store.changesSince(owner, 0)).toBeNull();
    expect((await store.changesSince(owner, 1))?.map(({ seq, name, deleted }) => ({ seq, name, deleted }))).toEqual([{ seq: 2, name: 'b.ics', deleted: false }]);
    expect(await store.changesSince(owner, 2)).toEqual([]);
  });
});

describe('DynamoCalendarStore item size', () => {
  const withIcsBytes = (bytes: number) => {
    const o = calendarObject('big.ics', 'big');
    const ics = o.ics + 'X'.repeat(bytes - o.ics.length);
    return { ...o, ics, size: ics.length };
  };

  it('stores an object of 300 KB', async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    const big = withIcsBytes(300 * 1024);
    await store.putObject(owner, big);
    expect((await store.getObject(owner, 'big.ics'))?.ics).toBe(big.ics);
  });

  it('refuses one beyond the item limit before writing anything', async () => {
    const store = new DynamoCalendarStore(t.doc, t.tables);
    const owner = newOwner();
    await expect(store.putObject(owner, withIcsBytes(410 * 1024))).rejects.toThrow(ObjectTooLarge);
    expect((await store.getCalendar(owner)).seq).toBe(0);
  });
});
