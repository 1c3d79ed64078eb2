import { describe, expect, it } from 'vitest';
import { ListingCache } from '../../lambda/store/listing-cache';
import { MemoryCalendarStore } from '../../lambda/store/memory';
import type { CalendarStore, Change, ObjectSummary, ObjectWrite } from '../../lambda/store/types';
import { calendarObject, calendarStoreContract, newOwner, readingTheCounter } from './calendar-store.contract';

calendarStoreContract('listing cache over memory', () => readingTheCounter(new ListingCache(new MemoryCalendarStore())));

/** The memory store with a tally of the calls the cache makes to it. */
class CountingStore extends MemoryCalendarStore {
  calls: Record<string, number> = {};
  fetched: string[][] = [];
  hideSummaries = false;
  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }
  override async listObjects(owner: string) {
    this.count('listObjects');
    return super.listObjects(owner);
  }
  override async findInRange(owner: string, start: number | null, end: number | null) {
    this.count('findInRange');
    return super.findInRange(owner, start, end);
  }
  override async getObjects(owner: string, names: string[]) {
    this.count('getObjects');
    this.fetched.push([...names].sort());
    return super.getObjects(owner, names);
  }
  override async changesSince(owner: string, since: number, atSeq?: number): Promise<Change[] | null> {
    this.count('changesSince');
    const log = await super.changesSince(owner, since, atSeq);
    return this.hideSummaries && log ? log.map(({ summary: _, ...rest }) => rest) : log;
  }
}

const etags = (list: ObjectSummary[]) => Object.fromEntries(list.map((o) => [o.name, o.etag]));

