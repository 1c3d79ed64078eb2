/**
 * The tasks half of the bridge, both directions, on the same rules as events:
 *
 * - phone -> CRM (`pushTask`, `pushTaskDeletion`, `pushTaskState`): the CRM task of one object of
 *   the owner's tasks list brought in line with the object as stored; idempotent, re-read and
 *   retried on a lost optimistic write. Reached from the change hook after the commit (tasks are
 *   never part of the calendar's transaction) and from the outbox (entries keyed by the tasks
 *   list's store key, `<email>#tasks`).
 * - CRM -> phone (`taskWriter`): a saved or deleted CRM task applied to its owner's tasks list,
 *   straight to the store (no change hook, so nothing echoes back), through If-Match, editing the
 *   stored text so what the CRM does not own keeps its bytes.
 *
 * Only a task's owner gets it, and only while CalDAV is enabled for them.
 */
import { crmIdFromUid, uidForCrmId } from '../crm/mapping';
import { icsToCrmTask } from '../crm/mapping/task-to-crm';
import { crmTaskToIcs } from '../crm/mapping/task-to-ics';
import { CrmConflict, CrmNotFound, type CrmConnector, type CrmTask, type CrmTaskConnector, type CrmTaskListener, type CrmUser } from '../crm/types';
import { listKey } from '../core/paths';
import { PreconditionFailed, type CalendarStore, type StoredObject } from '../store/types';
import type { PushResult } from './phone-to-crm';
import type { TaskSync, TaskWriterDeps } from './task-sync';
import { removeStoredUid } from './remove-uid';
import { storedObjectFor } from './stored-object';

const CONFLICT_RETRIES = 3;
const RACE_RETRIES = 5;

export const taskUidOf = (t: CrmTask) => t.caldav?.uid ?? uidForCrmId(t.id);
const tasksKey = (email: string) => listKey({ email: email.toLowerCase(), list: 'tasks' });

/** Whether `task` is the CRM task of an object of `owner` holding `uid`. */
function isLinkedTo(task: CrmTask, owner: string, uid: string): boolean {
  if (task.Deleted || task.Owner.email.toLowerCase() !== owner.toLowerCase()) return false;
  return task.caldav ? task.caldav.uid === uid : crmIdFromUid(uid) === task.id;
}

async function findLinkedTask(tasks: CrmTaskConnector, owner: string, uid: string): Promise<CrmTask | null> {
  const linked = await tasks.findTaskByUid(owner, uid);
  if (linked) return linked;
  const id = crmIdFromUid(uid);
  const byId = id ? await tasks.getTask(id) : null;
  return byId && isLinkedTo(byId, owner, uid) ? byId : null;
}

/** The phone's object of `owner`'s tasks list as the CRM task it maps to. */
export async function pushTask(crm: CrmConnector, owner: string, obj: StoredObject): Promise<PushResult> {
  const tasks = crm.tasks;
  if (!tasks) return 'unchanged';
  const [user, picklists] = await Promise.all([crm.getUser(owner), tasks.picklists()]);
  if (!user) return 'not-a-crm-user';
  for (let attempt = 0; ; attempt++) {
    const existing = await findLinkedTask(tasks, owner, obj.uid);
    if (existing?.caldav?.ics === obj.ics && existing.caldav.name === obj.name) return 'unchanged';
    const draft = icsToCrmTask(obj.ics, { owner: user, picklists, existing: existing ?? undefined });
    draft.caldav = { ...draft.caldav!, uid: obj.uid, name: obj.name, ics: obj.ics };
    draft.Deleted = false;
    try {
      await tasks.upsertTask(draft, existing ? { ifModified: existing.Modified_Time, current: existing } : undefined);
      return existing ? 'updated' : 'created';
    } catch (err) {
      if (!(err instanceof CrmConflict) || attempt >= CONFLICT_RETRIES) throw err;
    }
  }
}

