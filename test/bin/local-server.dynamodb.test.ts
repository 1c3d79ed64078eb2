import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { hashPassword } from '../../lambda/accounts/passwords';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { runningServers } from '../../bin/lib/server-registry';
import { freshTables, type TestTables } from '../helpers/dynamo';

const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const authorization = `Basic ${Buffer.from(`ana@example.com:${PASSWORD}`).toString('base64')}`;
let t: TestTables;
let server: LocalServer;
let users: DynamoUserStore;

beforeAll(async () => {
  t = await freshTables();
  users = new DynamoUserStore(t.doc, t.tables.users);
  await users.putUser({
    email: 'ana@example.com',
    passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }),
    enabled: true,
    createdAt: '2025-01-01T00:00:00Z',
  });
  server = await startLocalServer({ port: 0, dynamodbEndpoint: t.endpoint, env: { ...process.env, ...t.env } });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

describe('local server on DynamoDB', () => {
  it('authenticates against the users table and serves PROPFIND', async () => {
    const res = await fetch(server.url, { method: 'PROPFIND', headers: { authorization, depth: '0' } });
    expect(res.status).toBe(207);
    expect(await res.text()).toContain('/principals/ana@example.com/');
  });

  it('refuses the same credentials as soon as the user is disabled', async () => {
    const user = (await users.getUser('ana@example.com'))!;
    await users.putUser({ ...user, enabled: false });
    const res = await fetch(server.url, { method: 'PROPFIND', headers: { authorization, depth: '0' } });
    expect(res.status).toBe(401);
  });
});

describe('the running-server record the CLI finds', () => {
  it('is there while the server runs and gone once it stops', async () => {
    const other = await startLocalServer({ port: 0, dynamodbEndpoint: t.endpoint, env: { ...process.env, ...t.env, CRM_CONNECTOR: 'none' } });
    const mine = () => runningServers().filter((s) => s.url === other.url);
    // With the CRM it syncs with, so a CLI configured for another one can say so.
    expect(mine()).toEqual([{ pid: process.pid, url: other.url, endpoint: t.endpoint, crm: 'none' }]);
    await other.stop();
    expect(mine()).toEqual([]);
  });
});
