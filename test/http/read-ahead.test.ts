/** What a read method may do before its credentials are checked (a unit test, memory store). */
import { describe, expect, it } from 'vitest';
import { MAX_KEYS_BEFORE_AUTH, storeAfterAuth } from '../../lambda/http/read-ahead';
import { MemoryCalendarStore } from '../../lambda/store/memory';
import type { CalendarStore } from '../../lambda/store/types';

function recording(): { store: CalendarStore; called: string[] } {
  const inner = new MemoryCalendarStore();
  const called: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        called.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as CalendarStore;
  return { store, called };
}

function gate() {
  let open!: () => void;
  let refuse!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    refuse = reject;
  });
  return { promise, open, refuse };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('storeAfterAuth', () => {
  it('lets key reads through at once and holds listings, queries and writes until the check passes', async () => {
    const { store, called } = recording();
    const auth = gate();
    const early = storeAfterAuth(store, auth.promise);
    await Promise.all([early.getCalendar('a'), early.getObject('a', 'x.ics'), early.getObjects('a', ['y.ics'])]);
    const held = [early.listObjects('a'), early.findInRange('a', null, null), early.patchCalendarProps('a', { p: 'v' }, [])];
    await tick();
    expect(called).toEqual(['getCalendar', 'getObject', 'getObjects']);
    auth.open();
    await Promise.all(held);
    expect(called.slice(3).sort()).toEqual(['findInRange', 'listObjects', 'patchCalendarProps']);
  });

  it("starts the change log at once, telling the store to read past its first page only after the check", async () => {
    const inner = new MemoryCalendarStore();
    const seen: unknown[] = [];
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'changesSince') return (...args: unknown[]) => (seen.push(args[3]), target.changesSince('a', 0));
        return Reflect.get(target, prop, receiver);
      },
    }) as CalendarStore;
    const auth = gate();
    await storeAfterAuth(store, auth.promise).changesSince('a', 0);
    expect(seen).toEqual([{ restAfter: auth.promise }]);
  });

  it(`spends at most ${MAX_KEYS_BEFORE_AUTH} keys before the check`, async () => {
    const { store, called } = recording();
    const auth = gate();
    const early = storeAfterAuth(store, auth.promise);
    const big = early.getObjects('a', Array.from({ length: MAX_KEYS_BEFORE_AUTH + 1 }, (_, i) => `${i}.ics`));
    await Promise.all(Array.from({ length: MAX_KEYS_BEFORE_AUTH }, (_, i) => early.getObject('a', `${i}.ics`)));
    const over = early.getObject('a', 'one-more.ics');
    await tick();
    expect(called).toHaveLength(MAX_KEYS_BEFORE_AUTH);
    auth.open();
    await Promise.all([big, over]);
    expect(called).toHaveLength(MAX_KEYS_BEFORE_AUTH + 2);
  });

  it('fails what it held back with the check\'s error when the credentials are refused', async () => {
    const { store, called } = recording();
    const auth = gate();
    const early = storeAfterAuth(store, auth.promise);
    const held = early.listObjects('a');
    const refused = new Error('401');
    auth.refuse(refused);
    await expect(held).rejects.toBe(refused);
    expect(called).toEqual([]);
  });
});
