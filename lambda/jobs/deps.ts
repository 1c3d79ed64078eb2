/** What the scheduled jobs work with: plain ports, so tests and the Lambda wire them alike. */
import type { CrmConnector, CrmUpkeep } from '../crm/types';
import type { CalendarStore, ObjectImporter, UserStore } from '../store/types';
import type { Logger } from '../platform/log';
import type { CaldavWriter } from '../sync/crm-to-caldav';
import type { Outbox } from '../sync/outbox';
import type { RetryReport } from '../sync/delivery';
import type { JobStore } from './job-store';

export interface JobDeps {
  /** The calendar store: the jobs write what the CRM already has, and call no change hook. */
  store: CalendarStore & ObjectImporter;
  users: UserStore;
  crm: CrmConnector;
  /** CRM -> CalDAV (lambda/sync/crm-to-caldav.ts). */
  listener: CaldavWriter;
  /** Phone changes the CRM has not accepted yet: the jobs never undo them. */
  outbox: Outbox;
  /** A hosted CRM's per-pass work and reconcile rhythm; absent = reconcile every pass. */
  upkeep?: CrmUpkeep;
  /** Replays the outbox (lambda/sync/delivery.ts), for one owner or all. */
  retry: (owner?: string) => Promise<RetryReport>;
  jobs: JobStore;
  now: () => Date;
  log?: Logger;
  /** How long a claimed job or cursor stays ours without a checkpoint; default 10 minutes. */
  leaseMs?: number;
  /** Exports run at once within a pass; default EXPORT_CONCURRENCY (pass.ts). */
  exportConcurrency?: number;
  /** Plan entries per write batch; default 25 (one TransactWriteItems in the DynamoDB store). */
  batchSize?: number;
  /** Test hook: runs after each export batch is written and before its checkpoint. */
  afterBatch?: (email: string, batch: number) => Promise<void> | void;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;
export const DEFAULT_BATCH_SIZE = 25;
