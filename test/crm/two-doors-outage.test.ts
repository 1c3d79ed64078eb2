/**
 * A CRM outage during phone writes, on the shipped configuration (built-in CRM, local server,
 * DynamoDB Local): the crm table disappears, so the built-in CRM is unreachable. The phone's
 * writes still succeed, wait in the outbox (visible at /crm/v1/status), and reach the CRM once it
 * is back and the retry runs, in their latest state and without duplicates.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { ensureTables } from '../../lambda/store/dynamodb/bootstrap';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { basic, DavClient } from '../helpers/server';
import { fixture } from '../sync/harness';

const TOKEN = 'outage-admin-token-0123456789';
const OLIVIA = 'olivia@crm.example';
const PASSWORD = 'olivia-app-password-2024';
const NAME = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C.ics';

let t: TestTables;
let server: LocalServer;
let phone: DavClient;

async function api<T>(path: string, init: RequestInit = {}) {
  const res = await fetch(new URL(path, server.url), { ...init, headers: { authorization: basic(OLIVIA, PASSWORD), ...init.headers } });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  t = await freshTables();
  server = await startLocalServer({ port: 0, dynamodbEndpoint: t.endpoint, env: { ...process.env, ...t.env, CRM_CONNECTOR: undefined, CRM_ADMIN_TOKEN: TOKEN } });
  const made = await fetch(new URL('/crm/v1/users', server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: OLIVIA, name: 'Olivia Owner', timeZone: 'America/Los_Angeles', caldavEnabled: true, password: PASSWORD }),
  });
  expect(made.status).toBe(201);
  phone = new DavClient(server.url, { email: OLIVIA, password: PASSWORD, authorization: basic(OLIVIA, PASSWORD) });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

describe('CRM outage during phone writes', () => {
  it('keeps the CalDAV writes, shows them pending, and delivers the latest state once the CRM is back', async () => {
    await t.client.send(new DeleteTableCommand({ TableName: t.tables.crm }));

    const put = await phone.put(phone.paths.object(NAME), fixture('ios-event.ics'), { 'if-none-match': '*' });
    expect(put.status).toBe(201);
    const edited = fixture('ios-event.ics').replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Edited during the outage');
    // The server added SCHEDULE-STATUS to the invitees (RFC 6638 §3.2.9): the ETag is read back, as a phone does.
    const etag = (await phone.get(phone.paths.object(NAME))).headers.get('etag')!;
    expect((await phone.put(phone.paths.object(NAME), edited, { 'if-match': etag })).status).toBe(204);
    expect((await phone.get(phone.paths.object(NAME))).text).toContain('SUMMARY:Edited during the outage');

    const pending = await api<{ data: { pending: number } }>('/crm/v1/status');
    expect(pending.status).toBe(200);
    expect(pending.body.data.pending).toBe(1);

    await ensureTables(t.client, t.tables);
    const report = await server.app.crm!.retry();
    expect(report).toMatchObject({ delivered: 1 });
    expect((await api<{ data: { pending: number } }>('/crm/v1/status')).body.data.pending).toBe(0);

    const events = await api<{ data: Array<{ Event_Title: string; Remind_At: number; caldav: { name: string } }> }>('/crm/v1/events');
    expect(events.body.data).toEqual([expect.objectContaining({ Event_Title: 'Edited during the outage', Remind_At: 15, caldav: expect.objectContaining({ name: NAME }) })]);
  });
});
