/**
 * Export progress through the local server as shipped: the CRM API handler with dependencies
 * built from the environment (the jobs table included) on DynamoDB Local, before and after a
 * scheduled run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { hashPassword } from '../../lambda/accounts/passwords';
import { runScheduledPass } from '../../lambda/jobs/pass';
import type { ExportProgressView } from '../../lambda/jobs/progress';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { PAT, event, user } from '../jobs/world';

const TOKEN = 'local-admin-token-exports';
const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const basic = `Basic ${Buffer.from(`${PAT}:${PASSWORD}`).toString('base64')}`;
let t: TestTables;
let server: LocalServer;

beforeAll(async () => {
  t = await freshTables();
  const users = new DynamoUserStore(t.doc, t.tables.users);
  const enabledAt = new Date().toISOString();
  await users.putUser(user(PAT, { enabledAt, passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) }));
  const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users });
  // An hour ago: inside the window whatever the time of day (it spans the previous month too).
  const hourAgo = Date.now() - 3_600_000;
  await crm.upsertEvent(event(PAT, new Date(hourAgo).toISOString(), new Date(hourAgo + 1_800_000).toISOString()));
  server = await startLocalServer({ port: 0, dynamodbEndpoint: t.endpoint, env: { ...process.env, ...t.env, CRM_ADMIN_TOKEN: TOKEN } });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

const get = async <T>(path: string, authorization: string) => {
  const res = await fetch(new URL(path, server.url), { headers: { authorization } });
  return { status: res.status, body: (await res.json()) as T };
};

describe('export progress on the local server', () => {
  it('queued until the scheduled run, then done with the counts, for the user and the admin', async () => {
    const queued = await get<{ data: ExportProgressView }>(`/crm/v1/users/${PAT}/export`, basic);
    expect(queued.status).toBe(200);
    expect(queued.body.data).toMatchObject({ email: PAT, state: 'queued', done: null, total: null });

    await runScheduledPass({ ...server.app.jobDeps!, log: undefined });

    const done = await get<{ data: ExportProgressView }>(`/crm/v1/users/${PAT}/export`, basic);
    expect(done.body.data).toMatchObject({ state: 'done', done: 1, total: 1, exported: 1, skipped: 0, leftOut: 0, summary: 'done: 1 exported' });
    expect(done.body.data.windowStart).toMatch(/^\d{4}-\d\d-\d\dT/);

    const all = await get<{ data: ExportProgressView[]; info: { count: number } }>('/crm/v1/exports', `Bearer ${TOKEN}`);
    expect(all.body).toEqual({ data: [done.body.data], info: { count: 1 } });
    expect((await get('/crm/v1/exports', basic)).status).toBe(403);
  });
});

describe('an enable starts the export at once', () => {
  it('a user enabled through the CRM API is exported without waiting for the schedule', async () => {
    const SAM = 'sam.promptly@zillum.com';
    const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users: new DynamoUserStore(t.doc, t.tables.users) });
    const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(new URL('/crm/v1/users', server.url), { method: 'POST', headers: admin, body: JSON.stringify({ email: SAM, name: 'Sam', timeZone: 'Europe/Berlin' }) });
    expect(created.status).toBe(201);
    const hourAgo = Date.now() - 3_600_000;
    await crm.upsertEvent(event(SAM, new Date(hourAgo).toISOString(), new Date(hourAgo + 1_800_000).toISOString()));
    const enabled = await fetch(new URL(`/crm/v1/users/${SAM}`, server.url), { method: 'PATCH', headers: admin, body: JSON.stringify({ caldavEnabled: true, generatePassword: true }) });
    expect(enabled.status).toBe(200);
    // No scheduled pass runs here (the server has no timer): only the enable can have started it.
    let state = '';
    for (let i = 0; i < 100 && state !== 'done'; i++) {
      state = (await get<{ data: ExportProgressView }>(`/crm/v1/users/${SAM}/export`, `Bearer ${TOKEN}`)).body.data.state;
      if (state !== 'done') await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('done');
    expect((await server.app.store.listObjects(SAM)).length).toBe(1);
  });
});
