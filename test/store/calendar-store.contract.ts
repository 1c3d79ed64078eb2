/**
 * The CalendarStore contract: one suite every adapter must pass (run by memory.test.ts and
 * dynamodb.test.ts). Each test works on its own random owner, so one store instance can serve
 * the whole suite.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ListingCache } from '../../lambda/store/listing-cache';
import {
  NotFound,
  PreconditionFailed,
  UidConflict,
  summaryOf,
  type CalendarStore,
  type ObjectWrite,
  type StoredObject,
} from '../../lambda/store/types';

/** Reads the counter first and passes it on, as core does, so the contract exercises the cache. */
export function readingTheCounter(store: ListingCache): CalendarStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listObjects') return async (owner: string) => target.listObjects(owner, (await target.getCalendar(owner)).seq);
      if (prop === 'findInRange')
        return async (owner: string, start: number | null, end: number | null) =>
          target.findInRange(owner, start, end, (await target.getCalendar(owner)).seq);
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export type StoreFactory = () => CalendarStore | Promise<CalendarStore>;

export const newOwner = () => `user-${randomUUID()}@example.com`;

let writes = 0;

/** A calendar object; every call gets a distinct ETag, as a real content hash would. */
export function calendarObject(
  name: string,
  uid: string,
  range: { start?: number | null; end?: number | null } = {},
): ObjectWrite {
  const n = ++writes;
  const ics = `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nSUMMARY:write ${n}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  return {
    name,
    uid,
    etag: `"${uid}-${n}"`,
    ics,
    lastModified: new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)).toISOString(),
    size: Buffer.byteLength(ics, 'utf8'),
    rangeStart: range.start === undefined ? 0 : range.start,
    rangeEnd: range.end === undefined ? 1 : range.end,
    recurring: range.end === null,
  };
}

const names = (objects: { name: string }[]) => objects.map((o) => o.name).sort();

export function calendarStoreContract(label: string, factory: StoreFactory) {
  describe(`CalendarStore contract: ${label}`, () => {
    let store: CalendarStore;
    let owner: string;
    beforeAll(async () => {
      store = await factory();
    });
    const fresh = () => (owner = newOwner());

    describe('empty calendar', () => {
      it('has seq 0, no props, no objects and an empty change log', async () => {
        fresh();
        expect(await store.getCalendar(owner)).toEqual({ seq: 0, props: {} });
        expect(await store.listObjects(owner)).toEqual([]);
        expect(await store.getObject(owner, 'a.ics')).toBeNull();
        expect(await store.getObjects(owner, ['a.ics'])).toEqual([]);
        expect(await store.findInRange(owner, null, null)).toEqual([]);
        expect(await store.findNameByUid(owner, 'u1')).toBeNull();
        expect(await store.changesSince(owner, 0)).toEqual([]);
      });
    });

    describe('putObject', () => {
      it('creates an object and advances seq', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        expect(await store.putObject(owner, a)).toEqual({ created: true, seq: 1, carried: false });
        expect((await store.getCalendar(owner)).seq).toBe(1);
        expect(await store.getObject(owner, 'a.ics')).toEqual(a);
        expect(await store.findNameByUid(owner, 'u1')).toBe('a.ics');
      });

      it('replaces an object in place', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        const a2 = calendarObject('a.ics', 'u1');
        expect(await store.putObject(owner, a2)).toEqual({ created: false, seq: 2, carried: false });
        expect(await store.getObject(owner, 'a.ics')).toEqual(a2);
        expect(await store.listObjects(owner)).toHaveLength(1);
      });

      it('keeps calendars of different owners apart', async () => {
        const alice = newOwner();
        const bob = newOwner();
        await store.putObject(alice, calendarObject('a.ics', 'shared-uid'));
        expect(await store.putObject(bob, calendarObject('a.ics', 'shared-uid'))).toEqual({ created: true, seq: 1, carried: false });
        expect(await store.listObjects(alice)).toHaveLength(1);
        expect((await store.getCalendar(bob)).seq).toBe(1);
      });

      it('If-None-Match: * fails on an existing object and leaves everything unchanged', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        await store.putObject(owner, a, { ifNoneMatch: true });
        await expect(store.putObject(owner, calendarObject('a.ics', 'u1'), { ifNoneMatch: true })).rejects.toThrow(
          PreconditionFailed,
        );
        expect(await store.getObject(owner, 'a.ics')).toEqual(a);
        expect((await store.getCalendar(owner)).seq).toBe(1);
      });

      it('If-Match with a stale ETag fails; with the current one succeeds', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        await store.putObject(owner, a);
        await expect(
          store.putObject(owner, calendarObject('a.ics', 'u1'), { ifMatch: '"stale"' }),
        ).rejects.toThrow(PreconditionFailed);
        const a2 = calendarObject('a.ics', 'u1');
        expect(await store.putObject(owner, a2, { ifMatch: a.etag })).toEqual({ created: false, seq: 2, carried: false });
        expect((await store.getObject(owner, 'a.ics'))?.etag).toBe(a2.etag);
      });

      it('If-Match on a missing object fails, whether an ETag or *', async () => {
        fresh();
        await expect(store.putObject(owner, calendarObject('a.ics', 'u1'), { ifMatch: '*' })).rejects.toThrow(
          PreconditionFailed,
        );
        await expect(store.putObject(owner, calendarObject('a.ics', 'u1'), { ifMatch: '"x"' })).rejects.toThrow(
          PreconditionFailed,
        );
        expect(await store.getCalendar(owner)).toEqual({ seq: 0, props: {} });
        expect(await store.findNameByUid(owner, 'u1')).toBeNull();
      });

      it('If-Match: * succeeds on an existing object', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        expect(await store.putObject(owner, calendarObject('a.ics', 'u1'), { ifMatch: '*' })).toEqual({
          created: false,
          seq: 2,
          carried: false,
        });
      });

      it('refuses a UID already held by another resource, naming the holder', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        const err = await store.putObject(owner, calendarObject('b.ics', 'u1')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UidConflict);
        expect((err as UidConflict).existingName).toBe('a.ics');
        expect(await store.getObject(owner, 'b.ics')).toBeNull();
        expect((await store.getCalendar(owner)).seq).toBe(1);
      });

      it('remembers when a UID was deleted until it is held again, by any resource', async () => {
        fresh();
        expect(await store.uidDeletedAt(owner, 'u1')).toBeNull();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        expect(await store.uidDeletedAt(owner, 'u1')).toBeNull();
        await store.deleteObject(owner, 'a.ics');
        const at = await store.uidDeletedAt(owner, 'u1');
        expect(Date.parse(at!)).not.toBeNaN();
        expect(await store.findNameByUid(owner, 'u1')).toBeNull();
        // The tombstone does not hold the UID: another resource may take it, which clears it.
        expect(await store.putObject(owner, calendarObject('b.ics', 'u1'))).toEqual({ created: true, seq: 3, carried: false });
        expect(await store.uidDeletedAt(owner, 'u1')).toBeNull();
        expect(await store.findNameByUid(owner, 'u1')).toBe('b.ics');
      });

      it('a resource that changes its UID frees the old one', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        await store.putObject(owner, calendarObject('a.ics', 'u2'));
        expect(await store.findNameByUid(owner, 'u1')).toBeNull();
        expect(await store.findNameByUid(owner, 'u2')).toBe('a.ics');
        expect(await store.putObject(owner, calendarObject('b.ics', 'u1'))).toEqual({ created: true, seq: 3, carried: false });
        await expect(store.putObject(owner, calendarObject('c.ics', 'u2'))).rejects.toThrow(UidConflict);
      });
    });

    describe('deleteObject', () => {
      it('removes the object and its UID, and advances seq', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        expect(await store.deleteObject(owner, 'a.ics')).toEqual({ seq: 2, uid: 'u1', carried: false });
        expect(await store.getObject(owner, 'a.ics')).toBeNull();
        expect(await store.findNameByUid(owner, 'u1')).toBeNull();
        expect(await store.listObjects(owner)).toEqual([]);
        expect(await store.putObject(owner, calendarObject('b.ics', 'u1'))).toEqual({ created: true, seq: 3, carried: false });
      });

      it('throws NotFound for a missing object without advancing seq', async () => {
        fresh();
        await expect(store.deleteObject(owner, 'nope.ics')).rejects.toThrow(NotFound);
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        await store.deleteObject(owner, 'a.ics');
        await expect(store.deleteObject(owner, 'a.ics')).rejects.toThrow(NotFound);
        expect((await store.getCalendar(owner)).seq).toBe(2);
      });

      it('honours If-Match', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        await store.putObject(owner, a);
        await expect(store.deleteObject(owner, 'a.ics', { ifMatch: '"stale"' })).rejects.toThrow(PreconditionFailed);
        expect(await store.getObject(owner, 'a.ics')).toEqual(a);
        expect(await store.deleteObject(owner, 'a.ics', { ifMatch: a.etag })).toEqual({ seq: 2, uid: 'u1', carried: false });
      });
    });

    describe('the credential gate (CommitOptions.commitAfter)', () => {
      const refused = () => {
        const gate = Promise.reject(new Error('401: wrong password'));
        gate.catch(() => undefined);
        return gate;
      };
      /** Seq, objects, log and UID guard as a reader sees them. */
      const state = async (uids: string[]) => ({
        calendar: await store.getCalendar(owner),
        objects: await store.listObjects(owner),
        log: await store.changesSince(owner, 0),
        holders: await Promise.all(uids.map((u) => store.findNameByUid(owner, u))),
      });

      it('a refused gate writes no new object: the put fails with the gate\'s error', async () => {
        fresh();
        await store.putObject(owner, calendarObject('kept.ics', 'k'));
        const before = await state(['k', 'new']);
        await expect(store.putObject(owner, calendarObject('new.ics', 'new'), {}, { commitAfter: refused() })).rejects.toThrow('401: wrong password');
        expect(await store.getObject(owner, 'new.ics')).toBeNull();
        expect(await state(['k', 'new'])).toEqual(before);
      });

      it('a refused gate replaces nothing and deletes nothing', async () => {
        fresh();
        const stored = calendarObject('a.ics', 'a');
        await store.putObject(owner, stored);
        const before = await state(['a', 'b']);
        await expect(store.putObject(owner, calendarObject('a.ics', 'a'), { ifMatch: stored.etag }, { commitAfter: refused() })).rejects.toThrow('401');
        await expect(store.putObject(owner, calendarObject('a.ics', 'b'), {}, { commitAfter: refused() })).rejects.toThrow('401');
        await expect(store.deleteObject(owner, 'a.ics', {}, { commitAfter: refused() })).rejects.toThrow('401');
        expect(await store.getObject(owner, 'a.ics')).toEqual(stored);
        expect(await state(['a', 'b'])).toEqual(before);
        expect(await store.uidDeletedAt(owner, 'a')).toBeNull();
      });

      it('a gate still open holds the write back until it opens', async () => {
        fresh();
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        const writing = store.putObject(owner, calendarObject('later.ics', 'later'), {}, { commitAfter: gate });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await store.getObject(owner, 'later.ics')).toBeNull();
        expect((await store.getCalendar(owner)).seq).toBe(0);
        open();
        expect(await writing).toEqual({ created: true, seq: 1, carried: false });
        expect(await store.findNameByUid(owner, 'later')).toBe('later.ics');
      });
    });

    describe('reads', () => {
      it('listObjects returns summaries without the iCalendar text', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        const b = calendarObject('b.ics', 'u2');
        await store.putObject(owner, a);
        await store.putObject(owner, b);
        const list = await store.listObjects(owner);
        expect(list.sort((x, y) => x.name.localeCompare(y.name))).toEqual(
          [a, b].map(summaryOf),
        );
        expect(list[0]).not.toHaveProperty('ics');
      });

      it('getObjects returns the existing ones among the names asked', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        const b = calendarObject('b.ics', 'u2');
        await store.putObject(owner, a);
        await store.putObject(owner, b);
        await store.putObject(owner, calendarObject('c.ics', 'u3'));
        const got = await store.getObjects(owner, ['b.ics', 'missing.ics', 'a.ics']);
        expect(got.sort((x, y) => x.name.localeCompare(y.name))).toEqual([a, b]);
        expect(await store.getObjects(owner, [])).toEqual([]);
      });

      it('getObjects answers more names than one batch holds', async () => {
        fresh();
        const a = calendarObject('a.ics', 'u1');
        const z = calendarObject('z.ics', 'u2');
        await store.putObject(owner, a);
        await store.putObject(owner, z);
        const asked = [...Array.from({ length: 150 }, (_, i) => `m${i}.ics`), 'z.ics', 'a.ics', 'a.ics'];
        expect(names(await store.getObjects(owner, asked))).toEqual(['a.ics', 'z.ics']);
      });

      it('names with spaces, @ and non-ASCII letters round-trip', async () => {
        fresh();
        const o = calendarObject('Réunion @ café 1.ics', 'uid with spaces@example.com');
        await store.putObject(owner, o);
        expect(await store.getObject(owner, o.name)).toEqual(o);
        expect(await store.findNameByUid(owner, o.uid)).toBe(o.name);
      });
    });

    describe('findInRange', () => {
      let objects: Record<string, StoredObject>;
      beforeAll(async () => {
        fresh();
        objects = {
          a: calendarObject('a.ics', 'ua', { start: 10, end: 20 }),
          b: calendarObject('b.ics', 'ub', { start: 30, end: 40 }),
          openStart: calendarObject('c.ics', 'uc', { start: null, end: 15 }),
          openEnd: calendarObject('d.ics', 'ud', { start: 25, end: null }),
          unbounded: calendarObject('e.ics', 'ue', { start: null, end: null }),
        };
        for (const o of Object.values(objects)) await store.putObject(owner, o);
      });
      const found = async (start: number | null, end: number | null) =>
        names(await store.findInRange(owner, start, end));

      it('returns whole objects overlapping a bounded range', async () => {
        expect(await found(12, 28)).toEqual(['a.ics', 'c.ics', 'd.ics', 'e.ics']);
        const full = await store.findInRange(owner, 31, 32);
        expect(full.find((o) => o.name === 'b.ics')).toEqual(objects.b);
      });

      it('treats the range as half-open', async () => {
        expect(await found(20, 25)).toEqual(['e.ics']);
        expect(await found(40, 41)).toEqual(['d.ics', 'e.ics']);
      });

      it('accepts an unbounded side', async () => {
        expect(await found(null, 12)).toEqual(['a.ics', 'c.ics', 'e.ics']);
        expect(await found(35, null)).toEqual(['b.ics', 'd.ics', 'e.ics']);
        expect(await found(null, null)).toEqual(['a.ics', 'b.ics', 'c.ics', 'd.ics', 'e.ics']);
      });

      it('keeps null bounds as null', async () => {
        const [e] = await store.getObjects(owner, ['e.ics']);
        expect(e).toMatchObject({ rangeStart: null, rangeEnd: null, recurring: true });
      });
    });

    describe('changesSince', () => {
      it('lists every change after the token, in order, with deletions and what each put wrote', async () => {
        fresh();
        const a1 = calendarObject('a.ics', 'u1');
        const b = calendarObject('b.ics', 'u2');
        const a2 = { ...calendarObject('a.ics', 'u1'), etag: '"a2"', rangeStart: null, rangeEnd: null };
        await store.putObject(owner, a1);
        await store.putObject(owner, b);
        await store.putObject(owner, a2);
        await store.deleteObject(owner, 'b.ics');
        expect(await store.changesSince(owner, 0)).toEqual([
          { seq: 1, name: 'a.ics', deleted: false, summary: summaryOf(a1) },
          { seq: 2, name: 'b.ics', deleted: false, summary: summaryOf(b) },
          { seq: 3, name: 'a.ics', deleted: false, summary: summaryOf(a2) },
          { seq: 4, name: 'b.ics', deleted: true },
        ]);
        expect(await store.changesSince(owner, 2)).toEqual([
          { seq: 3, name: 'a.ics', deleted: false, summary: summaryOf(a2) },
          { seq: 4, name: 'b.ics', deleted: true },
        ]);
        expect(await store.changesSince(owner, 4)).toEqual([]);
      });

      it('answers null for a token from the future', async () => {
        fresh();
        expect(await store.changesSince(owner, 1)).toBeNull();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        expect(await store.changesSince(owner, 2)).toBeNull();
      });

      it('stops at the sequence number the caller read, when given one', async () => {
        fresh();
        for (const n of ['a', 'b', 'c']) await store.putObject(owner, calendarObject(`${n}.ics`, n));
        expect((await store.changesSince(owner, 0, 2))?.map((c) => c.seq)).toEqual([1, 2]);
        expect(await store.changesSince(owner, 2, 2)).toEqual([]);
        expect(await store.changesSince(owner, 3, 2)).toBeNull();
      });

      it('deleteCalendar removes objects, UIDs, log and properties, and refuses every earlier token', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'ua'));
        await store.putObject(owner, calendarObject('b.ics', 'ub'));
        await store.patchCalendarProps(owner, { '{DAV:}displayname': 'Mine' }, []);
        const before = (await store.getCalendar(owner)).seq;
        expect(await store.deleteCalendar(owner)).toBe(2);
        expect(await store.listObjects(owner)).toEqual([]);
        expect(await store.getObject(owner, 'a.ics')).toBeNull();
        expect(await store.findNameByUid(owner, 'ua')).toBeNull();
        const after = await store.getCalendar(owner);
        expect(after).toEqual({ seq: before + 1, props: {} });
        expect(await store.changesSince(owner, before)).toBeNull();
        expect(await store.changesSince(owner, 0)).toBeNull();
        // Used again: the UID is free, and new tokens work.
        await store.putObject(owner, calendarObject('c.ics', 'ua'));
        expect((await store.changesSince(owner, after.seq))?.map((c) => c.name)).toEqual(['c.ics']);
        expect(await store.changesSince(owner, before)).toBeNull();
      });

      it('takes that number as a promise, so the log can be read while the counter is', async () => {
        fresh();
        for (const n of ['a', 'b', 'c']) await store.putObject(owner, calendarObject(`${n}.ics`, n));
        expect((await store.changesSince(owner, 0, Promise.resolve(2)))?.map((c) => c.seq)).toEqual([1, 2]);
        expect(await store.changesSince(owner, 3, Promise.resolve(2))).toBeNull();
      });

      it('logs nothing for refused writes', async () => {
        fresh();
        await store.putObject(owner, calendarObject('a.ics', 'u1'));
        await store.putObject(owner, calendarObject('a.ics', 'u1'), { ifNoneMatch: true }).catch(() => undefined);
        await store.putObject(owner, calendarObject('b.ics', 'u1')).catch(() => undefined);
        await store.deleteObject(owner, 'nope.ics').catch(() => undefined);
        expect((await store.changesSince(owner, 0))?.map(({ seq, name, deleted }) => ({ seq, name, deleted }))).toEqual([{ seq: 1, name: 'a.ics', deleted: false }]);
      });
    });

    describe('patchCalendarProps', () => {
      const DISPLAY = '{DAV:}displayname';
      const COLOR = '{http://apple.com/ns/ical/}calendar-color';
      const ORDER = '{http://apple.com/ns/ical/}calendar-order';

      it('sets and removes dead properties without advancing seq', async () => {
        fresh();
        await store.patchCalendarProps(owner, { [DISPLAY]: 'Work', [COLOR]: '#FF0000FF' }, []);
        expect(await store.getCalendar(owner)).toEqual({ seq: 0, props: { [DISPLAY]: 'Work', [COLOR]: '#FF0000FF' } });
        await store.patchCalendarProps(owner, { [ORDER]: '2', [DISPLAY]: 'Home' }, [COLOR]);
        expect(await store.getCalendar(owner)).toEqual({ seq: 0, props: { [DISPLAY]: 'Home', [ORDER]: '2' } });
        expect(await store.changesSince(owner, 0)).toEqual([]);
      });

      it('survives object writes, and writes survive it', async () => {
        fresh();
        await store.patchCalendarProps(owner, { [DISPLAY]: 'Work' }, []);
        expect(await store.putObject(owner, calendarObject('a.ics', 'u1'))).toEqual({ created: true, seq: 1, carried: false });
        await store.patchCalendarProps(owner, { [COLOR]: '#00FF00FF' }, []);
        expect(await store.getCalendar(owner)).toEqual({ seq: 1, props: { [DISPLAY]: 'Work', [COLOR]: '#00FF00FF' } });
        expect(await store.putObject(owner, calendarObject('b.ics', 'u2'))).toEqual({ created: true, seq: 2, carried: false });
      });

      it('removing properties never set is not an error', async () => {
        fresh();
        await store.patchCalendarProps(owner, {}, [COLOR]);
        await store.patchCalendarProps(owner, {}, []);
        await store.patchCalendarProps(owner, { [DISPLAY]: 'x' }, []);
        await store.patchCalendarProps(owner, {}, [COLOR, DISPLAY]);
        expect(await store.getCalendar(owner)).toEqual({ seq: 0, props: {} });
      });

      it('a name both set and removed ends up removed', async () => {
        fresh();
        await store.patchCalendarProps(owner, { [DISPLAY]: 'x', [COLOR]: 'c' }, [DISPLAY]);
        expect((await store.getCalendar(owner)).props).toEqual({ [COLOR]: 'c' });
      });

      it('returns a copy of the properties', async () => {
        fresh();
        await store.patchCalendarProps(owner, { [DISPLAY]: 'x' }, []);
        (await store.getCalendar(owner)).props[DISPLAY] = 'mutated';
        expect((await store.getCalendar(owner)).props[DISPLAY]).toBe('x');
      });
    });
  });
}
