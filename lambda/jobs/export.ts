/**
 * The initial export: copies a user's own CRM events in the window into their CalDAV
 * calendar, once per enable, then their tasks into the tasks list (export-tasks.ts). The plan (which events, in what order) is made once and stored,
 * then written batch by batch with a checkpoint after each. Re-running a batch is harmless: the
 * import creates only what is not in the calendar yet. A user disabled or re-enabled mid-way
 * stops the job at the next batch.
 */
import { randomUUID } from 'node:crypto';
import { crmEventToIcs } from '../crm/mapping';
import type { CrmEvent, CrmUser } from '../crm/types';
import { errorText } from '../platform/log';
import { caldavUidOf } from '../sync/crm-to-caldav';
import { storedObjectFor } from '../sync/stored-object';
import { DEFAULT_BATCH_SIZE, DEFAULT_LEASE_MS, type JobDeps } from './deps';
import type { ExportJob, ExportProgress, Lease } from './job-store';
import { exportTasks } from './export-tasks';
import { planExport } from './select';
import { exportWindow } from './window';

export type ExportOutcome =
  /** Another run holds the job, or it is already done or cancelled. */
  | 'not-claimed'
  | 'done'
  /** Out of time: the checkpoint stands and the next run resumes. */
  | 'paused'
  | 'cancelled'
  | 'failed'
  /** Another run took the job over (our lease ran out): it carries on. */
  | 'lease-lost';

