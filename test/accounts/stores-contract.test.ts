/** One contract each for the admin, activity and guess-count stores: memory always, DynamoDB on the run's DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { MemoryActivityStore, type ActivityStore } from '../../lambda/accounts/activity';
import { MemoryAdminStore, type AdminSession, type AdminStore } from '../../lambda/accounts/admins';
import { DynamoActivityStore } from '../../lambda/accounts/activity-store-dynamodb';
import { DynamoAdminStore } from '../../lambda/accounts/admin-store-dynamodb';
import { GUESS_LIMIT, GUESS_WINDOW_MS, MemoryGuessStore, type GuessStore } from '../../lambda/accounts/guesses';
import { DynamoGuessStore } from '../../lambda/accounts/guesses-store-dynamodb';
import { ACTIVITY_TABLE, ADMINS_TABLE } from '../../lambda/store/dynamodb/schema';
import { tablePerTest } from '../helpers/dynamo';

const account = (email: string) => ({ email, passwordHash: 'sha256$c2FsdA==$aGFzaA==', createdAt: '2026-12-01T09:00:00.000Z' });
const session = (email: string, tokenHash: string): AdminSession => ({ email, tokenHash, csrf: `csrf-${tokenHash}`, createdAt: '2026-12-01T09:00:00.000Z', expiresAt: 1_800_000_000 });

function adminContract(make: () => Promise<AdminStore>) {
  it('keeps accounts by lower-cased e-mail and lists them in order', async () => {
    const store = await make();
    await store.putAccount({ ...account('zed@x.com'), name: 'Zed' });
    await store.putAccount(account('amy@x.com'));
    expect(await store.getAccount('ZED@x.com')).toEqual({ ...account('zed@x.com'), name: 'Zed' });
    expect((await store.listAccounts()).map((a) => a.email)).toEqual(['amy@x.com', 'zed@x.com']);
    expect(await store.getAccount('nobody@x.com')).toBeNull();
  });

  it('reads an account and one session together; deleting the account removes its sessions', async () => {
    const store = await make();
    await store.putAccount(account('amy@x.com'));
    await store.putSession(session('amy@x.com', 'h1'));
    await store.putSession(session('amy@x.com', 'h2'));
    expect(await store.getAccountAndSession('amy@x.com', 'h1')).toEqual({ account: account('amy@x.com'), session: session('amy@x.com', 'h1') });
    expect((await store.getAccountAndSession('amy@x.com', 'h3')).session).toBeNull();
    await store.deleteSession('amy@x.com', 'h1');
    expect((await store.getAccountAndSession('amy@x.com', 'h1')).session).toBeNull();
    expect(await store.deleteAccount('amy@x.com')).toBe(true);
    expect(await store.getAccountAndSession('amy@x.com', 'h2')).toEqual({ account: null, session: null });
    expect(await store.deleteAccount('amy@x.com')).toBe(false);
    expect(await store.listAccounts()).toEqual([]);
  });
}

function activityContract(make: () => Promise<ActivityStore>) {
  it('keeps one record per user agent, most recent first, and forgets a deleted user', async () => {
    const store = await make();
    await store.record('ana@x.com', { userAgent: 'iOS/18.2', lastSeenAt: '2026-12-01T09:00:00.000Z', lastMethod: 'PROPFIND' });
    await store.record('ana@x.com', { userAgent: 'Thunderbird/128', lastSeenAt: '2026-12-01T09:05:00.000Z', lastMethod: 'REPORT' });
    await store.record('ana@x.com', { userAgent: 'iOS/18.2', lastSeenAt: '2026-12-01T09:10:00.000Z', lastMethod: 'PUT' });
    await store.record('bob@x.com', { userAgent: 'iOS/18.2', lastSeenAt: '2026-12-01T09:00:00.000Z', lastMethod: 'GET' });
    expect(await store.list('ana@x.com')).toEqual([
      { userAgent: 'iOS/18.2', lastSeenAt: '2026-12-01T09:10:00.000Z', lastMethod: 'PUT' },
      { userAgent: 'Thunderbird/128', lastSeenAt: '2026-12-01T09:05:00.000Z', lastMethod: 'REPORT' },
    ]);
    await store.deleteUser('ana@x.com');
    expect(await store.list('ana@x.com')).toEqual([]);
    expect(await store.list('bob@x.com')).toHaveLength(1);
  });
}

describe('MemoryAdminStore', () => adminContract(async () => new MemoryAdminStore()));
describe('DynamoAdminStore', () => adminContract(tablePerTest(ADMINS_TABLE, (doc, table) => new DynamoAdminStore(doc, table))));
describe('MemoryActivityStore', () => activityContract(async () => new MemoryActivityStore()));
describe('DynamoActivityStore', () => activityContract(tablePerTest(ACTIVITY_TABLE, (doc, table) => new DynamoActivityStore(doc, table))));

/** An account's tries of its current password (`password`: which one). */
const pw = (email: string, password = 'p1') => ({ email, password });

