/**
 * /crm/v1/users: the admin lists, creates and updates CalDAV users (the users table, our own
 * accounts whatever the CRM); a user may read their own record. With a hosted CRM an e-mail must
 * be one of its active users (AdminApiDeps.directory). `caldavEnabled` is the CalDAV login switch;
 * turning it on stamps `caldavEnabledAt`. Passwords are write-only: `password` sets one,
 * `generatePassword: true` makes one and returns it once as `appPassword`; turning access back
 * on without either keeps the password the user had (`crm-caldav user enable --keep-password`).
 * Time zones are stored in their canonical spelling (`europe/berlin` → `Europe/Berlin`). Every
 * change is recorded in the audit log (admin-api/audit.ts). Each user's initial
 * export progress is read here too: it is derived from the user record and the export job.
 */
import { generateAppPassword, hashGeneratedPassword, hashPassword } from '../accounts/passwords';
import { exportProgress } from '../jobs/progress';
import { DEFAULT_TIME_ZONE, type UserRecord } from '../store/types';
import { canonicalTimeZone } from '../core/time-zone';
import { actorOf, recordAudit, type AuditFacts } from './audit';
import type { DeviceActivity } from '../accounts/activity';
import { describeDevice, type DeviceName } from '../accounts/device-name';
import { requireAdmin } from '../api/auth';
import { ApiError, forbidden, invalid, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import type { AdminApiDeps } from './types';
import { bool, email, parseJsonObject, pickFields, str, type JsonObject } from '../api/validate';

/** A user record as the API shows it: never its password hash or onboarding link. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  caldavEnabled: boolean;
  caldavEnabledAt: string | null;
  /** Whether an app password is set (turning access back on can keep it); never the password. */
  hasAppPassword: boolean;
}

export const userView = (record: UserRecord): UserView => {
  const email = record.email.toLowerCase();
  return { id: email, email, name: record.name || email, timeZone: record.timeZone || DEFAULT_TIME_ZONE, caldavEnabled: record.enabled, caldavEnabledAt: record.enabledAt ?? null, hasAppPassword: Boolean(record.passwordHash) };
};

/** What `include=activity` adds to a user of the list; null where that is not kept here. */
export interface UserActivity {
  /** Devices that synced (user agents seen). */
  devices: number | null;
  lastSeenAt: string | null;
  /** Changes from their devices waiting for the CRM. */
  pending: number | null;
}

/** A device as GET /users/{email}/devices shows it: the record, and its name for people. */
export type DeviceView = DeviceActivity & DeviceName;

const WRITABLE = ['email', 'name', 'timeZone', 'caldavEnabled', 'password', 'generatePassword'] as const;
const READ_ONLY = ['id', 'caldavEnabledAt', 'hasAppPassword', 'devices', 'lastSeenAt', 'pending'] as const;
const MIN_PASSWORD = 12;
const MAX_PAGE = 500;

interface UserInput {
  name?: string;
  timeZone?: string;
  caldavEnabled?: boolean;
  password?: string;
  generatePassword?: boolean;
}

function userInput(o: JsonObject): UserInput {
  const f: UserInput = {};
  if ('name' in o) f.name = str(o.name, 'name', { max: 255 }) as string;
  if ('timeZone' in o) {
    const zone = canonicalTimeZone(str(o.timeZone, 'timeZone') as string);
    if (!zone) throw invalid('timeZone', 'expected an IANA time zone such as Europe/Berlin');
    f.timeZone = zone;
  }
  if ('caldavEnabled' in o) f.caldavEnabled = bool(o.caldavEnabled, 'caldavEnabled');
  if ('password' in o) {
    f.password = str(o.password, 'password') as string;
    if (f.password.length < MIN_PASSWORD) throw invalid('password', `at least ${MIN_PASSWORD} characters`);
  }
  if ('generatePassword' in o) f.generatePassword = bool(o.generatePassword, 'generatePassword');
  if (f.password !== undefined && f.generatePassword) throw invalid('generatePassword', 'give password or generatePassword, not both');
  return f;
}

export class UserRoutes {
  constructor(private readonly deps: AdminApiDeps) {}

