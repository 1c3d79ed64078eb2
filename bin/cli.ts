/**
 * `npx crm-caldav …`: manage who may use CalDAV, see what waits for the CRM and how each user's
 * initial export stands, and run the scheduled jobs now. App passwords are printed once and
 * stored only as scrypt hashes.
 *
 * It talks to the local server's DynamoDB (found through <data dir>/endpoint.json), or starts
 * DynamoDB Local on the data directory itself when no server runs, or uses --dynamodb-endpoint,
 * or with --aws the tables of a deployment (AWS credentials and USERS_TABLE from the environment).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateAppPassword, hashGeneratedPassword } from '../lambda/accounts/passwords';
import type { CrmDirectory } from '../lambda/admin-api/types';
import type { App } from '../lambda/app/app';
import { buildApp, connectorName } from '../lambda/app/build';
import { logLine, type Logger } from '../lambda/platform/log';
import type { JobDeps } from '../lambda/jobs/deps';
import { runScheduledPass } from '../lambda/jobs/pass';
import type { UserRecord, UserStore } from '../lambda/store/types';
import type { RetryReport } from '../lambda/sync/delivery';
import { formatStatus, type SyncStatus } from '../lambda/sync/status';
import { HELP_HINT, UsageError, emailArg, type CliAudit, type CliIo } from './lib/cli-io';
import { DEFAULT_TIME_ZONE } from '../lambda/store/types';
import { cliAudit } from './lib/cli-audit';
import { linkUrl } from '../lambda/onboarding/page';
import { canonicalTimeZone } from '../lambda/core/time-zone';
import { DEFAULT_LINK_HOURS, MAX_LINK_HOURS, withNewLink } from '../lambda/onboarding/links';
import { openLocalApp } from './lib/local-app';
import { DEFAULTS } from './lib/server-args';
import { findLocalTarget } from './lib/server-registry';
import { runExportCommand, runJobsCommand, type JobsTarget } from './lib/jobs-commands';
import { runAdminCommand } from './lib/admin-commands';

export type { CliIo } from './lib/cli-io';
export { formatPass, formatProgress, runExportCommand, runJobsCommand, type JobsTarget } from './lib/jobs-commands';

const USAGE = `Usage: crm-caldav <command> [options]

Commands:
  user add <email> [--name NAME] [--time-zone TZ]
                              create a user, or re-enable a disabled one, with a new app password
  user disable <email>        revoke CalDAV access at once (devices get 401)
  user enable <email> [--keep-password]
                              restore access; issues a new app password unless --keep-password
  user reset-password <email> issue a new app password (the old one stops working)
  user list                   list users (time zone: the one set, else UTC, which the server uses)
  user delete <email> --yes   delete the user, their calendar and CalDAV changes not yet in the
                              CRM; the CRM's events of the user stay
  user link <email> --url URL [--hours N]
                              a one-time link (default 24 h, at most 168) that sets up an iPhone
                              in one tap: URL is the server as phones reach it, e.g.
                              https://caldav.example.com; a new link replaces the last
  admin add <email> [--name NAME]
                              an admin account for the console (/crm/admin/); prints its password once
  admin reset-password <email>
                              a new console password; the admin's open sessions end
  admin list                  list admin accounts
  admin remove <email> --yes  take an admin's console access away (sessions end at once)
  admin unlock <email>        lift a console sign-in lockout after too many failed attempts
  sync status [email]         CalDAV changes still waiting for the CRM, per user, with the last error
  sync retry [email]          deliver them now (the scheduled job does this too); not with CRM_CONNECTOR=none
  export status [email]       each user's initial export: queued, running n of m, done with
                              counts, failed with the reason; and its window once planned
  jobs run [email]            one scheduled run now: outbox replay, due initial exports and CRM
                              reconciliation; with an e-mail only that user's replay and export,
                              no reconciliation; not with CRM_CONNECTOR=none

Where the users are:
  --data-dir DIR              local data directory (CALDAV_DATA_DIR): uses the running local
                              server's DynamoDB, or starts DynamoDB Local on DIR. Without it:
                              ./data if a server uses it or it holds data, else the one local
                              server running (wherever its data is), else an error
  --dynamodb-endpoint URL     this DynamoDB (CALDAV_DYNAMODB_ENDPOINT)
  --aws                       the deployed tables: AWS credentials/region from the environment,
                              table names from USERS_TABLE, OUTBOX_TABLE, EVENTS_TABLE, SYNC_TABLE,
                              CRM_TABLE, JOBS_TABLE, ADMINS_TABLE, ACTIVITY_TABLE,
                              AUDIT_TABLE`;

/** Every command, by group: what the usage, the README and the argument check all cover. */
export const COMMANDS = new Map([
  ['user', ['add', 'disable', 'enable', 'reset-password', 'list', 'link', 'delete']],
  ['admin', ['add', 'reset-password', 'list', 'remove', 'unlock']],
  ['sync', ['status', 'retry']],
  ['export', ['status']],
  ['jobs', ['run']],
]);

