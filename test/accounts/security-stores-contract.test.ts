/** The sign-in throttle and audit stores: one contract each, on memory and on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { DynamoAdminStore } from '../../lambda/accounts/admin-store-dynamodb';
import { MemoryAuditStore, auditId, type AuditEntry, type AuditStore } from '../../lambda/accounts/audit';
import { DynamoAuditStore } from '../../lambda/accounts/audit-store-dynamodb';
import { MemoryThrottleStore, THROTTLE_POLICIES, keyId, type ThrottleKey, type ThrottleStore } from '../../lambda/accounts/throttle';
import { DynamoThrottleStore } from '../../lambda/accounts/throttle-store-dynamodb';
import { ADMINS_TABLE, AUDIT_TABLE } from '../../lambda/store/dynamodb/schema';
import { tablePerTest } from '../helpers/dynamo';

const ACCOUNT: ThrottleKey = { scope: 'account', id: 'boss@x.com' };
const ADDRESS: ThrottleKey = { scope: 'address', id: '203.0.113.7' };
// Today: items past their TTL may be removed by the engine at any moment.
const T0 = Math.floor(Date.now() / 60_000) * 60_000;
const policy = THROTTLE_POLICIES.account;

function throttleContract(make: () => Promise<ThrottleStore>) {
  it('counts failures per key in a window, reads several keys at once, and clears one', async () => {
    const store = await make();
    expect(await store.get([ACCOUNT, ADDRESS])).toEqual(new Map());
    await store.fail(ACCOUNT, T0, policy);
    expect(await store.fail(ACCOUNT, T0 + 1000, policy)).toEqual({ failures: 2, firstAt: T0, lastAt: T0 + 1000 });
    await store.fail(ADDRESS, T0 + 2000, THROTTLE_POLICIES.address);
    const both = await store.get([ACCOUNT, ADDRESS]);
    expect(both.get(keyId(ACCOUNT))).toEqual({ failures: 2, firstAt: T0, lastAt: T0 + 1000 });
    expect(both.get(keyId(ADDRESS))?.failures).toBe(1);
    await store.clear(ACCOUNT);
    expect((await store.get([ACCOUNT, ADDRESS])).has(keyId(ACCOUNT))).toBe(false);
  });

  it('starts a new window once the last one has passed', async () => {
    const store = await make();
    for (let i = 0; i < 3; i++) await store.fail(ACCOUNT, T0 + i, policy);
    expect(await store.fail(ACCOUNT, T0 + policy.windowMs + 5, policy)).toEqual({ failures: 1, firstAt: T0 + policy.windowMs + 5, lastAt: T0 + policy.windowMs + 5 });
  });

  it('loses no failure when many are counted at once (every container shares the count)', async () => {
    const store = await make();
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.fail(ACCOUNT, T0 + i, policy)));
    expect((await store.get([ACCOUNT])).get(keyId(ACCOUNT))?.failures).toBe(12);
  });
}

const entry = (at: string, action: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({ id: auditId(new Date(at)), at, actor: 'boss@x.com', via: 'console', action, target: 'ana@x.com', ...extra });

function auditContract(make: () => Promise<AuditStore>) {
  it('lists newest first across months, in pages that say where the next begins', async () => {
    const store = await make();
    const all = [
      entry('2026-10-30T10:00:00.000Z', 'user.create', { from: '203.0.113.7', userAgent: 'Firefox' }),
      entry('2026-11-02T10:00:00.000Z', 'user.enable', { detail: 'new app password' }),
      entry('2026-11-20T10:00:00.000Z', 'link.create'),
      entry('2026-12-01T08:00:00.000Z', 'user.disable', { actor: 'admin token', via: 'token' }),
      entry('2026-12-01T09:00:00.000Z', 'user.delete'),
    ];
    for (const e of all) await store.append(e);
    const first = await store.list({ limit: 2 });
    expect(first.entries).toEqual([all[4], all[3]]);
    expect(first.next).toBe(all[3]!.id);
    const second = await store.list({ limit: 2, before: first.next });
    expect(second.entries).toEqual([all[2], all[1]]);
    const last = await store.list({ limit: 2, before: second.next });
    expect(last).toEqual({ entries: [all[0]] });
    expect((await store.list({ limit: 10 })).entries.map((e) => e.action)).toEqual(['user.delete', 'user.disable', 'link.create', 'user.enable', 'user.create']);
  });
}

const NOW = () => new Date('2026-12-15T12:00:00Z');

describe('MemoryThrottleStore', () => throttleContract(async () => new MemoryThrottleStore()));
describe('DynamoThrottleStore', () => throttleContract(tablePerTest(ADMINS_TABLE, (doc, table) => new DynamoThrottleStore(doc, table))));
describe('MemoryAuditStore', () => auditContract(async () => new MemoryAuditStore()));
describe('DynamoAuditStore', () => {
  auditContract(tablePerTest(AUDIT_TABLE, (doc, table) => new DynamoAuditStore(doc, table, 400, NOW)));

  const open = tablePerTest(AUDIT_TABLE, (doc, table) => ({ doc, table, store: new DynamoAuditStore(doc, table, 30, NOW) }));
  it('gives each entry a TTL of its retention, appends only, and reads back no further than it', async () => {
    const { doc, table, store } = await open();
    const recent = entry('2026-12-10T10:00:00.000Z', 'user.create');
    await store.append(recent);
    await expect(store.append(recent)).rejects.toThrow(/conditional/i);
    await store.append(entry('2026-09-01T10:00:00.000Z', 'user.update'));
    expect((await store.list({ limit: 10 })).entries).toEqual([recent]);
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = (await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'month#2026-12' } }))).Items!;
    expect(items[0]!.expiresAt).toBe(Date.parse(recent.at) / 1000 + 30 * 86400);
  });
});

describe('throttle items beside the admin accounts', () => {
  const open = tablePerTest(ADMINS_TABLE, (doc, table) => ({ admins: new DynamoAdminStore(doc, table), throttle: new DynamoThrottleStore(doc, table) }));
  it('are never listed as accounts, and go when the account is removed or reset', async () => {
    const { admins, throttle } = await open();
    await admins.putAccount({ email: 'boss@x.com', passwordHash: 'h', createdAt: '2026-12-01T09:00:00.000Z' });
    await throttle.fail(ACCOUNT, T0, policy);
    await throttle.fail(ADDRESS, T0, THROTTLE_POLICIES.address);
    expect((await admins.listAccounts()).map((a) => a.email)).toEqual(['boss@x.com']);
    await admins.deleteAccount('boss@x.com');
    expect((await throttle.get([ACCOUNT, ADDRESS])).has(keyId(ACCOUNT))).toBe(false);
    expect((await throttle.get([ADDRESS])).has(keyId(ADDRESS))).toBe(true);
  });
});
