/** The admin's organisation overview and the outbox replay through the running server's CRM API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { PACKAGE_VERSION } from '../../lib/package-version';
import { startInteropServer, type InteropServer } from '../helpers/server';

const ADMIN_TOKEN = 'overview-admin-token-0123456789';
let server: InteropServer;

beforeAll(async () => {
  server = await startInteropServer({ CRM_ADMIN_TOKEN: ADMIN_TOKEN });
});
afterAll(async () => {
  await server?.stop();
});

const call = (method: string, path: string, authorization = `Bearer ${ADMIN_TOKEN}`, body?: string) =>
  fetch(new URL(path, server.url), { method, headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, body });

describe('GET /crm/v1/organisation and POST /crm/v1/status/retry', () => {
  it('reports the version, the schedule, reconciliation and what waits for the CRM', async () => {
    const res = await call('GET', '/crm/v1/organisation');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown }).data).toEqual({
      version: PACKAGE_VERSION,
      schedule: { everyMinutes: null }, // the test server runs no timer
      reconciliation: { lastRunAt: null, lastApplied: null, cursor: null },
      pending: { pending: 0, oldestPendingSince: null, users: [] },
    });
    await runScheduledPass(server.app.jobDeps!);
    const after = ((await (await call('GET', '/crm/v1/organisation')).json()) as { data: { reconciliation: { lastRunAt: string | null } } }).data;
    expect(after.reconciliation.lastRunAt).not.toBeNull();
  });

  it('replays the outbox on request, for one user or all; admins only', async () => {
    const res = await call('POST', '/crm/v1/status/retry', `Bearer ${ADMIN_TOKEN}`, JSON.stringify({ owner: 'Nobody@Example.com' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown }).data).toMatchObject({ delivered: 0, failed: 0, superseded: 0, pending: { pending: 0 } });
    expect((await call('POST', '/crm/v1/status/retry', `Bearer ${ADMIN_TOKEN}`, '{"owner": 7}')).status).toBe(400);
    const user = await server.addUser('rita@example.com');
    expect((await call('GET', '/crm/v1/organisation', user.authorization)).status).toBe(403);
    expect((await call('POST', '/crm/v1/status/retry', user.authorization, '{}')).status).toBe(403);
  });
});
