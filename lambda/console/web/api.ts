/**
 * The console's calls to the CRM REST API (/crm/v1): the session cookie goes along by itself;
 * unsafe calls echo the session's CSRF token, and every call says it comes from the console so a
 * 401 never opens the browser's Basic login dialog. The types are the server's own.
 */
import type { DeviceActivity } from '../../accounts/activity';
import type { UserView } from '../../admin-api/users';
import type { ExportProgressView } from '../../jobs/progress';
import type { SyncStatus } from '../../sync/status';
import type { RetryReport } from '../../sync/delivery';

export type { UserView, DeviceActivity, ExportProgressView, SyncStatus };

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
  data: UserView[];
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

let csrfToken = '';
/** Called when a call finds the session gone, so the app can show the sign-in page. */
let onSignedOut: () => void = () => {};

export function setSession(session: Session | null, signedOut: () => void): void {
  csrfToken = session?.csrfToken ?? '';
  onSignedOut = signedOut;
}

/** The whole answer, `{ data, info? }`. */
async function request<T, I = undefined>(method: string, path: string, body?: unknown): Promise<{ data: T; info: I }> {
  const headers: Record<string, string> = { 'x-requested-with': 'crm-admin-console', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/crm/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 204) return { data: undefined as T, info: undefined as I };
  const json = (await res.json().catch(() => null)) as { data: T; info: I; error?: { message: string; field?: string } } | null;
  if (!res.ok || !json) {
    if (res.status === 401 && path !== '/session') onSignedOut();
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
    request<UserView[], UserPage['info']>('GET', `/users?${new URLSearchParams({ limit: String(limit), ...(q ? { q } : {}), ...(after ? { after } : {}) })}`),
  user: (email: string) => call<UserView>('GET', user(email)),
  addUser: (input: { email: string; name?: string; timeZone?: string; caldavEnabled: boolean }) =>
    call<UserView & { appPassword?: string }>('POST', '/users', { ...input, ...(input.caldavEnabled ? { generatePassword: true } : {}) }),
  /** Enabling issues a new app password, as `crm-caldav user enable` does. */
  setEnabled: (email: string, enabled: boolean) =>
    call<UserView & { appPassword?: string }>('PATCH', user(email), enabled ? { caldavEnabled: true, generatePassword: true } : { caldavEnabled: false }),
  resetPassword: (email: string) => call<UserView & { appPassword: string }>('PATCH', user(email), { generatePassword: true }),
  deleteUser: (email: string) => call<{ objects: number; pendingDropped: number }>('DELETE', user(email)),
  exportOf: (email: string) => call<ExportProgressView>('GET', `${user(email)}/export`),
  devices: (email: string) => call<DeviceActivity[]>('GET', `${user(email)}/devices`),
  link: (email: string, hours: number) => call<{ url: string; expiresAt: string }>('POST', `${user(email)}/onboarding`, { expiresInHours: hours }),
  status: (owner?: string) => call<SyncStatus>('GET', `/status${owner ? `?owner=${encodeURIComponent(owner)}` : ''}`),
  retry: (owner?: string) => call<RetryReport & { pending: SyncStatus | null }>('POST', '/status/retry', owner ? { owner } : {}),
  organisation: () => call<Organisation>('GET', '/organisation'),
};