/** The zone's canonical spelling (`europe/berlin` → `Europe/Berlin`), as the API stores it too. */
function validTimeZone(tz: string): string {
  const zone = canonicalTimeZone(tz);
  if (!zone) throw new UsageError(`unknown time zone ${tz} (expected an IANA name such as Europe/Berlin)`);
  return zone;
}

function printPassword(io: CliIo, email: string, password: string) {
  io.out(`App password for ${email} (shown once, store it on the device now):`);
  io.out(`  ${password}`);
}

interface UserCommandOptions {
  name?: string;
  timeZone?: string;
  keepPassword?: boolean;
  /** `user link`: the server's public base URL and the link's lifetime. */
  url?: string;
  hours?: string;
}

function linkBase(url: string | undefined): string {
  if (!url) throw new UsageError('user link needs --url, the server as phones reach it (e.g. https://caldav.example.com)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${url} is not a URL (e.g. https://caldav.example.com)`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new UsageError('--url must be http:// or https://');
  return parsed.origin;
}

function linkHours(hours: string | undefined): number {
  if (hours === undefined) return DEFAULT_LINK_HOURS;
  const n = Number(hours);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LINK_HOURS) throw new UsageError(`--hours must be a whole number from 1 to ${MAX_LINK_HOURS}`);
  return n;
}

export interface CommandEnv {
  now?: () => Date;
  /** How a generated app password is stored; verification reads the format back from the hash. */
  hash?: (password: string) => Promise<string>;
  /** Records each change in the audit log (main: the App's, as this OS account). */
  audit?: CliAudit;
  /** A hosted CRM's users: a new CalDAV user must be one of them (as in the admin API). */
  directory?: CrmDirectory;
}