describe('ListingCache', () => {
  /** Two containers (caches) over one table (the inner store). */
  function twoContainers(limits = {}) {
    const inner = new CountingStore();
    return { inner, a: new ListingCache(inner, limits), b: new ListingCache(inner, limits), owner: newOwner() };
  }
  const seqOf = async (store: CalendarStore, owner: string) => (await store.getCalendar(owner)).seq;

  it("answers a listing at an unchanged sequence number from memory, and brings it up to date from the log after another container's writes", async () => {
    const { inner, a, b, owner } = twoContainers();
    await b.putObject(owner, calendarObject('one.ics', 'one'));
    await b.putObject(owner, calendarObject('two.ics', 'two'));
    await a.listObjects(owner, await seqOf(a, owner));
    await a.listObjects(owner, await seqOf(a, owner));
    expect(inner.calls).toEqual({ listObjects: 1 });

    const three = calendarObject('three.ics', 'three');
    const oneAgain = calendarObject('one.ics', 'one');
    await b.putObject(owner, three);
    await b.putObject(owner, oneAgain);
    await b.deleteObject(owner, 'two.ics');
    const listed = await a.listObjects(owner, await seqOf(a, owner));
    expect(etags(listed)).toEqual({ 'one.ics': oneAgain.etag, 'three.ics': three.etag });
    expect(etags(listed)).toEqual(etags(await inner.listObjects(owner)));
    expect(inner.calls).toMatchObject({ listObjects: 2, changesSince: 1 }); // the second listObjects is this test's
  });

  it('reads the listing again when the log cannot say: expired, or entries without summaries', async () => {
    const { inner, a, b, owner } = twoContainers();
    await b.putObject(owner, calendarObject('one.ics', 'one'));
    await a.listObjects(owner, 1);
    await b.putObject(owner, calendarObject('two.ics', 'two'));
    inner.hideSummaries = true;
    expect((await a.listObjects(owner, 2)).map((o) => o.name).sort()).toEqual(['one.ics', 'two.ics']);
    inner.hideSummaries = false;
    await b.putObject(owner, calendarObject('three.ics', 'three'));
    inner.expireChangesThrough(owner, 3);
    expect(await a.listObjects(owner, 3)).toHaveLength(3);
    expect(inner.calls.listObjects).toBe(3);
  });

  it("follows its own writes without reading the log, and leaves a request that read an older counter to the store", async () => {
    const { inner, a, owner } = twoContainers();
    await a.listObjects(owner, 0);
    await a.putObject(owner, calendarObject('one.ics', 'one'));
    await a.deleteObject(owner, 'one.ics');
    await a.putObject(owner, calendarObject('two.ics', 'two'));
    expect((await a.listObjects(owner, 3)).map((o) => o.name)).toEqual(['two.ics']);
    expect(inner.calls).toEqual({ listObjects: 1 });
    await a.listObjects(owner, 2);
    expect(inner.calls).toEqual({ listObjects: 2 });
  });

  it('a cold query reads the summaries, then only its candidates; later only texts it has not seen at their ETag', async () => {
    const { inner, a, b, owner } = twoContainers();
    // Objects of 5 KB: two units each by key, against the whole calendar's four.
    const big = (o: ObjectWrite): ObjectWrite => ({ ...o, size: 5_000 });
    await b.putObject(owner, big(calendarObject('jan.ics', 'jan', { start: 0, end: 10 })));
    await b.putObject(owner, big(calendarObject('feb.ics', 'feb', { start: 20, end: 30 })));
    await b.putObject(owner, big(calendarObject('weekly.ics', 'weekly', { start: 0, end: null })));
    const inFeb = async () => (await a.findInRange(owner, 15, 35, await seqOf(a, owner))).map((o) => o.name).sort();
    expect(await inFeb()).toEqual(['feb.ics', 'weekly.ics']);
    expect(await inFeb()).toEqual(['feb.ics', 'weekly.ics']);
    await b.putObject(owner, big(calendarObject('feb.ics', 'feb', { start: 21, end: 30 })));
    const updated = await a.findInRange(owner, 15, 35, await seqOf(a, owner));
    expect(updated.find((o) => o.name === 'feb.ics')?.rangeStart).toBe(21);
    expect(inner.calls.findInRange).toBeUndefined();
    expect(inner.calls.listObjects).toBe(1);
    expect(inner.fetched).toEqual([['feb.ics', 'weekly.ics'], ['feb.ics']]);
  });

  it('reads the whole calendar in one query when its small objects weigh less than the candidates by key', async () => {
    const { inner, a, b, owner } = twoContainers();
    for (let i = 0; i < 10; i++) await b.putObject(owner, calendarObject(`e${i}.ics`, `e${i}`, { start: i < 6 ? 20 : 0, end: i < 6 ? 30 : 10 }));
    const found = await a.findInRange(owner, 15, 35, await seqOf(a, owner));
    expect(found.map((o) => o.name).sort()).toEqual(['e0.ics', 'e1.ics', 'e2.ics', 'e3.ics', 'e4.ics', 'e5.ics']);
    expect(inner.calls.findInRange).toBe(1);
    expect(inner.fetched).toEqual([]);
    // Its texts are kept: the same query again reads nothing.
    await a.findInRange(owner, 15, 35, await seqOf(a, owner));
    expect(inner.calls.findInRange).toBe(1);
  });

  it('drops the least recently used calendars beyond its bound of summaries', async () => {
    const inner = new CountingStore();
    const cache = new ListingCache(inner, { maxSummaries: 2 });
    const [first, second] = [newOwner(), newOwner()];
    await inner.putObject(first, calendarObject('a.ics', 'a'));
    await inner.putObject(second, calendarObject('b.ics', 'b'));
    await inner.putObject(second, calendarObject('c.ics', 'c'));
    await cache.listObjects(first, 1);
    await cache.listObjects(second, 2); // 3 summaries: the first calendar goes
    await cache.listObjects(second, 2);
    await cache.listObjects(first, 1);
    expect(inner.calls.listObjects).toBe(3);
  });

  it('keeps texts within its byte bound', async () => {
    const inner = new CountingStore();
    const one = calendarObject('one.ics', 'one');
    const cache = new ListingCache(inner, { maxTextBytes: one.size + 10 });
    const owner = newOwner();
    await cache.putObject(owner, one);
    await cache.putObject(owner, calendarObject('two.ics', 'two')); // evicts one's text
    await cache.listObjects(owner, 2);
    inner.fetched = [];
    await cache.findInRange(owner, null, null, 2);
    expect(inner.fetched).toEqual([['one.ics']]);
  });

  it('a cold query of a calendar bigger than the text bound answers from what it read', async () => {
    const inner = new CountingStore();
    const one = calendarObject('one.ics', 'one');
    const cache = new ListingCache(inner, { maxTextBytes: one.size + 10 });
    const owner = newOwner();
    await inner.putObject(owner, one);
    await inner.putObject(owner, calendarObject('two.ics', 'two'));
    expect((await cache.findInRange(owner, null, null, 2)).map((o) => o.name).sort()).toEqual(['one.ics', 'two.ics']);
    expect(inner.calls.findInRange).toBe(1);
    expect(inner.fetched).toEqual([]);
  });
});