  /**
   * GET /users[?q=&limit=&after=&include=activity]: by e-mail; `q` keeps users whose e-mail or
   * name contains it (any case); `limit` (1-500) pages, `after` the last e-mail of the page
   * before, answered as `info.next` while more follow. Reads the whole (small: one item per user)
   * users table. `include=activity` adds, for the page's users, how many devices synced and when
   * last (one Query per user of the page) and how many changes wait for the CRM (the outbox's
   * status, read once): the console's list at a glance.
   */
  async list(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    const { q, limit, after, include } = req.query;
    if (include !== undefined && include !== 'activity') throw invalid('include', 'only "activity" can be included');
    const size = limit === undefined ? undefined : Number(limit);
    if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)) throw invalid('limit', `a whole number from 1 to ${MAX_PAGE}`);
    const needle = q?.trim().toLowerCase();
    const matching = (await this.deps.users.listUsers())
      .map(userView)
      .filter((u) => !needle || u.email.includes(needle) || (u.name ?? '').toLowerCase().includes(needle))
      .sort((a, b) => a.email.localeCompare(b.email));
    const from = after === undefined ? 0 : matching.findIndex((u) => u.email.localeCompare(after.toLowerCase()) > 0);
    const page = from < 0 ? [] : matching.slice(from, size === undefined ? undefined : from + size);
    const more = from >= 0 && from + page.length < matching.length;
    const data = include === 'activity' ? await this.withActivity(page) : page;
    return json(200, { data, info: { count: page.length, total: matching.length, ...(more ? { next: page.at(-1)!.email } : {}) } });
  }

  private async withActivity(page: UserView[]): Promise<Array<UserView & UserActivity>> {
    const [devices, status] = await Promise.all([
      Promise.all(page.map((u) => this.deps.devices?.list(u.email) ?? Promise.resolve(null))),
      this.deps.status?.().catch(() => null) ?? null,
    ]);
    const waiting = new Map(((status as { users?: Array<{ owner: string; pending: number }> } | null)?.users ?? []).map((u) => [u.owner, u.pending]));
    return page.map((u, i) => ({
      ...u,
      devices: devices[i]?.length ?? null,
      lastSeenAt: devices[i]?.[0]?.lastSeenAt ?? null,
      pending: status ? (waiting.get(u.email) ?? 0) : null,
    }));
  }

  /** GET /users/{email}/devices: the admin, or the user themself; most recent first, each named (client, OS). */
  async devices(caller: Caller, address: string): Promise<ApiResponse> {
    const key = address.toLowerCase();
    if (caller.kind === 'user' && caller.email !== key) throw forbidden('Users may read their own devices only');
    if (!this.deps.devices) throw notFound('device activity is not kept here');
    if (!(await this.deps.users.getUser(key))) throw notFound(`No user ${address}`);
    const devices: DeviceView[] = (await this.deps.devices.list(key)).map((d) => ({ ...d, ...describeDevice(d.userAgent) }));
    return json(200, { data: devices });
  }

  async get(caller: Caller, address: string): Promise<ApiResponse> {
    const key = address.toLowerCase();
    if (caller.kind === 'user' && caller.email !== key) throw forbidden('Users may read their own record only');
    const record = await this.deps.users.getUser(key);
    if (!record) throw notFound(`No user ${address}`);
    return json(200, { data: userView(record) });
  }

  /** GET /users/{email}/export: the admin, or the user themself. */
  async exportOf(caller: Caller, address: string): Promise<ApiResponse> {
    const key = address.toLowerCase();
    if (caller.kind === 'user' && caller.email !== key) throw forbidden('Users may read their own export progress only');
    const jobs = this.exportJobs();
    const record = await this.deps.users.getUser(key);
    if (!record) throw notFound(`No user ${address}`);
    return json(200, { data: exportProgress(record, await jobs.getExport(key)) });
  }

  /** GET /exports: every user's export progress, for the admin. */
  async exports(caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    const jobs = this.exportJobs();
    const [records, all] = await Promise.all([this.deps.users.listUsers(), jobs.listExports()]);
    const byEmail = new Map(all.map((j) => [j.email.toLowerCase(), j]));
    const views = records
      .map((r) => exportProgress(r, byEmail.get(r.email.toLowerCase()) ?? null))
      .sort((a, b) => a.email.localeCompare(b.email));
    return json(200, { data: views, info: { count: views.length } });
  }

  private exportJobs(): NonNullable<AdminApiDeps['exports']> {
    if (!this.deps.exports) throw notFound('export progress is not available here');
    return this.deps.exports;
  }

  async create(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    const body = pickFields(parseJsonObject(req.body), WRITABLE, READ_ONLY);
    if (!('email' in body)) throw invalid('email', 'email is required');
    const address = (email(body.email, 'email') as string).toLowerCase();
    const input = userInput(body);
    if (await this.deps.users.getUser(address)) throw new ApiError(409, 'CONFLICT', `User ${address} already exists`);
    await this.checkDirectory(address);
    return this.save(req, caller, null, address, input, 201);
  }

  /** DELETE /users/{email}: the user, their calendar and pending CalDAV changes; CRM events stay. */
  async remove(req: ApiRequest, caller: Caller, address: string): Promise<ApiResponse> {
    requireAdmin(caller);
    if (!this.deps.deleteUser) throw notFound('deleting users is not available here');
    const deleted = await this.deps.deleteUser((email(address, 'email') as string).toLowerCase());
    if (!deleted) throw notFound(`No user ${address}`);
    await recordAudit(this.deps, req, actorOf(caller), {
      action: 'user.delete',
      target: deleted.email,
      detail: `${deleted.objects} calendar object(s), ${deleted.pendingDropped} change(s) not yet in the CRM dropped`,
    });
    return json(200, { data: deleted });
  }

  /** PUT creates or updates, PATCH updates; both change only the fields given. */
  async update(req: ApiRequest, caller: Caller, address: string, createIfMissing: boolean): Promise<ApiResponse> {
    requireAdmin(caller);
    const body = pickFields(parseJsonObject(req.body), WRITABLE, READ_ONLY);
    const key = (email(address, 'email') as string).toLowerCase();
    if ('email' in body && String(body.email).toLowerCase() !== key) throw invalid('email', 'the e-mail is the user’s key and cannot change');
    const input = userInput(body);
    const current = await this.deps.users.getUser(key);
    if (!current && !createIfMissing) throw notFound(`No user ${address}`);
    if (!current) await this.checkDirectory(key);
    return this.save(req, caller, current, key, input, current ? 200 : 201);
  }

  /** With a hosted CRM, CalDAV users are its active users: an unknown e-mail is refused, with why. */
  private async checkDirectory(address: string): Promise<void> {
    if (!this.deps.directory) return;
    if (!(await this.deps.directory.findUser(address))) {
      throw invalid('email', `${address} is not an active user of the CRM: add them there first, or check the spelling`);
    }
  }

  private async save(req: ApiRequest, caller: Caller, current: UserRecord | null, address: string, input: UserInput, status: number): Promise<ApiResponse> {
    const now = (this.deps.now ?? (() => new Date()))().toISOString();
    const appPassword = input.generatePassword ? generateAppPassword() : undefined;
    const secret = input.password ?? appPassword;
    const enabled = input.caldavEnabled ?? current?.enabled ?? false;
    if (enabled && secret === undefined && !current?.passwordHash) {
      throw invalid('password', 'a user with CalDAV enabled needs an app password: send "generatePassword": true (or "password")');
    }
    const record: UserRecord = {
      ...(current ?? { email: address, passwordHash: '', createdAt: now }),
      enabled,
      ...(enabled && !current?.enabled ? { enabledAt: now } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
      // A chosen password gets scrypt; a generated one the fast hash its 79 random bits allow.
      ...(input.password !== undefined ? { passwordHash: await hashPassword(input.password) } : appPassword ? { passwordHash: hashGeneratedPassword(appPassword) } : {}),
    };
    await this.deps.users.putUser(record);
    await recordAudit(this.deps, req, actorOf(caller), userChange(current, record, input, appPassword !== undefined));
    if (enabled && !current?.enabled) await this.deps.onEnabled?.(address);
    const location: Record<string, string> = status === 201 ? { location: `/crm/v1/users/${encodeURIComponent(address)}` } : {};
    return json(status, { data: { ...userView(record), ...(appPassword ? { appPassword } : {}) } }, location);
  }
}

/** What a create or update changed, for the audit log: the main action and the rest in words. */
function userChange(current: UserRecord | null, record: UserRecord, input: UserInput, generated: boolean): AuditFacts {
  const password = generated ? 'new app password' : input.password !== undefined ? 'password set' : null;
  const changes: string[] = [];
  if (!current) changes.push(`CalDAV ${record.enabled ? 'on' : 'off'}`);
  if (password) changes.push(password);
  else if (current && record.enabled && !current.enabled) changes.push('password kept');
  if (input.name !== undefined && input.name !== current?.name) changes.push(`name ${input.name}`);
  if (input.timeZone !== undefined && input.timeZone !== current?.timeZone) changes.push(`time zone ${input.timeZone}`);
  const action = !current
    ? 'user.create'
    : record.enabled !== current.enabled
      ? record.enabled
        ? 'user.enable'
        : 'user.disable'
      : password
        ? 'user.reset-password'
        : 'user.update';
  // The action says it all for a plain enable or disable; an update that changed nothing says so.
  const detail = changes.join('; ') || (action === 'user.update' ? 'no change' : undefined);
  return { action, target: record.email.toLowerCase(), ...(detail ? { detail } : {}) };
}
