/**
 * The CRM REST API without transport: a request in, a response out, JSON bodies as text. The
 * Lambda handler and tests adapt to these; nothing here knows API Gateway or AWS.
 */
import type { UserDeletion } from '../app/delete-user';
import type { ActivityStore } from '../accounts/activity';
import type { AdminStore } from '../accounts/admins';
import type { About } from '../platform/env';
import type { ConsoleAssets } from '../console/assets';
import type { JobStore } from '../jobs/job-store';
import type { RetryReport } from '../sync/retry';
import type { UserStore } from '../store/types';
import type { CrmConnector, CrmEvent, CrmEventListener, PersonModule, UpsertOptions } from '../crm/types';
import type { PersonDraft, StoredPerson } from './person-types';

export type { PersonDraft, StoredPerson } from './person-types';

export interface ApiRequest {
  method: string;
  /** Decoded path, e.g. `/crm/v1/events/123`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or '' for 204. */
  body: string;
}

/** What the API needs from a CRM beyond the connector port: people and modified-since. */
export interface CrmApiBackend extends CrmConnector {
  listPeople(module: PersonModule): Promise<StoredPerson[]>;
  getPerson(module: PersonModule, id: string): Promise<StoredPerson | null>;
  savePerson(person: PersonDraft, opts?: UpsertOptions): Promise<StoredPerson>;
  deletePerson(module: PersonModule, id: string, opts?: UpsertOptions): Promise<StoredPerson>;
  /** Events of `ownerEmail` modified at or after `since` (ISO), soft-deleted ones included. */
  listEventsModifiedSince(ownerEmail: string, since: string): Promise<CrmEvent[]>;
}

/** The admin by token (no e-mail) or by a console session of an admin account, or a user. */
export type Caller = { kind: 'admin'; email?: string } | { kind: 'user'; email: string };

export interface CrmApiDeps {
  crm: CrmApiBackend;
  /** Users (the CalDAV users table): per-user Basic auth and the admin's /users endpoints. */
  users: UserStore;
  /** The admin bearer token (CRM_ADMIN_TOKEN); unset = no admin access through the API. */
  adminToken?: string;
  /** Told after every successful event write (the sync bridge updates CalDAV). Default: no-op. */
  listener?: CrmEventListener;
  /** Hook for GET /crm/v1/status (the sync bridge's outbox status); absent = 404. */
  status?: (owner?: string) => Promise<unknown>;
  /** The outbox replay (the sync bridge's); absent = POST /status/retry is 404. */
  retry?: (owner?: string) => Promise<RetryReport>;
  /** Reconciliation's state, for GET /organisation. */
  jobs?: Pick<JobStore, 'getReconcile'>;
  /** The release and the schedule, for GET /organisation. */
  about?: About;
  /** Admin accounts and console sessions (/session, cookie sign-in); absent = the console cannot sign in. */
  admins?: AdminStore;
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
  now?: () => Date;
  /** Where listener failures are reported; default console.error as one JSON line. */
  log?: (level: 'info' | 'error', message: string, fields: Record<string, unknown>) => void;
}
