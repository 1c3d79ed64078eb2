/**
 * Reconciliation of tasks: applies every CRM task change since the tasks cursor to the owners'
 * tasks lists, as reconcile.ts does for events (one run at a time under the cursor's lease, the
 * first run starting at the feed's end, changes pending from the phone left alone, tasks not in
 * the list and unchanged since the owner's enable left to the initial export). This is how a task
 * changed in the CRM outside our API (Zoho's own UI, imports) reaches the phone.
 */
import { randomUUID } from 'node:crypto';
import { listKey } from '../core/paths';
import { uidForCrmId } from '../crm/mapping';
import type { CrmTask, CrmTaskConnector, CrmTaskListener } from '../crm/types';
import { errorText } from '../platform/log';
import { taskUidOf } from '../sync/tasks';
import { DEFAULT_LEASE_MS, type JobDeps } from './deps';
import type { Lease } from './job-store';
import type { ReconcileReport } from './reconcile';

const MAX_PAGES = 200;

/** The CRM's tasks and the listener's task half; null when tasks do not sync. */
function taskParts(deps: JobDeps): { tasks: CrmTaskConnector; listener: CrmTaskListener } | null {
  const { taskSaved, taskDeleted } = deps.listener;
  return deps.crm.tasks && taskSaved && taskDeleted ? { tasks: deps.crm.tasks, listener: { taskSaved, taskDeleted } } : null;
}

export async function runTaskReconciliation(deps: JobDeps, opts: { deadline?: number } = {}): Promise<ReconcileReport | null> {
  const parts = taskParts(deps);
  if (!parts) return null;
  const { tasks, listener } = parts;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const lease: Lease = { holder: randomUUID(), until: deps.now().getTime() + leaseMs };
  const report: ReconcileReport = { ran: false, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null };
  const state = await deps.jobs.claimReconcile(lease, deps.now(), 'tasks');
  if (!state) return report;
  report.ran = true;
  report.cursor = state.cursor;
  try {
    if (state.cursor === null) {
      report.cursor = await tasks.latestTaskCursor();
      report.started = true;
      if (!(await deps.jobs.advanceReconcile(lease, report.cursor, 'tasks'))) report.stoppedBecause = 'lease lost';
      return report;
    }
    const apply = taskApplier(deps, tasks, listener);
    for (let page = 0; page < MAX_PAGES; page++) {
      if (opts.deadline !== undefined && deps.now().getTime() >= opts.deadline) {
        report.stoppedBecause = 'deadline';
        break;
      }
      const batch = await tasks.listTaskChangesSince(report.cursor);
      if (batch.tasks.length === 0 && batch.deletedIds.length === 0) break;
      await apply(report, batch.tasks, batch.deletedIds);
      if (batch.nextCursor === report.cursor) break;
      lease.until = deps.now().getTime() + leaseMs;
      if (!(await deps.jobs.advanceReconcile(lease, batch.nextCursor, 'tasks'))) {
        report.stoppedBecause = 'lease lost';
        return report;
      }
      report.cursor = batch.nextCursor;
    }
  } catch (err) {
    report.stoppedBecause = errorText(err);
    deps.log?.('error', 'task reconciliation stopped; the next run resumes from the cursor', { error: report.stoppedBecause });
  } finally {
    await deps.jobs.releaseReconcile(lease, { at: deps.now().toISOString(), applied: report.applied }, 'tasks');
  }
  return report;
}

/**
 * Applies task changes the CRM told us of outside the feed (a hosted CRM's notification, the
 * records read again by id) exactly as a reconciliation page; null when tasks do not sync.
 */
export async function applyCrmTaskChanges(deps: JobDeps, changed: CrmTask[], deletedIds: string[]): Promise<Pick<ReconcileReport, 'examined' | 'applied' | 'deferred' | 'failed'> | null> {
  const parts = taskParts(deps);
  if (!parts) return null;
  const report: ReconcileReport = { ran: true, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null };
  await taskApplier(deps, parts.tasks, parts.listener)(report, changed, deletedIds);
  return { examined: report.examined, applied: report.applied, deferred: report.deferred, failed: report.failed };
}

function taskApplier(deps: JobDeps, tasks: CrmTaskConnector, listener: CrmTaskListener) {
  let enabledUsers: Promise<Map<string, number>> | undefined;
  const enabledSince = () =>
    (enabledUsers ??= deps.users.listUsers().then((records) => new Map(records.filter((r) => r.enabled).map((r) => [r.email.toLowerCase(), Date.parse(r.enabledAt ?? r.createdAt)] as const))));
  const pending = async (owner: string) => new Set((await deps.outbox.list(listKey({ email: owner, list: 'tasks' }))).flatMap((e) => e.uids));

  async function saved(task: CrmTask): Promise<'applied' | 'unchanged' | 'deferred'> {
    const owner = task.Owner.email.toLowerCase();
    const uid = taskUidOf(task);
    if ((await pending(owner)).has(uid)) return 'deferred';
    const since = (await enabledSince()).get(owner);
    if (since === undefined) return 'unchanged';
    const had = await deps.store.findNameByUid(listKey({ email: owner, list: 'tasks' }), uid);
    if (!had && !(Date.parse(task.Modified_Time) > since)) return 'unchanged';
    return (await listener.taskSaved(task, null, { fresh: true })) ? 'applied' : 'unchanged';
  }

  async function deleted(id: string): Promise<'applied' | 'unchanged'> {
    const record = await tasks.getTask(id);
    if (record) return (await listener.taskDeleted(record)) ? 'applied' : 'unchanged';
    // Hard-deleted: only a CRM-made task's UID carries its id.
    let removed = false;
    for (const owner of (await enabledSince()).keys()) {
      const key = listKey({ email: owner, list: 'tasks' });
      const name = await deps.store.findNameByUid(key, uidForCrmId(id));
      const obj = name ? await deps.store.getObject(key, name) : null;
      if (obj) {
        await deps.store.deleteObject(key, obj.name, { ifMatch: obj.etag });
        removed = true;
      }
    }
    return removed ? 'applied' : 'unchanged';
  }

  return async (report: ReconcileReport, changed: CrmTask[], deletedIds: string[]) => {
    try {
      for (const t of changed) {
        const outcome = await saved(t);
        report.examined++;
        if (outcome === 'applied') report.applied++;
        else if (outcome === 'deferred') report.deferred++;
      }
      for (const id of deletedIds) {
        report.examined++;
        if ((await deleted(id)) === 'applied') report.applied++;
      }
    } catch (err) {
      report.failed++;
      throw err;
    }
  };
}