/** The commands proper, on any UserStore: testable without DynamoDB. */
export async function runUserCommand(
  users: UserStore,
  command: string,
  email: string | undefined,
  opts: UserCommandOptions,
  io: CliIo,
  { now = () => new Date(), hash = async (p) => hashGeneratedPassword(p), audit = async () => {}, directory }: CommandEnv = {},
): Promise<void> {
  if (command === 'list') {
    const all = (await users.listUsers()).sort((a, b) => a.email.localeCompare(b.email));
    if (all.length === 0) io.out('No users yet. Add one with: crm-caldav user add <email>');
    else io.out(['EMAIL', 'CALDAV', 'NAME', 'TIME ZONE', 'CREATED'].join('\t'));
    for (const u of all) {
      // The zone the server uses: the user's own, else the default (as the API shows it).
      io.out([u.email, u.enabled ? 'enabled' : 'disabled', u.name ?? '-', u.timeZone || DEFAULT_TIME_ZONE, u.createdAt].join('\t'));
    }
    return;
  }

  const address = emailArg(email);
  const existing = await users.getUser(address);
  const stamp = now().toISOString();
  const issue = async (base: UserRecord) => {
    const password = generateAppPassword();
    await users.putUser({ ...base, passwordHash: await hash(password) });
    printPassword(io, address, password);
  };
  const mustExist = (): UserRecord => {
    if (!existing) throw new UsageError(`no user ${address}; create it with: crm-caldav user add ${address}`, false);
    return existing;
  };
  const profile = {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.timeZone !== undefined ? { timeZone: validTimeZone(opts.timeZone) } : {}),
  };

  switch (command) {
    case 'add':
      if (existing?.enabled) {
        throw new UsageError(`${address} already exists and is enabled; use user reset-password for a new password`, false);
      }
      if (!existing && directory && !(await directory.findUser(address))) {
        throw new UsageError(`${address} is not an active user of the CRM: add them there first, or check the spelling`, false);
      }
      await issue({
        ...(existing ?? { email: address, createdAt: stamp, passwordHash: '' }),
        ...profile,
        enabled: true,
        enabledAt: stamp,
      });
      io.out(!existing ? `Created ${address}.` : existing.enabledAt ? `Re-enabled ${address}.` : `Enabled ${address}.`);
      await audit({ action: existing ? 'user.enable' : 'user.create', target: address, detail: `${existing ? '' : 'CalDAV on; '}new app password${profileChanges(profile)}` });
      return;
    case 'disable': {
      const user = mustExist();
      if (!user.enabled) {
        io.out(`${address} was already disabled: nothing changed.`);
        return;
      }
      await users.putUser({ ...user, enabled: false });
      io.out(`Disabled ${address}: its devices are refused from now on.`);
      await audit({ action: 'user.disable', target: address });
      return;
    }
    case 'enable': {
      const user = mustExist();
      const enabled = { ...user, enabled: true, enabledAt: user.enabled ? user.enabledAt : stamp };
      // A device lost or a person gone is the usual reason to disable: by default the old
      // password does not come back to life.
      if (opts.keepPassword) await users.putUser(enabled);
      else await issue(enabled);
      io.out(user.enabled ? `${address} was already enabled${opts.keepPassword ? ': nothing changed' : ''}.` : `Enabled ${address}.`);
      if (!user.enabled || !opts.keepPassword) {
        await audit({ action: user.enabled ? 'user.reset-password' : 'user.enable', target: address, detail: opts.keepPassword ? 'password kept' : 'new app password' });
      }
      return;
    }
    case 'reset-password':
      await issue(mustExist());
      io.out(`The previous app password of ${address} no longer works.`);
      await audit({ action: 'user.reset-password', target: address, detail: 'new app password' });
      return;
    case 'link': {
      const base = linkBase(opts.url);
      const user = mustExist();
      if (!user.enabled) throw new UsageError(`${address} is disabled; enable it first: crm-caldav user enable ${address}`, false);
      const hours = linkHours(opts.hours);
      const { record, token, expiresAt } = withNewLink(user, now(), hours);
      await users.putUser(record);
      await audit({ action: 'link.create', target: address, detail: `valid ${hours} h, replacing any earlier link` });
      io.out(`One-time set-up link for ${address} (valid until ${expiresAt}; opening it on the phone issues a new app password):`);
      io.out(`  ${linkUrl(base, token)}`);
      return;
    }
    default:
      throw new UsageError(`unknown command: user ${command}`);
  }
}

const profileChanges = (profile: { name?: string; timeZone?: string }) =>
  `${profile.name !== undefined ? `; name ${profile.name}` : ''}${profile.timeZone !== undefined ? `; time zone ${profile.timeZone}` : ''}`;

/** `user delete`: asks for --yes, since nothing brings a calendar back. */
export async function runDeleteCommand(app: Pick<App, 'deleteUser'>, email: string, confirmed: boolean, io: CliIo, audit: CliAudit = async () => {}): Promise<void> {
  if (!confirmed) throw new UsageError(`user delete removes ${email} and their calendar for good; add --yes to do it`);
  const deleted = await app.deleteUser(email);
  if (!deleted) throw new UsageError(`no user ${email}`, false);
  await audit({ action: 'user.delete', target: email, detail: `${deleted.objects} calendar object(s), ${deleted.pendingDropped} change(s) not yet in the CRM dropped` });
  io.out(`Deleted ${email}: ${deleted.objects} calendar object(s), ${deleted.pendingDropped} change(s) not yet in the CRM dropped${deleted.exportCancelled ? ', initial export cancelled' : ''}.`);
  io.out('Their events in the CRM are kept; reassign or delete them there.');
}

