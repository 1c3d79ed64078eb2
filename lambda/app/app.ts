/**
 * The composition root: from the ports (stores, a CRM connector, a clock, a logger) to everything
 * an entry point needs. The Lambda handlers, the scheduled job, the CLI, the bench and the local
 * server all take their parts from one App; nothing else wires the bridge.
 */
import { adminRoutes, consoleSite } from '../admin-api/routes';
import type { CrmConnectionAdmin, CrmDirectory } from '../admin-api/types';
import { createApi, type CrmApi } from '../api/router';
import { builtinCrmRoutes } from '../crm-api/routes';
import type { CrmApiBackend } from '../crm-api/types';
import type { ClientAllowlist } from '../api/allowlist';
import type { ChangeAppliers, CrmUpkeep } from '../crm/types';
import type { Mount } from '../api/types';
import { applyCrmChanges } from '../jobs/reconcile';
import { applyCrmTaskChanges } from '../jobs/reconcile-tasks';
import type { JobDeps } from '../jobs/deps';
import type { JobStore } from '../jobs/job-store';
import type { CrmSync } from '../sync/wiring';
import { runScheduledPass } from '../jobs/pass';
import type { UserDeletion } from '../admin-api/types';
import { deleteUser } from './delete-user';
import type { AdminStore } from '../accounts/admins';
import { AuditLog, type AuditStore } from '../accounts/audit';
import { SignInThrottle, type ThrottleStore } from '../accounts/throttle';
import type { ConsoleAssets } from '../console/assets';
import type { About } from '../platform/env';
import { errorText } from '../platform/log';
import { composeDavApp, type DavApp, type DavAppParts } from './dav-app';

export interface AppParts extends DavAppParts {
  /** The scheduled jobs' state; without it there is no scheduled pass and no export progress. */
  jobs?: JobStore;
  /** The admin bearer token for /crm/v1 (CRM_ADMIN_TOKEN); absent = admin access by console session only. */
  adminToken?: string;
  /** The built-in CRM, whose own REST API (events, leads, contacts) /crm/v1 then serves; absent = only the admin API. */
  builtinCrmApi?: CrmApiBackend;
  /** The CRM's users, checked before CalDAV access is given; absent = any e-mail may be added. */
  directory?: CrmDirectory;
  /** Which CRM the deployment syncs with, as CRM_CONNECTOR names it (GET /crm/v1/connection). */
  crmName?: string;
  /** A hosted CRM's connection, shown and changed in the console; absent = none to connect. */
  connection?: CrmConnectionAdmin;
  /** A hosted CRM's per-pass work and reconcile rhythm (jobs/deps.ts); absent = reconcile every pass. */
  upkeep?: CrmUpkeep;
  /**
   * A hosted CRM's own routes under /crm (its webhook), given how changes it reports are applied
   * (as a reconciliation page: jobs/reconcile.ts applyCrmChanges, reconcile-tasks.ts applyCrmTaskChanges).
   */
  mounts?: (apply: ChangeAppliers) => Mount[];
  /**
   * Starts one user's initial export elsewhere (on AWS: an asynchronous invocation of the
   * scheduled function); absent = in this process, in the background.
   */
  exportTrigger?: (email: string) => Promise<void>;
  /** What GET /crm/v1/organisation reports: the release and the schedule. */
  about?: About;
  /** Admin accounts and console sessions; absent = nobody can sign in to the console. */
  admins?: AdminStore;
  /** The admin console's files (index.html, app.js, app.css); absent = /crm/admin answers 404. */
  console?: ConsoleAssets;
  /** Where admin actions are recorded (accounts/audit.ts); absent = not recorded. */
  audit?: AuditStore;
  /** Console sign-in failure counts (accounts/throttle.ts); absent = no throttling. */
  throttle?: ThrottleStore;
  /** Client addresses allowed into the console and /crm/v1 (api/allowlist.ts); absent = everyone. */
  allowlist?: ClientAllowlist | null;
  /** Releases what the parts hold (DynamoDB clients). */
  close?: () => void | Promise<void>;
}

