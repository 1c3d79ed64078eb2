import { describe, expect, it } from 'vitest';
import { ActivityRecorder, MemoryActivityStore, RECORD_INTERVAL_MS, normalizeUserAgent, type ActivityStore } from '../../lambda/accounts/activity';

const IOS = 'iOS/18.2 (22C152) dataaccessd/1.0';
const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 9) + ms);

describe('ActivityRecorder', () => {
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
    const store: ActivityStore = { ...memory, list: (e) => memory.list(e), deleteUser: (e) => memory.deleteUser(e), record: async (e, d) => (fail ? Promise.reject(new Error('throttled')) : memory.record(e, d)) };
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
