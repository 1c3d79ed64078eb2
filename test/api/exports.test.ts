/** GET /crm/v1/users/{email}/export and GET /crm/v1/exports: the router on an in-memory user store and job store. */
import { describe, expect, it } from 'vitest';
import type { AdminApiDeps } from '../../lambda/admin-api/types';
import { testApi } from './harness';
import { hashPassword } from '../../lambda/accounts/passwords';
import type { ExportJob } from '../../lambda/jobs/job-store';
import { MemoryUserStore } from '../../lambda/store/memory';
import type { UserRecord } from '../../lambda/store/types';
import { JOB_ENABLED_AT, exportJob } from '../jobs/fixtures';

const TOKEN = 'exports-admin-token-0123456789';
const PASSWORD = 'ana-app-password-xyz';
const ENABLED_AT = JOB_ENABLED_AT;
const FAST = { N: 1024, r: 8, p: 1 };

const job = (email: string, extra: Partial<ExportJob> = {}): ExportJob => exportJob(email, { leftOut: 3, exported: 24, skipped: 1, ...extra });

async function api(jobs: ExportJob[] | null) {
  const users = new MemoryUserStore();
  const hash = await hashPassword(PASSWORD, FAST);
  const put = (email: string, extra: Partial<UserRecord> = {}) =>
    users.putUser({ email, passwordHash: hash, enabled: true, createdAt: '2025-01-01T00:00:00.000Z', enabledAt: ENABLED_AT, ...extra });
  await put('ana@x.com');
  await put('bob@x.com');
  await put('cy@x.com', { enabled: false, enabledAt: undefined });
  const exports: AdminApiDeps['exports'] = jobs ? { getExport: async (e) => jobs.find((j) => j.email === e) ?? null, listExports: async () => jobs } : undefined;
  // Export progress needs no CRM: the admin API alone.
  const handle = testApi({ users, adminToken: TOKEN, exports });
  return async (path: string, as: 'admin' | string) => {
    const authorization = as === 'admin' ? `Bearer ${TOKEN}` : `Basic ${Buffer.from(`${as}:${PASSWORD}`).toString('base64')}`;
    const res = await handle({ method: 'GET', path, query: {}, headers: { authorization }, body: '' });
    // `any`: assertions walk arbitrary JSON.
    return { status: res.status, json: JSON.parse(res.body) as { data?: any; info?: { count: number }; error?: { code: string; message: string } } };
  };
}

describe('GET /crm/v1/users/{email}/export', () => {
  it('gives the admin and the user themself the progress view', async () => {
    const get = await api([job('ana@x.com')]);
    const view = {
      email: 'ana@x.com',
      state: 'running',
      enabledAt: ENABLED_AT,
      done: 25,
      total: 40,
      exported: 24,
      skipped: 1,
      leftOut: 3,
      windowStart: '2025-01-31T23:00:00.000Z',
      windowEnd: '2025-03-10T23:00:00.000Z',
      attempts: 1,
      updatedAt: '2025-03-10T09:06:00.000Z',
      tasks: null,
      summary: 'running: 25 of 40',
    };
    expect(await get('/crm/v1/users/ana@x.com/export', 'admin')).toEqual({ status: 200, json: { data: view } });
    expect(await get('/crm/v1/users/Ana@X.com/export', 'ana@x.com')).toEqual({ status: 200, json: { data: view } });
  });

  it('says queued for an enabled user without a job, and gives the reason of a failure', async () => {
    const get = await api([job('ana@x.com', { status: 'failed', reason: 'CrmUnavailable: down', attempts: 2 })]);
    expect((await get('/crm/v1/users/bob@x.com/export', 'admin')).json.data).toMatchObject({ state: 'queued', done: null, total: null, summary: 'queued: the export starts at the next scheduled run' });
    expect((await get('/crm/v1/users/ana@x.com/export', 'admin')).json.data).toMatchObject({ state: 'failed', reason: 'CrmUnavailable: down', summary: expect.stringMatching(/^failed: CrmUnavailable: down \(attempt 2/) });
  });

  it('403 for another user, 404 for an unknown user', async () => {
    const get = await api([]);
    const other = await get('/crm/v1/users/bob@x.com/export', 'ana@x.com');
    expect(other.status).toBe(403);
    expect(other.json.error?.code).toBe('FORBIDDEN');
    const unknown = await get('/crm/v1/users/nobody@x.com/export', 'admin');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.code).toBe('NOT_FOUND');
  });
});

describe('GET /crm/v1/exports', () => {
  it('lists every user’s progress for the admin, sorted, with the count', async () => {
    const list = await api([job('bob@x.com', { status: 'done', next: 40, exported: 40, skipped: 0, leftOut: 0, finishedAt: '2025-03-10T09:07:00.000Z' })]);
    const res = await list('/crm/v1/exports', 'admin');
    expect(res.status).toBe(200);
    expect(res.json.info).toEqual({ count: 3 });
    expect(res.json.data.map((v: { email: string; state: string; summary: string }) => [v.email, v.state, v.summary])).toEqual([
      ['ana@x.com', 'queued', 'queued: the export starts at the next scheduled run'],
      ['bob@x.com', 'done', 'done: 40 exported'],
      ['cy@x.com', 'not-enabled', 'CalDAV access is not enabled'],
    ]);
  });

  it('is the admin’s only', async () => {
    const res = await (await api([]))('/crm/v1/exports', 'ana@x.com');
    expect(res.status).toBe(403);
  });
});

describe('without the jobs table', () => {
  it('both routes answer 404 JSON', async () => {
    const get = await api(null);
    for (const [path, as] of [['/crm/v1/users/ana@x.com/export', 'ana@x.com'], ['/crm/v1/exports', 'admin']] as const) {
      const res = await get(path, as);
      expect(res).toEqual({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'export progress is not available here' } } });
    }
  });
});
