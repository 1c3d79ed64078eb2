/**
 * /crm/v1/tasks and /crm/v1/tasks/{id}: the built-in CRM's Tasks, as /events works for events. A
 * user works on the tasks they own; the admin on everyone's. Every successful write is followed
 * by the listener (CRM -> the owner's tasks list); a listener failure is logged, not returned.
 * Writes are conditional on the Modified_Time just read (If-Match names one explicitly).
 * /crm/v1/tasks/changes?cursor= is the task change feed (admin only).
 */
import { logLine } from '../platform/log';
import type { CrmTask, CrmTaskConnector, CrmTaskListener } from '../crm/types';
import { ApiError, invalid, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import { instantParam, parseJsonObject } from '../api/validate';
import type { EventInputMode } from './event-input';
import { taskDraftFrom } from './task-input';
import type { CrmApiDeps } from './types';
import { checkIfMatch, etagOf, exactVersion, ifMatchOf, untilNotRaced } from './versions';

const ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** What clients see: the record without the stored iCalendar (CalDAV's business). */
export function taskJson(t: CrmTask) {
  const { caldav, ...rest } = t;
  return { ...rest, caldav: caldav ? { uid: caldav.uid, ...(caldav.name ? { name: caldav.name } : {}) } : null };
}

const one = (status: number, t: CrmTask, extra: Record<string, string> = {}): ApiResponse => json(status, { data: taskJson(t) }, { etag: etagOf(t.Modified_Time), ...extra });
const owns = (caller: Caller, t: CrmTask) => caller.kind === 'admin' || t.Owner.email.toLowerCase() === caller.email;
/** Open tasks first by due date (undated last), then by id. */
const byDue = (a: CrmTask, b: CrmTask) => (a.Due_Date ?? '9999').localeCompare(b.Due_Date ?? '9999') || a.id.localeCompare(b.id);

export class TaskRoutes {
  constructor(private readonly deps: CrmApiDeps) {}

  private get tasks(): CrmTaskConnector {
    const tasks = this.deps.crm.tasks;
    if (!tasks) throw new ApiError(404, 'NOT_FOUND', 'This CRM has no Tasks module');
    return tasks;
  }

  private get listener(): Partial<CrmTaskListener> | undefined {
    return this.deps.listener;
  }

  private async notify(what: string, run: (l: CrmTaskListener) => Promise<unknown>, id: string): Promise<void> {
    const l = this.listener;
    if (!l?.taskSaved || !l.taskDeleted) return;
    try {
      await run(l as CrmTaskListener);
    } catch (err) {
      (this.deps.log ?? logLine)('error', 'CRM task listener failed', { what, id, error: err instanceof Error ? { name: err.name, message: err.message } : String(err) });
    }
  }

  private async visible(caller: Caller, id: string): Promise<CrmTask> {
    if (!ID.test(id)) throw notFound(`No task ${id}`);
    const t = await this.tasks.getTask(id);
    if (!t || t.Deleted || !owns(caller, t)) throw notFound(`No task ${id}`);
    return t;
  }

  async list(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    for (const key of Object.keys(req.query)) if (!['owner', 'closed_since'].includes(key)) throw invalid(key, `unknown parameter ${key}`);
    const closedSince = instantParam(req.query.closed_since, 'closed_since');
    let owners: string[];
    if (caller.kind === 'user') {
      if (req.query.owner !== undefined && req.query.owner.toLowerCase() !== caller.email) throw new ApiError(403, 'FORBIDDEN', 'Users list their own tasks only');
      owners = [caller.email];
    } else {
      owners = req.query.owner !== undefined ? [req.query.owner.toLowerCase()] : (await this.deps.users.listUsers()).map((u) => u.email.toLowerCase());
    }
    const lists = await Promise.all(owners.map((o) => this.tasks.listTasks(o, closedSince ? { closedSince } : {})));
    const tasks = lists.flat().sort(byDue);
    return json(200, { data: tasks.map(taskJson), info: { count: tasks.length } });
  }

  async get(caller: Caller, id: string): Promise<ApiResponse> {
    return one(200, await this.visible(caller, id));
  }

  /** POST /tasks (new id) or POST /tasks/{id} (the client's id: a retried create cannot duplicate). */
  async create(req: ApiRequest, caller: Caller, id?: string): Promise<ApiResponse> {
    if (id !== undefined && !ID.test(id)) throw invalid('id', 'ids are 1-128 characters of A-Z a-z 0-9 . _ ~ -');
    const body = parseJsonObject(req.body);
    if (id !== undefined && (await this.tasks.getTask(id))) throw new ApiError(409, 'CONFLICT', `Task ${id} already exists`);
    const picklists = await this.tasks.picklists();
    const { draft } = await taskDraftFrom(body, 'create', { caller, crm: this.deps.crm, picklists, current: null, id, now: this.now() });
    if (caller.kind === 'user' && draft.Owner.email !== caller.email) throw new ApiError(403, 'FORBIDDEN', 'Users create tasks they own');
    const after = await this.tasks.upsertTask(draft);
    await this.notify('create', (l) => l.taskSaved(after, null), after.id);
    return one(201, after, { location: `/crm/v1/tasks/${encodeURIComponent(after.id)}` });
  }

  async update(req: ApiRequest, caller: Caller, id: string, mode: Exclude<EventInputMode, 'create'>): Promise<ApiResponse> {
    const body = parseJsonObject(req.body);
    const wanted = ifMatchOf(req.headers);
    const picklists = await this.tasks.picklists();
    return untilNotRaced(wanted, 'task', async () => {
      const before = await this.visible(caller, id);
      checkIfMatch(wanted, before);
      const { draft } = await taskDraftFrom(body, mode, { caller, crm: this.deps.crm, picklists, current: before, now: this.now() });
      if (caller.kind === 'user' && draft.Owner.email !== caller.email) throw new ApiError(403, 'FORBIDDEN', 'Users keep the tasks they own');
      const after = await this.tasks.upsertTask(draft, { ifModified: exactVersion(wanted) ?? before.Modified_Time });
      await this.notify('update', (l) => l.taskSaved(after, before), id);
      return one(200, after);
    });
  }

  async remove(req: ApiRequest, caller: Caller, id: string): Promise<ApiResponse> {
    const wanted = ifMatchOf(req.headers);
    return untilNotRaced(wanted, 'task', async () => {
      const before = await this.visible(caller, id);
      checkIfMatch(wanted, before);
      await this.tasks.deleteTask(id, { ifModified: exactVersion(wanted) ?? before.Modified_Time });
      await this.notify('delete', (l) => l.taskDeleted(before), id);
      return json(204, null);
    });
  }

  /** GET /tasks/changes?cursor=: the task change feed, for the admin's reconciliation tools. */
  async changes(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    if (caller.kind !== 'admin') throw new ApiError(403, 'FORBIDDEN', 'Only the CRM admin may read the change feed');
    const batch = await this.tasks.listTaskChangesSince(req.query.cursor ?? null);
    return json(200, { data: { tasks: batch.tasks.map(taskJson), deletedIds: batch.deletedIds, nextCursor: batch.nextCursor } });
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

