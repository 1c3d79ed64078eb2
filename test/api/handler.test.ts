/** The CRM API through the local server: routing of /crm/, the Lambda handler, deps from the environment. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { hashPassword } from '../../lambda/accounts/passwords';
import { issueAdminPassword } from '../../lambda/accounts/admins';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from '../helpers/dynamo';

const TOKEN = 'local-admin-token-abcdef';
const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const basic = `Basic ${Buffer.from(`ana@example.com:${PASSWORD}`).toString('base64')}`;
let t: TestTables;
let server: LocalServer;

beforeAll(async () => {
  t = await freshTables();
  const users = new DynamoUserStore(t.doc, t.tables.users);
  await users.putUser({ email: 'ana@example.com', passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), enabled: true, createdAt: '2025-01-01T00:00:00Z', timeZone: 'Europe/Madrid' });
  server = await startLocalServer({ port: 0, dynamodbEndpoint: t.endpoint, env: { ...process.env, ...t.env, CRM_ADMIN_TOKEN: TOKEN } });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

const url = (path: string) => new URL(path, server.url).toString();
const reply = async <T>(res: Response) => (await res.json()) as T;
type One = { data: { id: string; Event_Title: string } };
type Many = { data: Array<{ id: string; email: string }> };
type Failure = { error: { code: string } };

describe('CRM API on the local server', () => {
  it('creates, reads with query parameters, updates with If-Match and deletes an event', async () => {
    const created = await fetch(url('/crm/v1/events'), {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ Event_Title: 'Café ☕', Start_DateTime: '2024-05-06T10:00:00+02:00', End_DateTime: '2024-05-06T11:00:00+02:00', Remind_At: 5 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    const e = (await reply<One>(created)).data;
    expect(e.Event_Title).toBe('Café ☕');

    const listed = await fetch(url('/crm/v1/events?from=2024-05-01T00%3A00%3A00Z&to=2024-06-01T00:00:00%2B00:00'), { headers: { authorization: basic } });
    expect((await reply<Many>(listed)).data.map((x) => x.id)).toEqual([e.id]);

    const stale = await fetch(url(`/crm/v1/events/${e.id}`), {
      method: 'PATCH',
      headers: { authorization: basic, 'content-type': 'application/json', 'if-match': '"2000-01-01T00:00:00.000Z"' },
      body: '{"Venue":"x"}',
    });
    expect(stale.status).toBe(409);
    const ok = await fetch(url(`/crm/v1/events/${e.id}`), {
      method: 'PATCH',
      headers: { authorization: basic, 'content-type': 'application/json', 'if-match': created.headers.get('etag')! },
      body: '{"Venue":"Sala 2"}',
    });
    expect(ok.status).toBe(200);
    const del = await fetch(url(`/crm/v1/events/${e.id}`), { method: 'DELETE', headers: { authorization: basic } });
    expect(del.status).toBe(204);
  });

  it('lets the admin token manage users; answers JSON errors for bad credentials', async () => {
    const users = await fetch(url('/crm/v1/users'), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await reply<Many>(users)).data).toEqual([expect.objectContaining({ email: 'ana@example.com', timeZone: 'Europe/Madrid' })]);
    const denied = await fetch(url('/crm/v1/users'), { headers: { authorization: 'Bearer nope' } });
    expect(denied.status).toBe(401);
    expect((await reply<Failure>(denied)).error.code).toBe('AUTHENTICATION_FAILURE');
  });

  it('routes every method under /crm/ to the API, CalDAV stays where it was', async () => {
    const propfind = await fetch(url('/crm/v1/events'), { method: 'PROPFIND', headers: { authorization: basic } });
    expect(propfind.status).toBe(405);
    expect((await reply<Failure>(propfind)).error.code).toBe('METHOD_NOT_ALLOWED');
    const dav = await fetch(server.url, { method: 'PROPFIND', headers: { authorization: basic, depth: '0' } });
    expect(dav.status).toBe(207);
  });

  it('signs the console in through the Lambda handler: payload v2 cookies in, Set-Cookie out', async () => {
    const { password } = await issueAdminPassword(server.app.admins!, 'boss@example.com', new Date());
    const signIn = await fetch(url('/crm/v1/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'boss@example.com', password }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^crm_admin_session=[^;]+; Path=\/crm; Max-Age=43200; HttpOnly; SameSite=Strict$/); // plain HTTP here: no Secure
    const me = await fetch(url('/crm/v1/session'), { headers: { cookie: cookie.split(';')[0]! } });
    expect(((await me.json()) as { data: { email: string } }).data.email).toBe('boss@example.com');
  });
});