/** What a command runs on: the App on the chosen tables, and what closes it. */
interface Target {
  app: App;
  /** The local server's URL, when the CLI found it running. */
  serverUrl?: string;
  close(): Promise<void>;
}

const NOTHING_PENDING: SyncStatus = { pending: 0, oldestPendingSince: null, users: [] };

/** The bridge's outbox view and replay; without a CRM nothing is ever pending. */
const syncTarget = (app: App): SyncTarget => ({
  status: app.crm ? app.crm.status : async () => NOTHING_PENDING,
  retry: app.crm ? app.crm.retry : null,
});

const jobsTarget = (app: App): JobsTarget => {
  const { jobDeps } = app;
  return {
    users: app.users,
    jobs: app.jobs!,
    // No deadline: unlike the Lambda, the CLI may take as long as the work needs.
    run: jobDeps ? (owner) => runScheduledPass(jobDeps, owner === undefined ? {} : { email: owner, exportsOnly: true }) : null,
  };
};

export interface SyncTarget {
  status(owner?: string): Promise<SyncStatus>;
  /** Null when no CRM connector is configured. */
  retry: ((owner?: string) => Promise<RetryReport>) | null;
}

/** `sync status` and `sync retry`, on any SyncTarget: testable without DynamoDB. */
export async function runSyncCommand(target: SyncTarget, command: string, email: string | undefined, io: CliIo, audit: CliAudit = async () => {}): Promise<void> {
  const owner = email === undefined ? undefined : emailArg(email);
  if (command === 'status') {
    formatStatus(await target.status(owner)).forEach((line) => io.out(line));
    return;
  }
  if (!target.retry) throw new UsageError('no CRM connector configured: set CRM_CONNECTOR (see docs/sync.md)');
  const r = await target.retry(owner);
  await audit({ action: 'sync.retry', target: owner, detail: `${r.delivered} delivered, ${r.failed} still failing` });
  io.out(`Delivered ${r.delivered}, still failing ${r.failed}, changed during the run ${r.superseded}.`);
  formatStatus(await target.status(owner)).forEach((line) => io.out(line));
}

/** The CLI prints its own summaries; of the jobs' log lines only errors are worth showing. */
const cliLog: Logger = (level, message, fields) => {
  if (level === 'error') logLine(level, message, fields);
};

/**
 * The CLI builds its own App from its environment: against a server syncing with another CRM, its
 * user checks and deliveries would go to the wrong CRM. Said, not refused: data commands still work.
 */
export function connectorMismatch(serverCrm: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const mine = connectorName(env);
  if (serverCrm === undefined || serverCrm === mine) return undefined;
  return `Warning: the running server syncs with CRM_CONNECTOR=${serverCrm}, this command with ${mine}; set CRM_CONNECTOR=${serverCrm} for this command to act as the server does.`;
}

async function openTarget(values: { 'data-dir'?: string; 'dynamodb-endpoint'?: string; aws?: boolean }, io: CliIo): Promise<Target> {
  if (values.aws) {
    const env = { ...process.env };
    delete env.CALDAV_DYNAMODB_ENDPOINT;
    const app = buildApp({ env, log: cliLog });
    return { app, close: () => app.close() };
  }
  const endpoint = values['dynamodb-endpoint'] ?? process.env.CALDAV_DYNAMODB_ENDPOINT;
  const dataDir = values['data-dir'] ?? process.env.CALDAV_DATA_DIR;
  // Told nothing, the CLI uses the running server's database, never a new empty one.
  const found = endpoint || dataDir ? undefined : findLocalTarget(DEFAULTS.dataDir);
  if (found?.note) io.err(found.note);
  const mismatch = connectorMismatch(found?.crm, process.env);
  if (mismatch) io.err(mismatch);
  // An explicit --data-dir may be a first run before any server: the tables are created when missing.
  const { app, close } = await openLocalApp({
    env: process.env,
    endpoint: endpoint ?? (found && 'endpoint' in found ? found.endpoint : undefined),
    dataDir: dataDir ?? (found && 'dataDir' in found ? found.dataDir : DEFAULTS.dataDir),
    role: 'cli',
    log: cliLog,
  });
  return { app, close, serverUrl: found?.url };
}

