/**
 * The console's calls to the CRM REST API (/crm/v1): the session cookie goes along by itself;
 * unsafe calls echo the session's CSRF token, and every call says it comes from the console so a
 * 401 never opens the browser's Basic login dialog. The types are the server's own.
 */
import type { AuditEntry } from '../../accounts/audit';
import type { DeviceView, UserActivity, UserView } from '../../admin-api/users';
import type { ConnectionStatus as ZohoConnection } from '../../crm/zoho/connection';
import type { ExportProgressView } from '../../jobs/progress';
import type { SyncStatus } from '../../sync/status';
import type { RetryReport } from '../../sync/delivery';

export type { UserView, UserActivity, DeviceView, ExportProgressView, SyncStatus, AuditEntry, ZohoConnection };

/** GET /connection: Zoho's connection, or the name of a CRM with nothing to connect (`builtin`, `none`, `hosted`). */
export type CrmConnection = ZohoConnection | { connector: 'builtin' | 'none' | 'hosted' };

export interface Session {
  email: string;
  csrfToken: string;
  expiresAt: string;
}

export interface Organisation {
  version: string | null;
  schedule: { everyMinutes: number | null };
  reconciliation: { lastRunAt: string | null; lastApplied: number | null; cursor: string | null } | null;
  pending: SyncStatus | null;
}

export interface UserPage {
  data: Array<UserView & UserActivity>;
  info: { count: number; total: number; next?: string };
}

/** An API refusal, with the server's message (and the field it names, if any). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let current: Session | null = null;
/** Called when a call finds the session gone, with why, so the app can show the sign-in page. */
let onSignedOut: (why: string) => void = () => {};

export function setSession(session: Session | null, signedOut: (why: string) => void): void {
  current = session;
  onSignedOut = signedOut;
}

/**
 * Why a signed-in call was refused: past the session's end the browser has dropped the cookie,
 * so the console knows best; otherwise the server says (signed out elsewhere, password reset…).
 */
function endedBecause(problem: { message?: string; field?: string } | undefined): string {
  if (current && Date.now() >= Date.parse(current.expiresAt)) return 'Your session expired (a sign-in lasts 12 hours): sign in again.';
  if (problem?.field === 'session' && problem.message) return `${problem.message}.`;
  return 'Your session has ended: sign in again.';
}

/** The whole answer, `{ data, info? }`. */
async function request<T, I = undefined>(method: string, path: string, body?: unknown): Promise<{ data: T; info: I }> {
  const headers: Record<string, string> = { 'x-requested-with': 'crm-admin-console', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && current?.csrfToken) headers['x-csrf-token'] = current.csrfToken;
  const res = await fetch(`/crm/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 204) return { data: undefined as T, info: undefined as I };
  const json = (await res.json().catch(() => null)) as { data: T; info: I; error?: { message: string; field?: string } } | null;
  if (!res.ok || !json) {
    if (res.status === 401 && path !== '/session') onSignedOut(endedBecause(json?.error));
    throw new ApiProblem(res.status, json?.error?.message ?? `The server answered ${res.status}`, json?.error?.field);
  }
  return json;
}

const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await request<T>(method, path, body)).data;

const user = (email: string) => `/users/${encodeURIComponent(email)}`;

export const api = {
  session: () => call<Session>('GET', '/session'),
  signIn: (email: string, password: string) => call<Session>('POST', '/session', { email, password }),
  signOut: () => call<void>('DELETE', '/session'),

  users: (q: string, after: string | undefined, limit: number): Promise<UserPage> =>
    request<UserPage['data'], UserPage['info']>('GET', `/users?${new URLSearchParams({ limit: String(limit), include: 'activity', ...(q ? { q } : {}), ...(after ? { after } : {}) })}`),
  user: (email: string) => call<UserView>('GET', user(email)),
  addUser: (input: { email: string; name?: string; timeZone?: string; caldavEnabled: boolean }) =>
    call<UserView & { appPassword?: string }>('POST', '/users', { ...input, ...(input.caldavEnabled ? { generatePassword: true } : {}) }),
  /** Enabling issues a new app password unless asked to keep the one set (`user enable --keep-password`). */
  setEnabled: (email: string, enabled: boolean, keepPassword = false) =>
    call<UserView & { appPassword?: string }>('PATCH', user(email), enabled ? { caldavEnabled: true, ...(keepPassword ? {} : { generatePassword: true }) } : { caldavEnabled: false }),
  setTimeZone: (email: string, timeZone: string) => call<UserView>('PATCH', user(email), { timeZone }),
  resetPassword: (email: string) => call<UserView & { appPassword: string }>('PATCH', user(email), { generatePassword: true }),
  deleteUser: (email: string) => call<{ objects: number; pendingDropped: number }>('DELETE', user(email)),
  exportOf: (email: string) => call<ExportProgressView>('GET', `${user(email)}/export`),
  devices: (email: string) => call<DeviceView[]>('GET', `${user(email)}/devices`),
  link: (email: string, hours: number) => call<{ url: string; expiresAt: string }>('POST', `${user(email)}/onboarding`, { expiresInHours: hours }),
  status: (owner?: string) => call<SyncStatus>('GET', `/status${owner ? `?owner=${encodeURIComponent(owner)}` : ''}`),
  retry: (owner?: string) => call<RetryReport & { pending: SyncStatus | null }>('POST', '/status/retry', owner ? { owner } : {}),
  organisation: () => call<Organisation>('GET', '/organisation'),
  connection: () => call<CrmConnection>('GET', '/connection'),
  /** Starts Zoho's consent: where to send the browser. No data centre = the server's configured accounts server. */
  connect: (input: { dataCentre?: string; clientId: string; clientSecret: string }) => call<{ authorizeUrl: string; redirectUri: string }>('POST', '/connection/consent', input),
  disconnect: () => call<void>('DELETE', '/connection'),
  audit: (before?: string) => request<AuditEntry[], { count: number; next?: string }>('GET', `/audit?${new URLSearchParams({ limit: '50', ...(before ? { before } : {}) })}`),
};
