import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { configFromEnv } from '../../lambda/app/config';
import { aboutFromEnv } from '../../lambda/platform/env';
import { composeApp } from '../../lambda/app/app';
import { buildApp } from '../../lambda/app/build';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import { ListingCache } from '../../lambda/store/listing-cache';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';
import { MemoryOutbox } from '../../lambda/sync/outbox';

describe('configFromEnv', () => {
  it('reads the limits from the environment and falls back to the defaults', () => {
    expect(configFromEnv({})).toEqual(DEFAULT_CONFIG);
    expect(configFromEnv({ CALDAV_MAX_RESOURCE_SIZE: '2048', CALDAV_SYNC_RETENTION_DAYS: '7' })).toEqual({
      maxResourceSize: 2048,
      syncRetentionSeconds: 7 * 24 * 3600,
    });
    expect(() => configFromEnv({ CALDAV_MAX_RESOURCE_SIZE: 'big' })).toThrow(/CALDAV_MAX_RESOURCE_SIZE/);
    expect(() => configFromEnv({ CALDAV_SYNC_RETENTION_DAYS: '-1' })).toThrow(/CALDAV_SYNC_RETENTION_DAYS/);
  });

  it('reads the release and the schedule for the admin overview; 0 or garbage is no schedule', () => {
    expect(aboutFromEnv({ CALDAV_VERSION: '1.2.3', CALDAV_SCHEDULE_MINUTES: '15' })).toEqual({ version: '1.2.3', scheduleMinutes: 15 });
    expect(aboutFromEnv({ CALDAV_SCHEDULE_MINUTES: '0' })).toEqual({ version: null, scheduleMinutes: null });
    expect(aboutFromEnv({ CALDAV_SCHEDULE_MINUTES: 'often' }).scheduleMinutes).toBeNull();
  });
});

describe('buildApp (DynamoDB, from the environment)', () => {
  const ENDPOINT = { CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' };

  it('builds DynamoDB stores without contacting DynamoDB; CRM_CONNECTOR=none means no bridge and no pass', async () => {
    const app = buildApp({ env: { ...ENDPOINT, CALDAV_SYNC_RETENTION_DAYS: '1', CRM_CONNECTOR: 'none' } });
    expect(app.store).toBeInstanceOf(ListingCache); // in front of the DynamoDB calendar store
    expect(app.users).toBeInstanceOf(DynamoUserStore);
    expect(app.config.syncRetentionSeconds).toBe(86_400);
    expect(app.crm).toBeNull();
    expect(app.onObjectChange).toBeUndefined();
    expect(app.jobDeps).toBeNull();
    // The admin API still answers; the built-in CRM is not wired at all.
    expect(app.crmApi).toBeTypeOf('function');
    await app.close();
  });

  it('syncs with the built-in CRM by default: one instance behind the bridge, the jobs and the API', async () => {
    const app = buildApp({ env: ENDPOINT });
    expect(app.onObjectChange).toBeTypeOf('function');
    // On the calendar's own DynamoDB, its part of a phone write joins the calendar's transaction.
    expect(app.crm?.delivery).toBe('in-transaction');
    expect(app.admins).not.toBeNull();
    expect(app.activity).not.toBeNull();
    expect(app.crm?.connector).toBeInstanceOf(BuiltinCrm);
    expect(app.jobDeps?.crm).toBe(app.crm?.connector);
    expect(app.jobDeps?.store).toBe(app.store);
    await app.close();
  });

  it('refuses a bad variable when built, before any request', () => {
    expect(() => buildApp({ env: { ...ENDPOINT, CRM_CONNECTOR: 'salesforce' } })).toThrow(/CRM_CONNECTOR/);
    expect(() => buildApp({ env: { ...ENDPOINT, CALDAV_MAX_RESOURCE_SIZE: 'x' } })).toThrow(/CALDAV_MAX_RESOURCE_SIZE/);
  });
});

describe('composeApp', () => {
  it('a plain CalDAV server without a CRM or jobs: the admin API works, no CRM routes exist', async () => {
    const app = composeApp({ store: new MemoryCalendarStore(), users: new MemoryUserStore(), config: DEFAULT_CONFIG, adminToken: 'plain-admin-token' });
    expect(app.crm).toBeNull();
    expect(app.jobDeps).toBeNull();
    const get = (path: string) => app.crmApi({ method: 'GET', path, query: {}, headers: { authorization: 'Bearer plain-admin-token' }, body: '' });
    expect((await get('/crm/v1/users')).status).toBe(200);
    expect((await get('/crm/v1/events')).status).toBe(404);
    expect((await get('/crm/v1/leads')).status).toBe(404);
  });

  it('wires the bridge on the one store and clock it is given', async () => {
    const store = new MemoryCalendarStore();
    const now = () => new Date('2026-01-01T00:00:00Z');
    const connector = new MemoryCrmConnector();
    const app = composeApp({ store, users: new MemoryUserStore(), config: DEFAULT_CONFIG, now, bridge: { connector, outbox: new MemoryOutbox(), delivery: 'after-commit' } });
    expect(app.crm?.connector).toBe(connector);
    expect(app.onObjectChange).toBeTypeOf('function');
    expect(app.now()).toEqual(now());
    expect(await app.crm!.status()).toEqual({ pending: 0, oldestPendingSince: null, users: [] });
  });
});