/** The CRM task of `uid` goes away, unless the list still holds that UID under another name. */
export async function pushTaskDeletion(crm: CrmConnector, store: CalendarStore, owner: string, uid: string): Promise<PushResult> {
  const tasks = crm.tasks;
  if (!tasks) return 'absent';
  const key = tasksKey(owner);
  const holder = await store.findNameByUid(key, uid);
  const obj = holder === null ? null : await store.getObject(key, holder);
  if (obj) return pushTask(crm, owner, obj);
  const existing = await findLinkedTask(tasks, owner, uid);
  if (!existing) return 'absent';
  try {
    await tasks.deleteTask(existing.id);
  } catch (err) {
    if (err instanceof CrmNotFound) return 'absent';
    throw err;
  }
  return 'deleted';
}

/** What the outbox does for a tasks-list href (key `<email>#tasks`): push it as it is now. */
export async function pushTaskState(crm: CrmConnector, store: CalendarStore, owner: string, name: string, uids: string[]): Promise<void> {
  const obj = await store.getObject(tasksKey(owner), name);
  for (const uid of uids) if (uid !== obj?.uid) await pushTaskDeletion(crm, store, owner, uid);
  if (obj) await pushTask(crm, owner, obj);
}

/** CRM -> phone for tasks: the listener the CRM API calls after every task write. */
export function taskWriter(deps: TaskWriterDeps): CrmTaskListener {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  const removeUid = (owner: string, uid: string) => removeStoredUid(store, tasksKey(owner), uid);

  /** A phone deletion not yet delivered, or one made after this CRM state: the deletion wins. */
  async function deletedOnPhone(owner: string, uid: string, task: CrmTask): Promise<boolean> {
    const key = tasksKey(owner);
    if (deps.outbox && (await deps.outbox.list(key)).some((e) => e.uids.includes(uid))) return true;
    const at = await store.uidDeletedAt(key, uid);
    return at !== null && Date.parse(at) >= Date.parse(task.Modified_Time);
  }

  async function write(user: CrmUser, task: CrmTask): Promise<boolean> {
    const tasks = deps.crm.tasks;
    if (!tasks) return false;
    const key = tasksKey(user.email);
    const uid = taskUidOf(task);
    const picklists = await tasks.picklists();
    for (let attempt = 0; ; attempt++) {
      const name = await store.findNameByUid(key, uid);
      const stored = name ? await store.getObject(key, name) : null;
      if (!stored && (await deletedOnPhone(user.email, uid, task))) {
        deps.log?.('info', 'CRM task not re-created: deleted from the tasks list', { owner: user.email, uid, taskId: task.id });
        return false;
      }
      const ics = crmTaskToIcs(task, { owner: user, picklists, previousIcs: stored?.ics, now: now() });
      if (stored && ics === stored.ics) return false;
      const obj = storedObjectFor(stored?.name ?? task.caldav?.name ?? `${uid}.ics`, ics, now(), 'VTODO');
      try {
        await store.putObject(key, obj, stored ? { ifMatch: stored.etag } : { ifNoneMatch: true });
        deps.log?.('info', 'CRM task written to CalDAV', { owner: user.email, name: obj.name, taskId: task.id });
        return true;
      } catch (err) {
        if (!(err instanceof PreconditionFailed) || attempt >= RACE_RETRIES) throw err;
      }
    }
  }

  async function taskSaved(after: CrmTask, before: CrmTask | null, opts: { fresh?: boolean } = {}): Promise<boolean> {
    const current = opts.fresh ? after : ((await deps.crm.tasks?.getTask(after.id)) ?? after);
    const moved = before && before.Owner.email.toLowerCase() !== current.Owner.email.toLowerCase() ? await removeUid(before.Owner.email, taskUidOf(before)) : false;
    if (current.Deleted) return (await removeUid(current.Owner.email, taskUidOf(current))) || moved;
    const [user, account] = await Promise.all([deps.crm.getUser(current.Owner.email), deps.users.getUser(current.Owner.email)]);
    if (!user || !account?.enabled) return moved;
    return (await write({ ...user, email: user.email.toLowerCase() }, current)) || moved;
  }

  async function taskDeleted(before: CrmTask): Promise<boolean> {
    const current = await deps.crm.tasks?.getTask(before.id);
    if (current && !current.Deleted) return taskSaved(current, before);
    return removeUid(before.Owner.email, taskUidOf(before));
  }

  return { taskSaved, taskDeleted };
}

/** The part the App plugs into the bridge (task-sync.ts). */
export const TASK_SYNC: TaskSync = { pushTask, pushTaskDeletion, pushTaskState, taskWriter };
