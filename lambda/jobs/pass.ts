/**
 * One run of the schedule: replay phone changes the CRM refused, run the initial exports that
 * are due, then reconcile CRM changes. Each step is guarded, so one failing does not stop the
 * others; everything a step leaves undone is picked up by the next run.
 */
import type { RetryReport } from '../sync/delivery';
import { errorText } from '../platform/log';
import type { JobDeps } from './deps';
import { runExport, type ExportRun } from './export';
import { runReconciliation, type ReconcileReport } from './reconcile';
import { runTaskReconciliation } from './reconcile-tasks';

export interface PassReport {
  retry: RetryReport | { error: string };
  exports: Array<ExportRun | { email: string; error: string }>;
  /** Jobs of users who lost CalDAV access before their export could finish. */
  cancelled: string[];
  reconcile: ReconcileReport | { error: string };
  /** The tasks feed's reconciliation (reconcile-tasks.ts); absent when the CRM has no Tasks module or it was not due. */
  reconcileTasks?: ReconcileReport | { error: string };
  /** A hosted CRM's per-pass work (users list, notification channel); absent without one. */
  upkeep?: Record<string, unknown> | { error: string };
}

export interface PassOptions {
  /** Epoch ms by which long steps pause and leave the rest to the next run. */
  deadline?: number;
  /** Only this user's export (the CLI's `jobs run <email>`). */
  email?: string;
  /** Skip reconciliation (the CLI's `jobs run <email>`). */
  exportsOnly?: boolean;
}

/** Exports run side by side within a pass, at most this many at once (each is DynamoDB-bound). */
export const EXPORT_CONCURRENCY = 4;

/** Runs `work` over `items`, at most `limit` at once; results in the items' order. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const guarded = async <T>(step: () => Promise<T>): Promise<T | { error: string }> => {
  try {
    return await step();
  } catch (err) {
    return { error: errorText(err) };
  }
};

export async function runScheduledPass(deps: JobDeps, opts: PassOptions = {}): Promise<PassReport> {
  const wanted = opts.email?.toLowerCase();
  // The CRM's upkeep first: a channel renewed and users listed before anything reads them.
  const upkeep = deps.upkeep && !opts.exportsOnly ? await guarded(() => deps.upkeep!.run()) : undefined;
  const report: PassReport = { retry: await guarded(() => deps.retry(wanted)), exports: [], cancelled: [], reconcile: { ran: false, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null }, ...(upkeep ? { upkeep } : {}) };
  const records = (await deps.users.listUsers())
    .filter((r) => wanted === undefined || r.email.toLowerCase() === wanted)
    .sort((a, b) => (a.email < b.email ? -1 : 1));
  const jobs = new Map((await deps.jobs.listExports()).map((j) => [j.email, j]));
  const due: Array<{ email: string; enabledAt: string }> = [];
  for (const record of records) {
    const email = record.email.toLowerCase();
    const job = jobs.get(email);
    if (!record.enabled || !record.enabledAt) {
      if (job && (job.status === 'running' || job.status === 'failed') && (await deps.jobs.cancelExport(email, 'CalDAV access was disabled before the export finished', deps.now()))) {
        report.cancelled.push(email);
      }
      continue;
    }
    if (!job || job.enabledAt !== record.enabledAt || job.status === 'running' || job.status === 'failed') due.push({ email, enabledAt: record.enabledAt });
  }
  const runs = await pooled(due, deps.exportConcurrency ?? EXPORT_CONCURRENCY, async ({ email, enabledAt }) => {
    // Past the deadline an export is not started: the next run takes it.
    if (opts.deadline !== undefined && deps.now().getTime() >= opts.deadline) return null;
    const run = await guarded(async () => {
      const user = await deps.crm.getUser(email);
      if (!user) throw new Error(`${email} is not a CRM user`);
      return runExport(deps, user, enabledAt, { deadline: opts.deadline });
    });
    return 'error' in run ? { email, error: run.error } : run;
  });
  report.exports = runs.filter((r): r is NonNullable<typeof r> => r !== null);
  if (!opts.exportsOnly) {
    await guarded(() => summarizeCalendars(deps, records.map((r) => r.email.toLowerCase()), opts.deadline));
    const due = deps.upkeep ? await guarded(async () => deps.upkeep!.reconcileDue((await deps.jobs.getReconcile()).lastRunAt ?? null)) : true;
    if (due === true || (typeof due === 'object' && 'error' in due)) report.reconcile = await guarded(() => runReconciliation(deps, { deadline: opts.deadline }));
    // No CRM notifies us of task changes (Zoho's channel watches Events): this is how they arrive,
    // at the events feed's rhythm (a hosted CRM's credits: hourly while its channel lives).
    const tasksDue = deps.upkeep ? await guarded(async () => deps.upkeep!.reconcileDue((await deps.jobs.getReconcile('tasks')).lastRunAt ?? null)) : true;
    if (tasksDue === true || (typeof tasksDue === 'object' && 'error' in tasksDue)) {
      const tasks = await guarded(() => runTaskReconciliation(deps, { deadline: opts.deadline }));
      if (tasks !== null) report.reconcileTasks = tasks;
    }
  }
  return report;
}

/**
 * Builds the listing index of calendars written before it existed (store.summarize); a calendar
 * already indexed costs one key read, and none once this container has seen it so.
 */
async function summarizeCalendars(deps: JobDeps, owners: string[], deadline: number | undefined): Promise<void> {
  const summarize = deps.store.summarize?.bind(deps.store);
  if (!summarize) return;
  // Counter reads first, a thousand keys at a time (ten BatchGetItems in parallel): the store
  // notes which calendars are indexed, so only the others are built below.
  for (let i = 0; i < owners.length; i += 1000) await Promise.all(owners.slice(i, i + 1000).map((o) => deps.store.getCalendar(o)));
  const built = await pooled(owners, SUMMARIZE_CONCURRENCY, async (owner) => (deadline !== undefined && deps.now().getTime() >= deadline ? null : summarize(owner)));
  const raced = owners.filter((_, i) => built[i] === false);
  if (raced.length) deps.log?.('info', 'listing index: calendars written during the build are built again next run', { owners: raced });
}

const SUMMARIZE_CONCURRENCY = 8;

/** Steps of a pass that failed (a lease lost or a deadline reached is not a failure). */
export function failedSteps(report: PassReport, exportsOnly: boolean): number {
  const c = report.reconcile;
  const reconcileFailed = !exportsOnly && ('error' in c || c.failed > 0 || (c.stoppedBecause !== undefined && c.stoppedBecause !== 'deadline' && c.stoppedBecause !== 'lease lost'));
  const t = report.reconcileTasks;
  const tasksFailed = !exportsOnly && t !== undefined && ('error' in t || t.failed > 0 || (t.stoppedBecause !== undefined && t.stoppedBecause !== 'deadline' && t.stoppedBecause !== 'lease lost'));
  const upkeepFailed = report.upkeep !== undefined && 'error' in report.upkeep;
  return Number('error' in report.retry) + report.exports.filter((e) => 'error' in e || e.outcome === 'failed').length + Number(reconcileFailed) + Number(tasksFailed) + Number(upkeepFailed);
}