function guessContract(make: () => Promise<GuessStore>) {
  const at = (minutes: number) => new Date(Date.parse('2026-12-01T09:00:00.000Z') + minutes * 60_000);

  it(`allows ${GUESS_LIMIT} tries per account in a window, then refuses until the window ends`, async () => {
    const store = await make();
    for (let i = 0; i < GUESS_LIMIT; i++) expect(await store.count(pw('ana@x.com'), at(i))).toEqual({ allowed: true });
    const refused = await store.count(pw('ana@x.com'), at(GUESS_LIMIT));
    expect(refused.allowed).toBe(false);
    // Until the end of the window its first try started.
    expect((refused as { until: Date }).until).toEqual(new Date(at(0).getTime() + GUESS_WINDOW_MS));
    // Another account is counted apart.
    expect(await store.count(pw('bob@x.com'), at(GUESS_LIMIT))).toEqual({ allowed: true });
    // Once the window has ended, a new one starts.
    expect(await store.count(pw('ana@x.com'), new Date(at(0).getTime() + GUESS_WINDOW_MS))).toEqual({ allowed: true });
  });

  it('counts tries made at once (containers starting a window together) without refusing any below the limit', async () => {
    const store = await make();
    const counted = await Promise.all(Array.from({ length: GUESS_LIMIT }, () => store.count(pw('cy@x.com'), at(0))));
    expect(counted.every((c) => c.allowed)).toBe(true);
    expect((await store.count(pw('cy@x.com'), at(1))).allowed).toBe(false);
  });

  it('counts each password of an account apart: a new one starts uncounted', async () => {
    const store = await make();
    for (let i = 0; i < GUESS_LIMIT; i++) await store.count(pw('ana@x.com'), at(0));
    expect((await store.count(pw('ana@x.com'), at(1))).allowed).toBe(false);
    expect(await store.count(pw('ana@x.com', 'p2'), at(1))).toEqual({ allowed: true });
  });

  it('forgets the tries of a verified password', async () => {
    const store = await make();
    for (let i = 0; i < GUESS_LIMIT; i++) await store.count(pw('ana@x.com'), at(0));
    await store.clear(pw('ana@x.com'));
    expect(await store.count(pw('ana@x.com'), at(1))).toEqual({ allowed: true });
    await store.clear(pw('nobody@x.com'));
  });
}

describe('MemoryGuessStore', () => guessContract(async () => new MemoryGuessStore()));
describe('DynamoGuessStore', () => guessContract(tablePerTest(ACTIVITY_TABLE, (doc, table) => new DynamoGuessStore(doc, table))));

describe('the activity table shared by devices and guess counts', () => {
  const open = tablePerTest(ACTIVITY_TABLE, (doc, table) => ({ activity: new DynamoActivityStore(doc, table), guesses: new DynamoGuessStore(doc, table) }));
  it("lists the user's devices only, and a user's deletion takes the count along", async () => {
    const { activity, guesses } = await open();
    await activity.record('ana@x.com', { userAgent: 'iOS/18.2', lastSeenAt: '2026-12-01T09:00:00.000Z', lastMethod: 'PROPFIND' });
    for (let i = 0; i < GUESS_LIMIT; i++) await guesses.count(pw('ana@x.com'), new Date('2026-12-01T09:00:00.000Z'));
    expect(await activity.list('ana@x.com')).toHaveLength(1);
    await activity.deleteUser('ana@x.com');
    expect(await guesses.count(pw('ana@x.com'), new Date('2026-12-01T09:01:00.000Z'))).toEqual({ allowed: true });
  });
});