/** The CalDAV side (dav-app.ts) and everything else the entry points take their parts from. */
export interface App extends DavApp {
  jobs: JobStore | null;
  /** The bridge's CRM side (listener, outbox status, replay); null without a CRM. */
  crm: CrmSync | null;
  /** /crm/v1 and the console: the admin API, plus the built-in CRM's own API when it is the CRM. */
  crmApi: CrmApi;
  /** What the scheduled pass runs on; null without a CRM (nothing to export or reconcile) or jobs. */
  jobDeps: JobDeps | null;
  /**
   * Starts `email`'s initial export now instead of at the next scheduled pass (which stays the
   * safety net); resolves once it is started, never rejects. A no-op without jobs.
   */
  startExport(email: string): Promise<void>;
  /** Admin accounts and their console sessions; null when there are none. */
  admins: AdminStore | null;
  /** The audit log every entry point records admin actions in; null when none is kept. */
  audit: AuditLog | null;
  /** Console sign-in throttling (the CLI lifts a lockout with it); null when there is none. */
  throttle: SignInThrottle | null;
  /** A hosted CRM's users, a new CalDAV user must be one of (the CLI checks as the API does); null = anyone. */
  directory: CrmDirectory | null;
  /** Removes a user and their calendar (accounts/delete-user.ts); null when there is none. */
  deleteUser(email: string): Promise<UserDeletion | null>;
  /** Waits for exports started in this process, then releases the parts. */
  close(): Promise<void>;
}

export function composeApp(parts: AppParts): App {
  const { dav, crm } = composeDavApp(parts);
  const { now, log, store, users } = dav;
  const jobs = parts.jobs ?? null;
  const removeUser = (email: string) => deleteUser({ users, store, outbox: parts.bridge?.outbox, jobs: jobs ?? undefined, activity: parts.activity, now }, email);
  const auth = { users, guesses: parts.guesses, adminToken: parts.adminToken, admins: parts.admins, now };
  const audit = parts.audit ? new AuditLog(parts.audit, now) : null;
  const throttle = parts.throttle ? new SignInThrottle(parts.throttle) : null;
  const jobDeps: JobDeps | null =
    crm && jobs
      ? { store, users, crm: crm.connector, outbox: crm.outbox, listener: crm.listener, retry: crm.retry, jobs, now, log, upkeep: parts.upkeep }
      : null;
  const applyChanges: ChangeAppliers = {
    events: async (events, deletedIds) => (jobDeps ? applyCrmChanges(jobDeps, events, deletedIds) : null),
    tasks: async (tasks, deletedIds) => (jobDeps ? applyCrmTaskChanges(jobDeps, tasks, deletedIds) : null),
  };
  const crmApi = createApi({
    auth,
    mounts: [consoleSite({ console: parts.console }), ...(parts.mounts?.(applyChanges) ?? [])],
    allowlist: parts.allowlist,
    log,
    routes: [
      ...adminRoutes({
        ...auth,
        directory: parts.directory,
        crmName: parts.crmName,
        connection: parts.connection,
        status: crm?.status,
        retry: crm?.retry,
        jobs: jobs ?? undefined,
        about: parts.about,
        devices: parts.activity,
        console: parts.console,
        exports: jobs ?? undefined,
        onEnabled: (email) => startExport(email),
        deleteUser: removeUser,
        audit: audit ?? undefined,
        throttle: throttle ?? undefined,
        log,
      }),
      ...(parts.builtinCrmApi ? builtinCrmRoutes({ crm: parts.builtinCrmApi, users, listener: crm?.listener, now, log }) : []),
    ],
  });
  const running = new Set<Promise<unknown>>();
  async function startExport(email: string): Promise<void> {
    if (!jobDeps) return;
    try {
      if (parts.exportTrigger) return await parts.exportTrigger(email);
      const run = runScheduledPass(jobDeps, { email, exportsOnly: true })
        .then((report) => log('info', 'export started on enable', { email, exports: report.exports }))
        .catch((err: unknown) => log('error', 'export on enable failed; the scheduled pass retries it', { email, error: errorText(err) }))
        .finally(() => running.delete(run));
      running.add(run);
    } catch (err) {
      log('error', 'could not start the export; the scheduled pass runs it', { email, error: errorText(err) });
    }
  }
  const app: App = {
    ...dav,
    jobs,
    crm,
    crmApi,
    jobDeps,
    startExport,
    admins: parts.admins ?? null,
    audit,
    throttle,
    directory: parts.directory ?? null,
    deleteUser: removeUser,
    close: async () => {
      await Promise.all([...running, crm?.idle()]);
      await parts.close?.();
    },
  };
  return app;
}
