/** One contract each for the admin and activity stores: memory always, DynamoDB on the run's DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { MemoryActivityStore, type ActivityStore } from '../../lambda/accounts/activity';
import { MemoryAdminStore, type AdminSession, type AdminStore } from '../../lambda/accounts/admins';
import { DynamoActivityStore } from '../../lambda/accounts/activity-store-dynamodb';
import { DynamoAdminStore } from '../../lambda/accounts/admin-store-dynamodb';
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
