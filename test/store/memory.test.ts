import { describe, expect, it } from 'vitest';
import { MemoryCalendarStore } from '../../lambda/store/memory';
import { calendarObject, calendarStoreContract, newOwner } from './calendar-store.contract';

calendarStoreContract('memory', () => new MemoryCalendarStore());

describe('MemoryCalendarStore change-log expiry', () => {
  it('answers null once entries after the token have expired', async () => {
    const store = new MemoryCalendarStore();
    const owner = newOwner();
    await store.putObject(owner, calendarObject('a.ics', 'u1'));
    await store.putObject(owner, calendarObject('b.ics', 'u2'));
    store.expireChangesThrough(owner, 1);
    expect(await store.changesSince(owner, 0)).toBeNull();
    expect((await store.changesSince(owner, 1))?.map(({ seq, name, deleted }) => ({ seq, name, deleted }))).toEqual([{ seq: 2, name: 'b.ics', deleted: false }]);
  });
});
