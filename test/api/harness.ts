import { afterAll, beforeAll } from 'vitest';
/** /crm/v1 as the App composes it (admin API + the built-in CRM's API) over fresh DynamoDB Local tables, with a recording listener. */
import { adminRoutes, consoleSite } from '../../lambda/admin-api/routes';
import type { AdminApiDeps } from '../../lambda/admin-api/types';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { builtinCrmRoutes } from '../../lambda/crm-api/routes';
import type { CrmApiBackend } from '../../lambda/crm-api/types';
import { createApi } from '../../lambda/api/router';
import type { ApiResponse, Logger } from '../../lambda/api/types';
import type { CrmEvent, CrmEventListener } from '../../lambda/crm/types';
import { hashPassword } from '../../lambda/accounts/passwords';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from '../helpers/dynamo';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const OLIVIA = { email: 'olivia@crm.example', password: 'olivia-app-password' };
export const UMA = { email: 'uma@crm.example', password: 'uma-app-password-x' };
/** Cheap scrypt parameters: verification reads them back from the hash. */
const FAST = { N: 1024, r: 8, p: 1 };

export type As = 'admin' | typeof OLIVIA | typeof UMA | { authorization: string } | null;

export interface Call {
  status: number;
  headers: Record<string, string>;
  /** Parsed body; `any` because assertions walk arbitrary JSON. */
  json: any;
}

export class RecordingListener implements CrmEventListener {
  readonly calls: Array<{ kind: 'saved'; after: CrmEvent; before: CrmEvent | null } | { kind: 'deleted'; before: CrmEvent }> = [];
  fail = false;
  async eventSaved(after: CrmEvent, before: CrmEvent | null) {
    this.calls.push({ kind: 'saved', after, before });
    if (this.fail) throw new Error('CalDAV side down');
    return false;
  }
  async eventDeleted(before: CrmEvent) {
    this.calls.push({ kind: 'deleted', before });
    if (this.fail) throw new Error('CalDAV side down');
    return false;
  }
}

export interface TestApiOptions extends AdminApiDeps {
  /** The built-in CRM whose routes are served too; absent = the admin API alone. */
  crm?: CrmApiBackend;
  listener?: CrmEventListener;
}

/** The router the App builds, from the deps of both APIs. */
export function testApi(opts: TestApiOptions) {
  const auth = { users: opts.users, adminToken: opts.adminToken, admins: opts.admins, now: opts.now };
  return createApi({
    auth,
    mounts: [consoleSite(opts)],
    log: opts.log,
    routes: [...adminRoutes(opts), ...(opts.crm ? builtinCrmRoutes({ crm: opts.crm, users: opts.users, listener: opts.listener, now: opts.now, log: opts.log }) : [])],
  });
}

export async function apiOn(t: TestTables, extra: Partial<TestApiOptions> = {}) {
  const users = new DynamoUserStore(t.doc, t.tables.users);
  for (const [u, name, timeZone] of [[OLIVIA, 'Olivia Owner', 'Europe/Berlin'], [UMA, 'Uma User', 'America/New_York']] as const) {
    await users.putUser({ email: u.email, passwordHash: await hashPassword(u.password, FAST), enabled: true, createdAt: '2024-01-01T00:00:00.000Z', enabledAt: '2024-01-01T00:00:00.000Z', name, timeZone });
  }
  const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users });
  const listener = new RecordingListener();
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const log: Logger = (level, message, fields) => logs.push({ level, message, fields });
  const api = testApi({ crm, users, adminToken: ADMIN_TOKEN, listener, log, ...extra });

  async function call(method: string, path: string, opts: { as?: As; body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {}): Promise<Call> {
    const as = opts.as === undefined ? OLIVIA : opts.as;
    const headers: Record<string, string> = { ...opts.headers };
    if (as === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    else if (as && 'authorization' in as) headers.authorization = as.authorization;
    else if (as) headers.authorization = `Basic ${Buffer.from(`${as.email}:${as.password}`).toString('base64')}`;
    let body = '';
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res: ApiResponse = await api({ method, path, query: opts.query ?? {}, headers, body });
    return { status: res.status, headers: res.headers, json: res.body ? JSON.parse(res.body) : null };
  }
  return { api, call, crm, users, listener, logs };
}

export type ApiHarness = Awaited<ReturnType<typeof apiOn>>;

/** The API on fresh tables for the whole file, handed to `use` before the first test; dropped after the last. */
export function useFreshApi(use: (h: ApiHarness) => void): void {
  let t: TestTables | undefined;
  beforeAll(async () => {
    t = await freshTables();
    use(await apiOn(t));
  });
  afterAll(async () => {
    await t?.drop();
  });
}

export const event = (extra: Record<string, unknown> = {}) => ({
  Event_Title: 'Quarterly review',
  Start_DateTime: '2024-05-06T10:00:00+02:00',
  End_DateTime: '2024-05-06T11:00:00+02:00',
  ...extra,
});