export interface ExportRun {
  email: string;
  outcome: ExportOutcome;
  exported: number;
  total: number;
  reason?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

const nameOf = (e: CrmEvent) => e.caldav?.name ?? `${caldavUidOf(e)}.ics`;

const isLiveFor = (e: CrmEvent | null, owner: string): e is CrmEvent => !!e && !e.Deleted && e.Owner.email.toLowerCase() === owner;

/** Why the job must stop now, or null while the user still has this enable. */
async function stopReason(deps: JobDeps, job: ExportJob): Promise<string | null> {
  const record = await deps.users.getUser(job.email);
  if (!record?.enabled) return 'CalDAV access was disabled during the export';
  if (record.enabledAt !== job.enabledAt) return 'CalDAV access was enabled again; a new export replaces this one';
  return null;
}

async function makePlan(deps: JobDeps, job: ExportJob, user: CrmUser, lease: Lease): Promise<string[] | null> {
  const window = exportWindow(job.enabledAt, user.timeZone);
  const events = await deps.crm.listEvents(user.email, { from: iso(window.start), to: iso(window.end) });
  const plan = planExport(events, user, window, job.enabledAt);
  const saved = await deps.jobs.savePlan(job, lease, { ...plan, windowStart: iso(window.start), windowEnd: iso(window.end) });
  if (!saved) return null;
  deps.log?.('info', 'export planned', { owner: job.email, total: plan.ids.length, leftOut: plan.leftOut, windowStart: iso(window.start), windowEnd: iso(window.end) });
  return plan.ids;
}

/** Writes one batch of the plan; returns how many of its events are now in the calendar. */
async function writeBatch(deps: JobDeps, user: CrmUser, ids: string[], pendingUids: Set<string>): Promise<number> {
  const owner = user.email;
  const now = deps.now();
  const events = (await deps.crm.getEvents(ids)).filter((e) => isLiveFor(e, owner));
  // A phone deletion still on its way to the CRM must not be undone by the export.
  const wanted = events.filter((e) => !pendingUids.has(caldavUidOf(e)));
  const objects = wanted.flatMap((e) => {
    try {
      const ics = crmEventToIcs(e, { owner: user, previousIcs: e.caldav?.ics, now });
      return [storedObjectFor(nameOf(e), ics, now)];
    } catch (err) {
      // One event the mapping cannot express must not hold the whole export back forever.
      deps.log?.('error', 'export skipped an event it cannot map to iCalendar', { owner, eventId: e.id, error: errorText(err) });
      return [];
    }
  });
  const result = await deps.store.importObjects(owner, objects);
  if (result.tooLarge.length) deps.log?.('error', 'export skipped objects too large to store', { owner, names: result.tooLarge });
  // The CRM may have changed an event between our read and the import (the listener found no
  // object to update then): re-read what we created and hand any difference to the listener.
  const created = new Set(result.created);
  const written = wanted.filter((e) => created.has(nameOf(e)));
  const latest = new Map((await deps.crm.getEvents(written.map((e) => e.id))).map((e) => [e.id, e]));
  for (const e of written) {
    const current = latest.get(e.id) ?? null;
    if (!isLiveFor(current, owner)) await deps.listener.eventDeleted(e);
    else if (current.Modified_Time !== e.Modified_Time) await deps.listener.eventSaved(current, e);
  }
  // Already in the calendar (an earlier run got this far before its checkpoint) counts as done.
  return result.created.length + result.skipped.length;
}

/** `enabledAt`: the user record's, the enable this export belongs to. */
export async function runExport(deps: JobDeps, user: CrmUser, enabledAt: string, opts: { deadline?: number } = {}): Promise<ExportRun> {
  const email = user.email.toLowerCase();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const lease: Lease = { holder: randomUUID(), until: deps.now().getTime() + leaseMs };
  const job = await deps.jobs.claimExport(email, enabledAt, lease, deps.now());
  if (!job) return { email, outcome: 'not-claimed', exported: 0, total: 0 };

  const progress: ExportProgress = { next: job.next, exported: job.exported, skipped: job.skipped, ...(job.tasks ? { tasks: job.tasks } : {}) };
  let total = job.total;
  const finish = async (outcome: ExportOutcome, reason?: string): Promise<ExportRun> => {
    const status = outcome === 'done' ? 'done' : outcome === 'cancelled' ? 'cancelled' : outcome === 'failed' ? 'failed' : 'running';
    const released = outcome === 'lease-lost' || (await deps.jobs.release(email, lease, status, deps.now(), reason));
    return { email, outcome: released ? outcome : 'lease-lost', exported: progress.exported, total, ...(reason ? { reason } : {}) };
  };

  try {
    const ids = job.planned ? await deps.jobs.readPlan(job) : await makePlan(deps, job, { ...user, email }, lease);
    if (!ids) return await finish('lease-lost');
    total = ids.length;
    const pendingUids = new Set((await deps.outbox.list(email)).flatMap((entry) => entry.uids));
    for (let batch = Math.floor(progress.next / batchSize); progress.next < ids.length; batch++) {
      if (opts.deadline !== undefined && deps.now().getTime() >= opts.deadline) return await finish('paused');
      const reason = await stopReason(deps, job);
      if (reason) return await finish('cancelled', reason);
      const slice = ids.slice(progress.next, progress.next + batchSize);
      const inCalendar = await writeBatch(deps, { ...user, email }, slice, pendingUids);
      await deps.afterBatch?.(email, batch);
      progress.next += slice.length;
      progress.exported += inCalendar;
      progress.skipped += slice.length - inCalendar;
      lease.until = deps.now().getTime() + leaseMs;
      if (!(await deps.jobs.checkpoint(email, lease, progress, deps.now()))) return await finish('lease-lost');
    }
    if (!progress.tasks) {
      const reason = await stopReason(deps, job);
      if (reason) return await finish('cancelled', reason);
      const tasks = await exportTasks(deps, { ...user, email }, job.enabledAt);
      if (tasks) {
        progress.tasks = tasks;
        lease.until = deps.now().getTime() + leaseMs;
        if (!(await deps.jobs.checkpoint(email, lease, progress, deps.now()))) return await finish('lease-lost');
      }
    }
    deps.log?.('info', 'export done', { owner: email, exported: progress.exported, skipped: progress.skipped, total });
    return await finish('done');
  } catch (err) {
    const reason = errorText(err);
    deps.log?.('error', 'export failed; the next run resumes from the checkpoint', { owner: email, error: reason });
    return await finish('failed', reason).catch(() => ({ email, outcome: 'failed' as const, exported: progress.exported, total, reason }));
  }
}
