import { describe, expect, it } from 'vitest';
import { dynamoClientConfig, tableEnv, tableNamesFromEnv } from '../../../lambda/store/dynamodb/client';
import { wireTargetFromEnv } from '../../../lambda/store/dynamodb/environment';

describe('dynamoClientConfig', () => {
  it('uses the default chain on AWS: region only', () => {
    expect(dynamoClientConfig({ AWS_REGION: 'eu-west-3' })).toEqual({ region: 'eu-west-3' });
    // No region variable: the SDK's chain (the AWS profile's region) decides.
    expect(dynamoClientConfig({})).toEqual({});
    expect(dynamoClientConfig({ AWS_PROFILE: 'prod' })).toEqual({});
  });

  it('points at CALDAV_DYNAMODB_ENDPOINT with dummy credentials when none are given', () => {
    expect(dynamoClientConfig({ CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:8000',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  it('leaves AWS_ENDPOINT_URL to the SDK but still supplies dummy credentials', () => {
    const config = dynamoClientConfig({ AWS_ENDPOINT_URL: 'http://localhost:4566' });
    expect(config.endpoint).toBeUndefined();
    expect(config.credentials).toBeDefined();
  });

  it('keeps real credentials from the environment', () => {
    const config = dynamoClientConfig({
      CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.credentials).toBeUndefined();
  });
});

describe('tableNamesFromEnv', () => {
  it('reads EVENTS_TABLE, SYNC_TABLE, USERS_TABLE, OUTBOX_TABLE, CRM_TABLE, JOBS_TABLE, ADMINS_TABLE, ACTIVITY_TABLE and AUDIT_TABLE', () => {
    const env = { EVENTS_TABLE: 'e', SYNC_TABLE: 's', USERS_TABLE: 'u', OUTBOX_TABLE: 'o', CRM_TABLE: 'c', JOBS_TABLE: 'j', ADMINS_TABLE: 'a', ACTIVITY_TABLE: 'd', AUDIT_TABLE: 'l' };
    const names = { events: 'e', sync: 's', users: 'u', outbox: 'o', crm: 'c', jobs: 'j', admins: 'a', activity: 'd', audit: 'l' };
    expect(tableNamesFromEnv(env)).toEqual(names);
    expect(tableEnv(names)).toEqual(env);
  });

  it('falls back to the local defaults', () => {
    expect(tableNamesFromEnv({})).toEqual({
      events: 'crm-caldav-events',
      sync: 'crm-caldav-sync',
      users: 'crm-caldav-users',
      outbox: 'crm-caldav-outbox',
      crm: 'crm-caldav-crm',
      jobs: 'crm-caldav-jobs',
      admins: 'crm-caldav-admins',
      activity: 'crm-caldav-activity',
      audit: 'crm-caldav-audit',
    });
  });
});

describe('wireTargetFromEnv (the reading functions, no SDK client)', () => {
  const target = async (env: Record<string, string>) => {
    const t = wireTargetFromEnv(env);
    return { url: t.url.href, region: t.region, credentials: await t.credentials() };
  };

  it('on Lambda: the region’s endpoint and the credentials Lambda sets, session token included', async () => {
    expect(await target({ AWS_REGION: 'eu-west-3', AWS_ACCESS_KEY_ID: 'ASIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })).toEqual({
      url: 'https://dynamodb.eu-west-3.amazonaws.com/',
      region: 'eu-west-3',
      credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' },
    });
    expect((await target({ AWS_DEFAULT_REGION: 'cn-north-1', AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 's' })).url).toBe('https://dynamodb.cn-north-1.amazonaws.com.cn/');
  });

  it('picks the endpoint as client.ts does: the project variable, then AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL; any key pair for a local engine', async () => {
    const all = { CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb:4566', AWS_ENDPOINT_URL: 'http://any:4566' };
    expect(await target(all)).toEqual({ url: 'http://127.0.0.1:8000/', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    expect((await target({ ...all, CALDAV_DYNAMODB_ENDPOINT: '' })).url).toBe('http://ddb:4566/');
    expect((await target({ AWS_ENDPOINT_URL: 'http://any:4566', AWS_REGION: 'eu-west-1' })).url).toBe('http://any:4566/');
  });

  it('says what is missing on AWS instead of signing with nothing', () => {
    expect(() => wireTargetFromEnv({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 's' })).toThrow(/AWS_REGION/);
    expect(() => wireTargetFromEnv({ AWS_REGION: 'eu-west-1' })).toThrow(/credentials/);
  });
});
