/**
 * What the admin API needs: our own users and their devices, the console's admin accounts,
 * the initial exports, the CRM sync's waiting changes and the organisation's overview. Nothing
 * here is a CRM's: it works the same with the built-in CRM, a hosted one, or none.
 */
import type { ActivityStore } from '../accounts/activity';
import type { AuditLog } from '../accounts/audit';
import type { SignInThrottle } from '../accounts/throttle';
import type { AuthDeps, Logger } from '../api/types';
import type { ConsoleAssets } from '../console/assets';
import type { JobStore } from '../jobs/job-store';
import type { About } from '../platform/env';
import type { RetryReport } from '../sync/delivery';

/** What DELETE /users/{email} reports (the App's use case, app/delete-user.ts). */
export interface UserDeletion {
  email: string;
  /** Calendar objects removed. */
  objects: number;
  /** Outbox entries (CalDAV changes not yet in the CRM) dropped. */
  pendingDropped: number;
  exportCancelled: boolean;
}

/** A user as the CRM knows them: checked before CalDAV access is given (a hosted CRM's users only). */
export interface CrmDirectory {
  /** Null when the CRM has no active user with this e-mail. */
  findUser(email: string): Promise<{ email: string; name?: string; timeZone?: string } | null>;
}

/** A hosted CRM's connection, as the console shows and changes it (crm/zoho/connection.ts). */
export interface CrmConnectionAdmin {
  status(): Promise<unknown>;
  startConsent(input: { dataCentre?: string; accountsUrl?: string; clientId: string; clientSecret: string; origin: string; by: string }): Promise<{ authorizeUrl: string; redirectUri: string }>;
  disconnect(): Promise<void>;
}

export interface AdminApiDeps extends AuthDeps {
  /** Which CRM the deployment syncs with (`builtin`, `zoho`, `none`), for GET /connection. */
  crmName?: string;
  /** A hosted CRM's connection; absent = /connection reports the CRM's name only. */
  connection?: CrmConnectionAdmin;
  /** The CRM's users, to refuse CalDAV access to an e-mail the CRM does not know; absent = no check. */
  directory?: CrmDirectory;
  /** Hook for GET /status (the sync bridge's outbox status); absent = 404. */
  status?: (owner?: string) => Promise<unknown>;
  /** The outbox replay (the sync bridge's); absent = POST /status/retry is 404. */
  retry?: (owner?: string) => Promise<RetryReport>;
  /** Reconciliation's state, for GET /organisation. */
  jobs?: Pick<JobStore, 'getReconcile'>;
  /** The release and the schedule, for GET /organisation. */
  about?: About;
  /** Each user's devices and their last requests, for GET /users/{email}/devices; absent = 404. */
  devices?: Pick<ActivityStore, 'list'>;
  /** The admin console's files, served under /crm/admin/; absent = 404. */
  console?: ConsoleAssets;
  /** Initial-export jobs (lambda/jobs), read for export progress; absent = those routes are 404. */
  exports?: Pick<JobStore, 'getExport' | 'listExports'>;
  /** Called when a user's CalDAV access is turned on (the App starts the initial export). */
  onEnabled?: (email: string) => Promise<void>;
  /** DELETE /users/{email}: the App's deletion of a user and their calendar; absent = 404. */
  deleteUser?: (email: string) => Promise<UserDeletion | null>;
  /** Console sign-in throttling per account and client address (accounts/throttle.ts); absent = none. */
  throttle?: SignInThrottle;
  /** Where each change is recorded (accounts/audit.ts); absent = not recorded, GET /audit is 404. */
  audit?: AuditLog;
  log?: Logger;
}
