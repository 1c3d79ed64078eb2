import { describe, expect, it } from 'vitest';
import { ActivityRecorder, MemoryActivityStore, RECORD_INTERVAL_MS, normalizeUserAgent, type ActivityStore } from '../../lambda/accounts/activity';

const IOS = 'iOS/18.2 (22C152) dataaccessd/1.0';
const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 9) + ms);

describe('ActivityRecorder', () => {
  it('writes a device only when its stored note is an hour old, whichever container asks', async () => {
    const store = new MemoryActivityStore();
    const writes: string[] = [];
    const counted: ActivityStore = { lastSeen: (e, u) => store.lastSeen(e, u), list: (e) => store.list(e), deleteUser: (e) => store.deleteUser(e), record: (e, d) => (writes.push(d.lastSeenAt), store.record(e, d)) };
    const first = new ActivityRecorder(counted);
    await first.seen('ana@x.com', IOS, 'PROPFIND', at(0));
    // Another container (a fresh recorder) reads the stored note and writes nothing for 59 minutes.
    const second = new ActivityRecorder(counted);
    await second.seen('ana@x.com', IOS, 'PROPFIND', at(15 * 60_000));
    await second.seen('ana@x.com', IOS, 'PROPFIND', at(59 * 60_000));
    expect(writes).toEqual([at(0).toISOString()]);
    // An hour after the stored note: renewed once.
    await second.seen('ana@x.com', IOS, 'REPORT', at(RECORD_INTERVAL_MS));
    await first.seen('ana@x.com', IOS, 'PUT', at(RECORD_INTERVAL_MS + 60_000));
    expect(writes).toEqual([at(0).toISOString(), at(RECORD_INTERVAL_MS).toISOString()]);
    expect(RECORD_INTERVAL_MS).toBe(3_600_000);
  });

  it('reads nothing for a device this container knows was noted within the hour', async () => {
    const store = new MemoryActivityStore();
    let reads = 0;
    const counted: ActivityStore = { lastSeen: (e, u) => (reads++, store.lastSeen(e, u)), list: (e) => store.list(e), deleteUser: (e) => store.deleteUser(e), record: (e, d) => store.record(e, d) };
    const recorder = new ActivityRecorder(counted);
    await recorder.seen('ana@x.com', IOS, 'PROPFIND', at(0));
    expect(recorder.check('ana@x.com', IOS, at(30 * 60_000))).toBeNull();
    expect(reads).toBe(1);
  });

  it('writes a device at most once per interval per container, each device on its own', async () => {
    const store = new MemoryActivityStore();
    const recorder = new ActivityRecorder(store);
    await recorder.seen('ana@x.com', IOS, 'PROPFIND', at(0));
    expect(recorder.seen('ana@x.com', IOS, 'REPORT', at(1000))).toBeNull();
    await recorder.seen('ana@x.com', 'Thunderbird', 'REPORT', at(2000));
    await recorder.seen('ana@x.com', IOS, 'PUT', at(RECORD_INTERVAL_MS));
    expect(await store.list('ana@x.com')).toEqual([
      { userAgent: IOS, lastSeenAt: at(RECORD_INTERVAL_MS).toISOString(), lastMethod: 'PUT' },
      { userAgent: 'Thunderbird', lastSeenAt: at(2000).toISOString(), lastMethod: 'REPORT' },
    ]);
    expect(await store.list('bob@x.com')).toEqual([]);
  });

  it('tries again on the next request after a failed write', async () => {
    let fail = true;
    const memory = new MemoryActivityStore();
    const store: ActivityStore = { lastSeen: (e, u) => memory.lastSeen(e, u), list: (e) => memory.list(e), deleteUser: (e) => memory.deleteUser(e), record: async (e, d) => (fail ? Promise.reject(new Error('throttled')) : memory.record(e, d)) };
    const recorder = new ActivityRecorder(store);
    await expect(recorder.seen('ana@x.com', IOS, 'GET', at(0))).rejects.toThrow('throttled');
    fail = false;
    await recorder.seen('ana@x.com', IOS, 'GET', at(1));
    expect(await memory.list('ana@x.com')).toHaveLength(1);
  });

  it('keeps user agents printable and bounded', () => {
    expect(normalizeUserAgent(undefined)).toBe('(no user agent)');
    expect(normalizeUserAgent('  a\u0000b\nc ')).toBe('a b c');
    expect(normalizeUserAgent('x'.repeat(1000))).toHaveLength(256);
  });
});
