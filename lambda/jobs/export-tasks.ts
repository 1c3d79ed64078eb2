/**
 * The initial export's tasks half: when CalDAV is enabled, the user's own CRM tasks go to their
 * tasks list once, after the events (export.ts). Which tasks (docs/tasks.md):
 *
 * - every open task (Status not a completed value), and every task completed in the 30 days
 *   before CalDAV was enabled (Closed_Time at or after that), so Reminders' "Completed" shows
 *   recent work and not years of it;
 * - when more than 2,000 qualify, the 2,000 whose Due_Date is nearest the enable day; tasks
 *   without a Due_Date come after every dated one (newest Modified_Time first).
 *
 * Written with the store's import (creates only what the list does not hold yet), so a re-run is
 * harmless; a phone deletion still on its way to the CRM is not undone. The result is kept on
 * the export job and shown beside the events export.
 */
import { listKey } from '../core/paths';
import { crmTaskToIcs } from '../crm/mapping/task-to-ics';
import type { CrmTask, CrmUser, TaskPicklists } from '../crm/types';
import { errorText } from '../platform/log';
import { storedObjectFor } from '../sync/stored-object';
import { taskUidOf } from '../sync/tasks';
import { DEFAULT_BATCH_SIZE, type JobDeps } from './deps';
import type { TasksExport } from './job-store';

/** The product's bound on the tasks export, as for events. */
export const TASK_EXPORT_LIMIT = 2000;
/** Completed tasks closed this long before the enable still go to the phone. */
export const COMPLETED_LOOKBACK_MS = 30 * 86_400_000;

const DAY_MS = 86_400_000;

/** The plan: ids nearest the enable day first, and how many qualified beyond the limit. */
export function planTaskExport(tasks: CrmTask[], owner: string, enabledAt: string, picklists: TaskPicklists, limit = TASK_EXPORT_LIMIT) {
  const enabled = Date.parse(enabledAt);
  const closedSince = enabled - COMPLETED_LOOKBACK_MS;
  const done = new Set(picklists.status.COMPLETED);
  const qualifying = tasks.filter((t) => {
    if (t.Deleted || t.Owner.email.toLowerCase() !== owner.toLowerCase()) return false;
    if (!done.has(t.Status)) return true;
    return t.Closed_Time !== null && Date.parse(t.Closed_Time) >= closedSince;
  });
  const distance = (t: CrmTask) => (t.Due_Date === null ? Infinity : Math.abs(Date.parse(`${t.Due_Date}T12:00:00Z`) - enabled) / DAY_MS);
  qualifying.sort((a, b) => distance(a) - distance(b) || b.Modified_Time.localeCompare(a.Modified_Time) || a.id.localeCompare(b.id));
  return { tasks: qualifying.slice(0, limit), leftOut: Math.max(0, qualifying.length - limit), closedSince: new Date(closedSince).toISOString() };
}

/** Runs the tasks export for `user`; null when the CRM has no Tasks module. */
export async function exportTasks(deps: JobDeps, user: CrmUser, enabledAt: string): Promise<TasksExport | null> {
  const tasks = deps.crm.tasks;
  if (!tasks) return null;
  const owner = user.email.toLowerCase();
  const key = listKey({ email: owner, list: 'tasks' });
  const picklists = await tasks.picklists();
  const since = new Date(Date.parse(enabledAt) - COMPLETED_LOOKBACK_MS).toISOString();
  const plan = planTaskExport(await tasks.listTasks(owner, { closedSince: since }), owner, enabledAt, picklists);
  const pending = new Set((await deps.outbox.list(key)).flatMap((e) => e.uids));
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  let exported = 0;
  for (let i = 0; i < plan.tasks.length; i += batchSize) {
    const now = deps.now();
    const objects = plan.tasks.slice(i, i + batchSize).flatMap((t) => {
      if (pending.has(taskUidOf(t))) return [];
      try {
        const ics = crmTaskToIcs(t, { owner: user, picklists, previousIcs: t.caldav?.ics, now });
        return [storedObjectFor(t.caldav?.name ?? `${taskUidOf(t)}.ics`, ics, now, 'VTODO')];
      } catch (err) {
        deps.log?.('error', 'export skipped a task it cannot map to iCalendar', { owner, taskId: t.id, error: errorText(err) });
        return [];
      }
    });
    const result = await deps.store.importObjects(key, objects);
    exported += result.created.length + result.skipped.length;
  }
  deps.log?.('info', 'tasks export done', { owner, exported, total: plan.tasks.length, leftOut: plan.leftOut });
  return { total: plan.tasks.length, exported, leftOut: plan.leftOut };
}
