/** The JobStore port in memory, with the same lease rules as the DynamoDB one (unit tests). */
import type { ExportJob, ExportProgress, ExportStatus, JobStore, Lease, ReconcileFeed, ReconcileState } from './job-store';

interface Held {
  job: ExportJob;
  lease?: Lease;
}

const free = (lease: Lease | undefined, now: Date) => !lease || lease.until <= now.getTime();
const holds = (held: Lease | undefined, lease: Lease) => held?.holder === lease.holder;
const copy = (job: ExportJob): ExportJob => ({ ...job });

export class MemoryJobStore implements JobStore {
  private readonly exports = new Map<string, Held>();
  private readonly plans = new Map<string, string[]>();
  private readonly feeds: Record<ReconcileFeed, ReconcileState & { lease?: Lease }> = { events: { cursor: null }, tasks: { cursor: null } };

  async getExport(email: string): Promise<ExportJob | null> {
    const held = this.exports.get(email.toLowerCase());
    return held ? copy(held.job) : null;
  }

  async listExports(): Promise<ExportJob[]> {
    return [...this.exports.values()].map((h) => copy(h.job)).sort((a, b) => (a.email < b.email ? -1 : 1));
  }

  async claimExport(email: string, enabledAt: string, lease: Lease, now: Date): Promise<ExportJob | null> {
    const key = email.toLowerCase();
    const held = this.exports.get(key);
    const at = now.toISOString();
    if (!held || held.job.enabledAt !== enabledAt) {
      const job: ExportJob = { email: key, enabledAt, status: 'running', planned: false, total: 0, leftOut: 0, next: 0, exported: 0, skipped: 0, attempts: 1, startedAt: at, updatedAt: at };
      this.exports.set(key, { job, lease });
      return copy(job);
    }
    if (held.job.status !== 'running' && held.job.status !== 'failed') return null;
    if (!free(held.lease, now)) return null;
    const { reason: _dropped, ...rest } = held.job;
    held.job = { ...rest, status: 'running', attempts: held.job.attempts + 1, updatedAt: at };
    held.lease = lease;
    return copy(held.job);
  }

  private heldBy(email: string, lease: Lease): Held | null {
    const held = this.exports.get(email.toLowerCase());
    return held && holds(held.lease, lease) ? held : null;
  }

  async savePlan(job: ExportJob, lease: Lease, plan: { ids: string[]; leftOut: number; windowStart: string; windowEnd: string }): Promise<boolean> {
    this.plans.set(`${job.email.toLowerCase()}#${job.enabledAt}`, [...plan.ids]);
    const held = this.heldBy(job.email, lease);
    if (!held) return false;
    held.job = { ...held.job, planned: true, total: plan.ids.length, leftOut: plan.leftOut, windowStart: plan.windowStart, windowEnd: plan.windowEnd, next: 0 };
    return true;
  }

  async readPlan(job: ExportJob): Promise<string[]> {
    return [...(this.plans.get(`${job.email.toLowerCase()}#${job.enabledAt}`) ?? [])];
  }

  async checkpoint(email: string, lease: Lease, progress: ExportProgress, now: Date): Promise<boolean> {
    const held = this.heldBy(email, lease);
    if (!held) return false;
    held.job = { ...held.job, ...progress, updatedAt: now.toISOString() };
    held.lease = { ...held.lease!, until: lease.until };
    return true;
  }

  async release(email: string, lease: Lease, status: ExportStatus, now: Date, reason?: string): Promise<boolean> {
    const held = this.heldBy(email, lease);
    if (!held) return false;
    const at = now.toISOString();
    const { reason: _old, ...rest } = held.job;
    held.job = { ...rest, status, updatedAt: at, ...(status === 'done' || status === 'cancelled' ? { finishedAt: at } : {}), ...(reason ? { reason } : {}) };
    held.lease = undefined;
    return true;
  }

  async cancelExport(email: string, reason: string, now: Date): Promise<boolean> {
    const held = this.exports.get(email.toLowerCase());
    if (!held || (held.job.status !== 'running' && held.job.status !== 'failed') || !free(held.lease, now)) return false;
    const at = now.toISOString();
    held.job = { ...held.job, status: 'cancelled', reason, updatedAt: at, finishedAt: at };
    return true;
  }

  async claimReconcile(lease: Lease, now: Date, feed: ReconcileFeed = 'events'): Promise<ReconcileState | null> {
    if (!free(this.feeds[feed].lease, now)) return null;
    this.feeds[feed].lease = lease;
    return this.getReconcile(feed);
  }

  async advanceReconcile(lease: Lease, cursor: string, feed: ReconcileFeed = 'events'): Promise<boolean> {
    if (!holds(this.feeds[feed].lease, lease)) return false;
    this.feeds[feed] = { ...this.feeds[feed], cursor, lease: { ...lease } };
    return true;
  }

  async releaseReconcile(lease: Lease, summary: { at: string; applied: number }, feed: ReconcileFeed = 'events'): Promise<void> {
    if (!holds(this.feeds[feed].lease, lease)) return;
    this.feeds[feed] = { cursor: this.feeds[feed].cursor, lastRunAt: summary.at, lastApplied: summary.applied };
  }

  async getReconcile(feed: ReconcileFeed = 'events'): Promise<ReconcileState> {
    const { lease: _lease, ...state } = this.feeds[feed];
    return { ...state };
  }
}
