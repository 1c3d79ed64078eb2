/**
 * The audit log: every change to who may do what (users, their access and passwords, set-up
 * links, admin accounts, console sign-ins and sign-outs, retries and runs an admin starts), with
 * who did it, from where and when. Written by the admin API (console sessions and the admin
 * token) and by the CLI; read by admins in the console. Entries never hold a secret: actions and
 * what they changed, never a password, token or cookie.
 *
 * Entries are kept `AUDIT_RETENTION_DAYS` (400 by default, more than a year) and then expire.
 */
import { randomBytes } from 'node:crypto';
import { positiveNumber, type Env } from '../platform/env';

/** How the actor reached us. */
export type AuditChannel = 'console' | 'token' | 'cli' | 'link';

export interface AuditEntry {
  /** Unique, and in time order: `<ISO time>#<random>`. */
  id: string;
  at: string;
  /** The admin's e-mail (console), `admin token`, the OS account running the CLI, or the user a link belongs to. */
  actor: string;
  via: AuditChannel;
  /** What was done, e.g. `user.disable`, `admin.sign-in-failed`. */
  action: string;
  /** Whom it concerned (a user's or an admin's e-mail). */
  target?: string;
  /** The client address (see api/client-address.ts), when it came over HTTP. */
  from?: string;
  userAgent?: string;
  /** What changed, for people; never a secret. */
  detail?: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

export interface AuditPage {
  entries: AuditEntry[];
  /** The id to pass as `before` for the next (older) page; absent at the end. */
  next?: string;
}

/** The storage port (DynamoDB: audit-store-dynamodb.ts). */
export interface AuditStore {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first, strictly older than `before` when given. */
  list(opts: { before?: string; limit: number }): Promise<AuditPage>;
}

export const AUDIT_RETENTION_ENV = 'AUDIT_RETENTION_DAYS';
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

/** AUDIT_RETENTION_DAYS, or the default; throws naming the variable when it is not a positive number. */
export const auditRetentionDays = (env: Env): number => positiveNumber(env[AUDIT_RETENTION_ENV], AUDIT_RETENTION_ENV) ?? DEFAULT_AUDIT_RETENTION_DAYS;

const MAX_TEXT = 256;
const clean = (text: string | undefined) => (text === undefined ? undefined : text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TEXT) || undefined);

export const auditId = (at: Date) => `${at.toISOString()}#${randomBytes(6).toString('base64url')}`;

/** Builds entries from what happened and the clock; callers never fail because of it. */
export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(entry: NewAuditEntry): Promise<AuditEntry> {
    const at = this.now();
    const full: AuditEntry = {
      id: auditId(at),
      at: at.toISOString(),
      actor: clean(entry.actor) ?? 'unknown',
      via: entry.via,
      action: entry.action,
      ...Object.fromEntries(
        (['target', 'from', 'userAgent', 'detail'] as const).flatMap((k) => {
          const value = clean(entry[k]);
          return value === undefined ? [] : [[k, value]];
        }),
      ),
    };
    await this.store.append(full);
    return full;
  }

  list(opts: { before?: string; limit: number }): Promise<AuditPage> {
    return this.store.list(opts);
  }
}

export class MemoryAuditStore implements AuditStore {
  readonly entries: AuditEntry[] = [];

  async append(entry: AuditEntry) {
    this.entries.push({ ...entry });
  }

  async list({ before, limit }: { before?: string; limit: number }) {
    const older = this.entries.filter((e) => before === undefined || e.id < before).sort((a, b) => b.id.localeCompare(a.id));
    const entries = older.slice(0, limit);
    return { entries, ...(older.length > limit ? { next: entries.at(-1)!.id } : {}) };
  }
}
