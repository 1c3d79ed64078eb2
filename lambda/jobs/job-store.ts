/**
 * The scheduled jobs' state, behind a narrow port: one initial-export job per user and one
 * reconciliation cursor. Every state change after a claim is conditioned on holding the lease,
 * so two runs of the schedule (an overlap, a retry, a crash's leftover) never both make progress
 * on the same job; a crashed holder's lease simply runs out.
 */

export type ExportStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface ExportJob {
  email: string;
  /** The enable this job serves: a later enable starts a new job. */
  enabledAt: string;
  status: ExportStatus;
  /** ISO instants of the window; set once the plan is made. */
  windowStart?: string;
  windowEnd?: string;
  /** Whether the plan (the ordered event ids) is stored. */
  planned: boolean;
  /** Events in the plan, at most the limit. */
  total: number;
  /** Events that qualified beyond the limit and were left out. */
  leftOut: number;
  /** Checkpoint: plan index of the next event to write. */
  next: number;
  /** Planned events now in the calendar: created by this job, or found there already. */
  exported: number;
  /** Planned events not written: deleted or moved meanwhile, a phone deletion pending, refused. */
  skipped: number;
  /** Runs that worked on this job. */
  attempts: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Why it failed or was cancelled. */
  reason?: string;
  /** The tasks export (export-tasks.ts), once it ran: it runs after the events, in one step. */
  tasks?: TasksExport;
}

/** What the tasks export did: tasks selected (at most the limit), now in the tasks list, left out. */
export interface TasksExport {
  total: number;
  exported: number;
  leftOut: number;
}

export type ExportProgress = Pick<ExportJob, 'next' | 'exported' | 'skipped' | 'tasks'>;

export interface Lease {
  /** Unique per run. */
  holder: string;
  /** Epoch ms the lease runs out at unless renewed. */
  until: number;
}

/** Which CRM change feed a reconciliation follows: the events' or the tasks'. */
export type ReconcileFeed = 'events' | 'tasks';

export interface ReconcileState {
  /** The CRM change-feed cursor applied up to; null before the first run. */
  cursor: string | null;
  lastRunAt?: string;
  /** Changes applied by the last completed run. */
  lastApplied?: number;
}

export interface JobStore {
  getExport(email: string): Promise<ExportJob | null>;
  listExports(): Promise<ExportJob[]>;
  /**
   * Takes the lease on `email`'s job for the enable `enabledAt`: a new job when none exists or
   * the stored one serves an older enable; the stored job when it is running or failed and its
   * lease is free. Null when another run holds it, or when it is done or cancelled.
   */
  claimExport(email: string, enabledAt: string, lease: Lease, now: Date): Promise<ExportJob | null>;
  /** Stores the plan and its counts; false when the lease was lost. */
  savePlan(job: ExportJob, lease: Lease, plan: { ids: string[]; leftOut: number; windowStart: string; windowEnd: string }): Promise<boolean>;
  readPlan(job: ExportJob): Promise<string[]>;
  /** Records progress and renews the lease; false when the lease was lost. */
  checkpoint(email: string, lease: Lease, progress: ExportProgress, now: Date): Promise<boolean>;
  /** Ends the run: sets status (and reason), releases the lease; false when the lease was lost. */
  release(email: string, lease: Lease, status: ExportStatus, now: Date, reason?: string): Promise<boolean>;
  /** Marks a job whose lease is free as cancelled (its user lost CalDAV access). */
  cancelExport(email: string, reason: string, now: Date): Promise<boolean>;

  /**
   * The cursor of a feed (`events`, the default, or `tasks`: each has its own cursor and lease),
   * with the lease taken; null when another run holds it.
   */
  claimReconcile(lease: Lease, now: Date, feed?: ReconcileFeed): Promise<ReconcileState | null>;
  /** Saves the cursor and renews the lease; false when the lease was lost. */
  advanceReconcile(lease: Lease, cursor: string, feed?: ReconcileFeed): Promise<boolean>;
  releaseReconcile(lease: Lease, summary: { at: string; applied: number }, feed?: ReconcileFeed): Promise<void>;
  getReconcile(feed?: ReconcileFeed): Promise<ReconcileState>;
}
