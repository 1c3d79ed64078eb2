/**
 * ObjectImporter (bulk creation for the initial export) on the memory reference and on DynamoDB
 * Local: idempotent, never overwrites, one change-log entry per created object, and safe against
 * concurrent writers of the same calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { MAX_ITEM_BYTES } from '../../lambda/store/dynamodb/items';
import { ListingCache } from '../../lambda/store/listing-cache';
import { MemoryCalendarStore } from '../../lambda/store/memory';
import { PreconditionFailed, summaryOf, type CalendarStore, type ObjectImporter, type ObjectWrite } from '../../lambda/store/types';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { calendarObject, newOwner } from './calendar-store.contract';

type Store = CalendarStore & ObjectImporter;

interface Backend {
  label: string;
  store: () => Store;
  /** The backend's per-object limit, when it has one. */
  maxItemBytes?: number;
}

const batch = (prefix: string, count: number, from = 0): ObjectWrite[] =>
  Array.from({ length: count }, (_, i) => calendarObject(`${prefix}${from + i}.ics`, `${prefix}-uid-${from + i}`));

const withIcsBytes = (obj: ObjectWrite, bytes: number): ObjectWrite => {
  const ics = obj.ics + 'X'.repeat(bytes - obj.ics.length);
  return { ...obj, ics, size: Buffer.byteLength(ics, 'utf8') };
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The log holds each seq once, consecutively from 1 to the calendar's seq, and each name once. */
async function expectCleanLog(store: Store, owner: string, names: string[]) {
  const seq = (await store.getCalendar(owner)).seq;
  const log = (await store.changesSince(owner, 0)) ?? [];
  expect(log.map((c) => c.seq)).toEqual(range(1, seq));
  expect(log.every((c) => !c.deleted)).toBe(true);
  expect(log.map((c) => c.name).sort()).toEqual([...names].sort());
}

function importContract({ label, store: factory, maxItemBytes }: Backend) {
  describe(`ObjectImporter: ${label}`, () => {
    let store: Store;
    beforeAll(() => {
      store = factory();
    });

    it('creates 60 objects with one change each, in input order', async () => {
      const owner = newOwner();
      const objects = batch('a', 60);
      const result = await store.importObjects(owner, objects);

      expect(result).toEqual({ created: objects.map((o) => o.name), skipped: [], tooLarge: [], seq: 60 });
      expect((await store.getCalendar(owner)).seq).toBe(60);
      expect(await store.changesSince(owner, 0)).toEqual(objects.map((o, i) => ({ seq: i + 1, name: o.name, deleted: false, summary: summaryOf(o) })));
      for (const o of objects) expect(await store.findNameByUid(owner, o.uid)).toBe(o.name);
      expect(await store.getObject(owner, 'a59.ics')).toEqual(objects[59]);
    });

    it('a refused credential gate (commitAfter) imports nothing', async () => {
      const owner = newOwner();
      await store.importObjects(owner, batch('a', 2));
      const gate = Promise.reject(new Error('401: wrong password'));
      gate.catch(() => undefined);
      await expect(store.importObjects(owner, batch('b', 3), { commitAfter: gate })).rejects.toThrow('401: wrong password');
      expect((await store.getCalendar(owner)).seq).toBe(2);
      expect((await store.listObjects(owner)).map((o) => o.name).sort()).toEqual(['a0.ics', 'a1.ics']);
      expect(await store.findNameByUid(owner, batch('b', 1)[0]!.uid)).toBeNull();
    });

    it('re-importing creates only the new objects and overwrites nothing', async () => {
      const owner = newOwner();
      const first = batch('a', 60);
      await store.importObjects(owner, first);
      // Same names and UIDs, new content: must not replace what is stored.
      const again = [...first.map((o) => calendarObject(o.name, o.uid)), ...batch('b', 5)];
      const result = await store.importObjects(owner, again);

      expect(result).toEqual({
        created: ['b0.ics', 'b1.ics', 'b2.ics', 'b3.ics', 'b4.ics'],
        skipped: first.map((o) => o.name),
        tooLarge: [],
        seq: 65,
      });
      expect((await store.getObject(owner, 'a7.ics'))?.etag).toBe(first[7]?.etag);
      expect((await store.changesSince(owner, 60))?.map(({ seq, name, deleted }) => ({ seq, name, deleted }))).toEqual(range(61, 65).map((seq, i) => ({ seq, name: `b${i}.ics`, deleted: false })));
      expect(await store.importObjects(owner, again)).toMatchObject({ created: [], seq: 65 });
      expect((await store.getCalendar(owner)).seq).toBe(65);
    });

    it('skips an object whose UID another name holds, leaving that one unchanged', async () => {
      const owner = newOwner();
      const existing = calendarObject('old.ics', 'shared-uid');
      await store.putObject(owner, existing);
      const clash = calendarObject('new.ics', 'shared-uid');
      const other = calendarObject('other.ics', 'other-uid');

      const result = await store.importObjects(owner, [clash, other]);
      expect(result).toEqual({ created: ['other.ics'], skipped: ['new.ics'], tooLarge: [], seq: 2 });
      expect(await store.getObject(owner, 'old.ics')).toEqual(existing);
      expect(await store.getObject(owner, 'new.ics')).toBeNull();
      expect(await store.findNameByUid(owner, 'shared-uid')).toBe('old.ics');
    });

    it('skips an object whose name exists with another UID, leaving it unchanged', async () => {
      const owner = newOwner();
      const existing = calendarObject('a.ics', 'uid-1');
      await store.putObject(owner, existing);

      const result = await store.importObjects(owner, [calendarObject('a.ics', 'uid-2')]);
      expect(result).toEqual({ created: [], skipped: ['a.ics'], tooLarge: [], seq: 1 });
      expect(await store.getObject(owner, 'a.ics')).toEqual(existing);
      expect(await store.findNameByUid(owner, 'uid-2')).toBeNull();
      expect(await store.changesSince(owner, 0)).toHaveLength(1);
    });

    it('within one input the first of a UID or name wins', async () => {
      const owner = newOwner();
      const a = calendarObject('a.ics', 'u1');
      const input = [a, calendarObject('b.ics', 'u1'), calendarObject('a.ics', 'u2'), calendarObject('c.ics', 'u3')];

      const result = await store.importObjects(owner, input);
      expect(result).toEqual({ created: ['a.ics', 'c.ics'], skipped: ['b.ics', 'a.ics'], tooLarge: [], seq: 2 });
      expect(await store.getObject(owner, 'a.ics')).toEqual(a);
      expect(await store.getObject(owner, 'b.ics')).toBeNull();
      expect(await store.findNameByUid(owner, 'u2')).toBeNull();
    });

    it('an empty input changes nothing', async () => {
      const owner = newOwner();
      await store.putObject(owner, calendarObject('a.ics', 'u1'));
      expect(await store.importObjects(owner, [])).toEqual({ created: [], skipped: [], tooLarge: [], seq: 1 });
    });

    if (maxItemBytes !== undefined) {
      it('refuses an object over the item limit and creates the rest', async () => {
        const owner = newOwner();
        const objects = batch('a', 30);
        objects[12] = withIcsBytes(objects[12] as ObjectWrite, maxItemBytes + 1024);

        const result = await store.importObjects(owner, objects);
        expect(result.tooLarge).toEqual(['a12.ics']);
        expect(result.skipped).toEqual([]);
        expect(result.created).toEqual(objects.filter((_, i) => i !== 12).map((o) => o.name));
        expect(result.seq).toBe(29);
        expect(await store.getObject(owner, 'a12.ics')).toBeNull();
        expect(await store.findNameByUid(owner, 'a-uid-12')).toBeNull();
        await expectCleanLog(store, owner, result.created);
      });

      it('splits large objects across transactions by size', async () => {
        const owner = newOwner();
        // 15 × 300 KB is more than one transaction may carry.
        const objects = batch('big', 15).map((o) => withIcsBytes(o, 300 * 1024));
        const result = await store.importObjects(owner, objects);
        expect(result.created).toHaveLength(15);
        expect(result.seq).toBe(15);
        expect((await store.getObject(owner, 'big14.ics'))?.ics).toBe(objects[14]?.ics);
        await expectCleanLog(store, owner, result.created);
      });
    }

    it('races with putObject creating some of the same objects: each created once, gapless log', async () => {
      const owner = newOwner();
      const objects = batch('r', 40);
      const raced = objects.filter((_, i) => i % 4 === 1).map((o) => calendarObject(o.name, o.uid));
      expect(raced).toHaveLength(10);

      const [imported, ...puts] = await Promise.allSettled([
        store.importObjects(owner, objects),
        ...raced.map((o) => store.putObject(owner, o, { ifNoneMatch: true })),
      ]);
      if (imported?.status !== 'fulfilled') throw imported?.reason;
      for (const p of puts) if (p.status === 'rejected') expect(p.reason).toBeInstanceOf(PreconditionFailed);
      const putWins = puts.filter((p) => p.status === 'fulfilled').length;

      expect(imported.value.created.length + putWins).toBe(40);
      expect(imported.value.skipped).toHaveLength(putWins);
      expect((await store.getCalendar(owner)).seq).toBe(40);
      for (const o of objects) expect(await store.findNameByUid(owner, o.uid)).toBe(o.name);
      expect(await store.listObjects(owner)).toHaveLength(40);
      await expectCleanLog(store, owner, objects.map((o) => o.name));
    });

    it('two concurrent imports of the same 50 objects create each once', async () => {
      const owner = newOwner();
      const objects = batch('c', 50);
      const [x, y] = await Promise.all([store.importObjects(owner, objects), store.importObjects(owner, objects)]);

      expect([...x.created, ...y.created].sort()).toEqual(objects.map((o) => o.name).sort());
      expect([...x.skipped, ...y.skipped].sort()).toEqual(objects.map((o) => o.name).sort());
      expect((await store.getCalendar(owner)).seq).toBe(50);
      expect(await store.listObjects(owner)).toHaveLength(50);
      await expectCleanLog(store, owner, objects.map((o) => o.name));
    });
  });
}

importContract({ label: 'memory', store: () => new MemoryCalendarStore() });
importContract({ label: 'listing cache over memory', store: () => new ListingCache(new MemoryCalendarStore()) });

describe('on DynamoDB', () => {
  let t: TestTables;
  beforeAll(async () => {
    t = await freshTables();
  });
  afterAll(async () => {
    await t?.drop();
  });
  importContract({
    label: 'DynamoDB',
    store: () => new DynamoCalendarStore(t.doc, t.tables),
    maxItemBytes: MAX_ITEM_BYTES,
  });
  importContract({
    label: 'listing cache over DynamoDB',
    store: () => new ListingCache(new DynamoCalendarStore(t.doc, t.tables)),
    maxItemBytes: MAX_ITEM_BYTES,
  });
});
