/**
 * Table layouts: the single source for the local table bootstrap and the CDK tables construct.
 *
 * events  pk = owner e-mail, sk = `obj#<name>` (one item per calendar object: ics, etag, uid,
 *         rangeStart/rangeEnd, recurring, lastModified, size) or `uid#<uid>` (UID → name guard
 *         so one UID can be held by one resource only, enforced in the same transaction).
 * sync    pk = owner e-mail, seq = 0 for the calendar item (current seq, dead properties),
 *         seq ≥ 1 for change-log entries {name, deleted, expiresAt}; `expiresAt` is the TTL.
 * users   pk = e-mail: password hash, enabled flag, CRM profile fields.
 * outbox  pk = owner e-mail, sk = resource name: a calendar object whose last change has not
 *         reached the CRM yet (lambda/sync/outbox-dynamodb.ts); removed once delivered.
 * crm     pk/sk: the built-in CRM's leads, contacts, events, e-mail index and change feed, one
 *         table with typed keys (lambda/crm/builtin/keys.ts).
 * jobs    pk/sk: the scheduled jobs' state: one initial-export job per user (status, window,
 *         checkpoint, lease), its plan of CRM event ids, and the reconciliation cursor and lease
 *         (lambda/jobs/job-store.ts). Plan items expire by TTL once the job is long finished.
 * admins  pk = admin e-mail, sk = `account` (password hash, name) or `session#<hash>` (a console
 *         sign-in: CSRF token, expiry; `expiresAt` is the TTL): lambda/accounts/admins.ts.
 * activity pk = user e-mail, sk = `device#<hash of the user agent>`: the device's user agent and
 *         its last request (lambda/accounts/activity.ts); written by the CalDAV handlers, which
 *         have no other write on a table of accounts, and kept a year after the last request.
 *         sk = `guesses#<password digest>`: the count of tries of the user's chosen password in
 *         the current window (lambda/accounts/guesses.ts), kept a day past it.
 *         The admins table also holds the console's sign-in throttles: sk = `throttle` beside an
 *         account's e-mail, and pk = `address#<client address>` (lambda/accounts/throttle.ts).
 * audit   pk = `month#<YYYY-MM>`, sk = `<ISO time>#<random>`: who changed what of users, admins
 *         and access, from where (lambda/accounts/audit.ts); only ever added to, and expiring
 *         by `expiresAt` after AUDIT_RETENTION_DAYS (400 by default).
 */

export interface TableSpec {
  /** Logical name, used for env vars (`<NAME>_TABLE`) and construct ids. */
  logicalName: 'events' | 'sync' | 'users' | 'outbox' | 'crm' | 'jobs' | 'admins' | 'activity' | 'audit';
  partitionKey: { name: string; type: 'S' | 'N' };
  sortKey?: { name: string; type: 'S' | 'N' };
  ttlAttribute?: string;
}

export const EVENTS_TABLE: TableSpec = {
  logicalName: 'events',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};

export const SYNC_TABLE: TableSpec = {
  logicalName: 'sync',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'seq', type: 'N' },
  ttlAttribute: 'expiresAt',
};

export const USERS_TABLE: TableSpec = {
  logicalName: 'users',
  partitionKey: { name: 'email', type: 'S' },
};

export const OUTBOX_TABLE: TableSpec = {
  logicalName: 'outbox',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};

export const CRM_TABLE: TableSpec = {
  logicalName: 'crm',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};

/** A table keyed by string `pk` and `sk` whose items expire by `expiresAt`. */
const expiringPkSk = (logicalName: TableSpec['logicalName']): TableSpec => ({
  logicalName,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  ttlAttribute: 'expiresAt',
});

export const JOBS_TABLE = expiringPkSk('jobs');

export const ADMINS_TABLE = expiringPkSk('admins');

export const ACTIVITY_TABLE = expiringPkSk('activity');

export const AUDIT_TABLE = expiringPkSk('audit');

export const TABLES = [EVENTS_TABLE, SYNC_TABLE, USERS_TABLE, OUTBOX_TABLE, CRM_TABLE, JOBS_TABLE, ADMINS_TABLE, ACTIVITY_TABLE, AUDIT_TABLE] as const;

/** Environment variable carrying a table's physical name, e.g. EVENTS_TABLE. */
export const tableEnvVar = (spec: TableSpec) => `${spec.logicalName.toUpperCase()}_TABLE`;

/** Physical names used when the environment does not say (local server, tests). */
export const defaultTableName = (spec: TableSpec, prefix = 'crm-caldav') => `${prefix}-${spec.logicalName}`;
