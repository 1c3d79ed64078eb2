import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { configFromEnv } from '../../lambda/app/config';
import { dependenciesFromEnv, getDependencies, setDependencies } from '../../lambda/http/deps';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';

afterEach(() => setDependencies(undefined));

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
});

describe('dependencies', () => {
  it('builds DynamoDB stores from the environment without contacting DynamoDB', async () => {
    const deps = await dependenciesFromEnv({ CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', CALDAV_SYNC_RETENTION_DAYS: '1', CRM_CONNECTOR: 'none' });
    expect(deps.store).toBeInstanceOf(DynamoCalendarStore);
    expect(deps.users).toBeInstanceOf(DynamoUserStore);
    expect(deps.config.syncRetentionSeconds).toBe(86_400);
    expect(deps.crm).toBeUndefined();
  });

  it('syncs with the built-in CRM by default: the plain store, the change hook and the bridge exposed', async () => {
    const { BuiltinCrm } = await import('../../lambda/crm/builtin');
    const deps = await dependenciesFromEnv({ CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' });
    expect(deps.store).toBeInstanceOf(DynamoCalendarStore);
    expect(deps.onObjectChange).toBeTypeOf('function');
    expect(deps.crm?.connector).toBeInstanceOf(BuiltinCrm);
  });

  it('serves installed dependencies until they are removed', async () => {
    const installed = { store: new MemoryCalendarStore(), users: new MemoryUserStore(), config: DEFAULT_CONFIG, now: () => new Date() };
    setDependencies(installed);
    expect(await getDependencies()).toBe(installed);
    expect(await getDependencies()).toBe(installed);
  });
});