async function exportNow(deps: JobDeps, email: string, io: CliIo): Promise<void> {
  const report = await runScheduledPass(deps, { email, exportsOnly: true });
  for (const run of report.exports) {
    io.out('error' in run ? `Initial export failed (${run.error}); the scheduled job retries it.` : `Initial export ${run.outcome}: ${run.exported} of ${run.total} events in the calendar.`);
  }
}

/** Returns the exit code. */
export async function main(argv: string[], io: CliIo = { out: console.log, err: console.error }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'time-zone': { type: 'string' },
        'keep-password': { type: 'boolean' },
        url: { type: 'string' },
        hours: { type: 'string' },
        yes: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'dynamodb-endpoint': { type: 'string' },
        aws: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`crm-caldav: ${(err as Error).message}\n${HELP_HINT}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, command, email, ...extra] = positionals;
  if (values.help || group === 'help' || !group) {
    io.out(USAGE);
    return values.help || group === 'help' ? 0 : 2;
  }
  const known = COMMANDS.get(group) ?? [];
  if (!command || !known.includes(command) || extra.length > 0) {
    const why = !COMMANDS.has(group)
      ? `unknown command "${group}"`
      : !command
        ? `"${group}" needs a command: ${known.join(', ')}`
        : !known.includes(command)
          ? `unknown command "${group} ${command}" (known: ${known.join(', ')})`
          : `too many arguments: ${extra.join(' ')}`;
    io.err(`crm-caldav: ${why}\n${HELP_HINT}`);
    return 2;
  }

  let target: Target | undefined;
  try {
    if (group === 'user' || group === 'admin' ? command !== 'list' : email !== undefined) emailArg(email);
    target = await openTarget(values, io);
    const audit = cliAudit(target.app.audit, target.app.log);
    if (group === 'admin') {
      if (!target.app.admins) throw new Error('no admin accounts are kept here');
      await runAdminCommand(target.app.admins, command, email, { name: values.name, yes: values.yes === true, consoleUrl: target.serverUrl && `${target.serverUrl}crm/admin/`, throttle: target.app.throttle ?? undefined, audit }, io);
      return 0;
    }
    if (group === 'sync') {
      await runSyncCommand(syncTarget(target.app), command, email, io, audit);
      return 0;
    }
    if (group === 'export' || group === 'jobs') {
      if (group === 'export') await runExportCommand(jobsTarget(target.app), command, email, io);
      else {
        const owner = email === undefined ? undefined : emailArg(email);
        try {
          await runJobsCommand(jobsTarget(target.app), command, email, io);
        } finally {
          await audit({ action: 'jobs.run', target: owner, detail: owner ? "that user's replay and export" : 'outbox replay, due exports, reconciliation' });
        }
      }
      return 0;
    }
    if (command === 'delete') {
      await runDeleteCommand(target.app, emailArg(email), values.yes === true, io, audit);
      return 0;
    }
    await runUserCommand(target.app.users, command, email, {
      name: values.name,
      timeZone: values['time-zone'],
      keepPassword: values['keep-password'],
      url: values.url,
      hours: values.hours,
    }, io, { audit, directory: target.app.directory ?? undefined });
    // Enabling starts the initial export now, as the CRM API does; the schedule is the safety net.
    if ((command === 'add' || command === 'enable') && target.app.jobDeps) await exportNow(target.app.jobDeps, emailArg(email), io);
    return 0;
  } catch (err) {
    io.err(`crm-caldav: ${err instanceof Error ? err.message : String(err)}${err instanceof UsageError && err.help ? `\n${HELP_HINT}` : ''}`);
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await target?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
