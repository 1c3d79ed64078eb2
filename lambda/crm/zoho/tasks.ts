/**
 * The Tasks half of the Zoho connector (`ZohoConnector.tasks`): Zoho's Tasks module behind the
 * CrmTaskConnector port, as connector.ts does Events. Zoho holds the fields; the CalDAV link (UID,
 * name, the VTODO text, the reminder marks) stays on our side (state.ts, links of kind `task`).
 * The Status and Priority picklists are read from the org's field metadata and kept a day.
 *
 * Creates carry our CalDAV identity in a unique `CalDAV UID` field on Tasks (made before the
 * first create), so a create retried after a lost answer meets DUPLICATE_DATA and updates the
 * record it made. Closed_Time is Zoho's; while Zoho has not stamped a completed task we report
 * the completion we were given (or when we learnt of it).
 */
import { CrmConflict, CrmNotFound, CrmUnavailable, CrmValidationError, taskFieldDefaults, type CrmTask, type CrmTaskConnector, type CrmTaskDraft, type CrmUser, type TaskChangeBatch, type TaskFilter, type TaskPicklists, type TaskUpsertOptions } from '../types';
import { errorOf, records, type ZohoHttp } from './http';
import { instantText, ownerOf, type ZohoRecord } from './mapping';
import type { LinkState, TaskMeta, ZohoState, ZohoUser } from './state';
import { readByIds } from './read-by-ids';
import { refuse, refuseOther, written } from './refusals';
import { TASK_FIELDS, taskFromZoho, taskPicklistsFromFields, taskRecordForZoho } from './task-mapping';

export interface ZohoTasksOptions {
  http: ZohoHttp;
  state: ZohoState;
  /** The org's users, as the connector keeps them. */
  users: { getUser(email: string): Promise<CrmUser | null>; orgUsers(): Promise<ZohoUser[]> };
  now: () => Date;
}

const META_TTL_MS = 24 * 3600_000;
const UID_FIELD_LABEL = 'CalDAV UID';
const PAGE = 200;
/** Changes a little older than the last seen are read again (clocks differ); applying one twice writes nothing. */
const SKEW_MS = 2 * 60_000;

const zohoTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export class ZohoTasks implements CrmTaskConnector {
  private meta: TaskMeta | null = null;

  constructor(private readonly o: ZohoTasksOptions) {}

  private async taskMeta(force = false): Promise<TaskMeta> {
    const now = this.o.now().getTime();
    if (!force && this.meta && now - Date.parse(this.meta.fetchedAt) < META_TTL_MS) return this.meta;
    const stored = force ? null : await this.o.state.taskMeta();
    if (stored && now - Date.parse(stored.fetchedAt) < META_TTL_MS) return (this.meta = stored);
    const answer = await this.o.http.call('GET', '/crm/v8/settings/fields', { query: { module: 'Tasks' }, priority: 'sync' });
    refuseOther(answer, 'GET settings/fields?module=Tasks', 'task');
    const fields = Array.isArray(answer.body?.fields) ? (answer.body!.fields as Record<string, unknown>[]) : [];
    const uid = fields.find((f) => f.field_label === UID_FIELD_LABEL && f.custom_field !== false);
    this.meta = { picklists: taskPicklistsFromFields(fields), uidField: typeof uid?.api_name === 'string' ? uid.api_name : null, fetchedAt: new Date(now).toISOString() };
    await this.o.state.saveTaskMeta(this.meta);
    return this.meta;
  }

  async picklists(): Promise<TaskPicklists> {
    return (await this.taskMeta()).picklists;
  }

  /** Makes the unique `CalDAV UID` field on Tasks when the org has none; its API name. */
  private async ensureUidField(): Promise<string> {
    const known = await this.taskMeta(true);
    if (known.uidField) return known.uidField;
    const answer = await this.o.http.call('POST', '/crm/v8/settings/fields', {
      query: { module: 'Tasks' },
      body: { fields: [{ field_label: UID_FIELD_LABEL, data_type: 'text', length: 64, unique: { case_sensitive: true }, tooltip: { name: 'static_text', value: 'Set by crm-caldav: which CalDAV object this task is. Do not edit.' } }] },
      priority: 'phone',
    });
    const error = errorOf(answer.body) ?? (Array.isArray(answer.body?.fields) ? errorOf({ data: answer.body!.fields }) : null);
    if (answer.status >= 300 && error?.code !== 'DUPLICATE_DATA') throw new CrmUnavailable(`Zoho did not create the Tasks ${UID_FIELD_LABEL} field: ${error?.code ?? answer.status}`);
    const field = (await this.taskMeta(true)).uidField;
    if (!field) throw new CrmUnavailable(`Zoho created the Tasks ${UID_FIELD_LABEL} field but does not list it`);
    return field;
  }

  private async toTask(record: ZohoRecord, link: LinkState | null): Promise<CrmTask | null> {
    const zohoOwner = ownerOf(record);
    if (!zohoOwner) return null;
    const owner = zohoOwner.email ? zohoOwner : ((await this.o.users.orgUsers()).find((u) => u.id === zohoOwner.id) ?? null);
    if (!owner?.email) return null;
    const picklists = await this.picklists();
    const done = picklists.status.COMPLETED.includes(String(record.Status));
    const closed = done ? (link?.closedAt ?? instantText(String(record.Modified_Time ?? this.o.now().toISOString()))) : null;
    return taskFromZoho(record, { id: owner.id, email: owner.email.toLowerCase(), name: owner.name }, link?.caldav ?? null, closed);
  }

  /** A deleted task we linked: its owner and link, so the tasks list lets go of its object. */
  private async tombstone(id: string, known?: LinkState | null): Promise<CrmTask | null> {
    const link = known === undefined ? await this.o.state.link(id, 'task') : known;
    if (!link) return null;
    let at = link.deletedAt;
    if (!at) {
      at = this.o.now().toISOString();
      await this.o.state.buryLink(id, link, at, 'task');
    }
    const picklists = await this.picklists();
    return {
      id,
      Subject: '',
      ...taskFieldDefaults(picklists),
      // A tombstone claims no priority: only its owner and link matter.
      Priority: null,
      Owner: { id: '', email: link.owner, name: link.owner },
      Created_Time: at,
      Modified_Time: at,
      Deleted: true,
      caldav: link.caldav ?? null,
    };
  }

  async getTask(id: string): Promise<CrmTask | null> {
    const answer = await this.o.http.call('GET', `/crm/v8/Tasks/${encodeURIComponent(id)}`, { priority: 'sync' });
    if (answer.status === 204 || answer.status === 404 || errorOf(answer.body)?.code === 'INVALID_DATA') return this.tombstone(id);
    refuseOther(answer, `GET Tasks/${id}`, 'task');
    const record = records(answer)[0];
    return record ? this.toTask(record, await this.o.state.link(id, 'task')) : this.tombstone(id);
  }

  async getTasks(ids: string[]): Promise<CrmTask[]> {
    return readByIds(ids, { http: this.o.http, state: this.o.state, module: 'Tasks', fields: TASK_FIELDS, kind: 'task', toRecord: (r, link) => this.toTask(r, link), tombstone: (id, link) => this.tombstone(id, link) });
  }

  /** What a notification names, read again: the tasks Zoho has (deleted linked ones as tombstones), and the ids it has not. */
  async changesFor(ids: string[]): Promise<Pick<TaskChangeBatch, 'tasks' | 'deletedIds'>> {
    const tasks = await this.getTasks(ids);
    const found = new Set(tasks.map((t) => t.id));
    return { tasks, deletedIds: ids.filter((id) => !found.has(id)) };
  }

  async findTaskByUid(ownerEmail: string, uid: string): Promise<CrmTask | null> {
    const id = await this.o.state.idByUid(ownerEmail, uid, 'task');
    const task = id ? await this.getTask(id) : null;
    return task && !task.Deleted && task.caldav?.uid === uid && task.Owner.email === ownerEmail.toLowerCase() ? task : null;
  }

  /** Zoho cannot filter a list by owner: the org's tasks are listed and the owner's kept. */
  async listTasks(ownerEmail: string, filter: TaskFilter = {}): Promise<CrmTask[]> {
    const owner = await this.o.users.getUser(ownerEmail);
    if (!owner) return [];
    const mine: ZohoRecord[] = [];
    for (let page = 1, token: string | undefined; ; page++) {
      const answer = await this.o.http.call('GET', '/crm/v8/Tasks', { query: { fields: TASK_FIELDS.join(','), per_page: PAGE, sort_by: 'id', sort_order: 'asc', ...(token ? { page_token: token } : { page }) }, priority: 'bulk' });
      if (answer.status === 204) break;
      refuseOther(answer, 'GET Tasks', 'task');
      mine.push(...records(answer).filter((r) => ownerOf(r)?.id === owner.id));
      const info = answer.body?.info as { more_records?: unknown; next_page_token?: unknown } | undefined;
      if (!info?.more_records) break;
      token = typeof info.next_page_token === 'string' ? info.next_page_token : undefined;
      if (!token && page * PAGE >= 2000) throw new CrmUnavailable('Zoho listed 2,000 tasks and gave no page token for the rest');
    }
    const links = await this.o.state.links(mine.map((r) => String(r.id)), 'task');
    const since = filter.closedSince === undefined ? null : Date.parse(filter.closedSince);
    const out: CrmTask[] = [];
    for (const r of mine) {
      const t = await this.toTask(r, links.get(String(r.id)) ?? null);
      if (t && (since === null || t.Closed_Time === null || Date.parse(t.Closed_Time) >= since)) out.push(t);
    }
    return out;
  }

  async upsertTask(draft: CrmTaskDraft, opts: TaskUpsertOptions = {}): Promise<CrmTask> {
    const [owner, known] = await Promise.all([this.o.users.getUser(draft.Owner.email), this.taskMeta()]);
    if (!owner) throw new CrmValidationError('Owner', `${draft.Owner.email} is not an active Zoho user`);
    const picklists = known.picklists;
    if (!Object.values(picklists.status).flat().includes(draft.Status)) throw new CrmValidationError('Status', `not a value of the org's Status picklist: ${draft.Status}`);
    const uidField = known.uidField || draft.id ? known.uidField : await this.ensureUidField();
    const record = taskRecordForZoho(draft, draft.id ? null : owner.id, uidField);
    let id = draft.id;
    let previous = id ? await this.o.state.link(id, 'task') : null;
    let modified: string;
    if (id) {
      modified = await this.update(id, record, opts.ifModified);
    } else {
      const answer = await this.o.http.call('POST', '/crm/v8/Tasks', { body: { data: [record], trigger: [] }, priority: 'phone' });
      if (errorOf(answer.body)?.code === 'DUPLICATE_DATA') {
        const details = errorOf(answer.body)!.details as { duplicate_record?: { id?: unknown }; id?: unknown } | undefined;
        id = String(details?.duplicate_record?.id ?? details?.id ?? '');
        if (!id) throw new CrmUnavailable('Zoho reported a duplicate task without naming the record');
        previous = await this.o.state.link(id, 'task');
        modified = await this.update(id, record, undefined);
      } else {
        const done = written(answer, 'POST Tasks', 'task', this.o.now());
        id = done.id;
        modified = done.modified;
      }
    }
    const completed = picklists.status.COMPLETED.includes(draft.Status);
    const closedAt = completed ? (draft.Closed_Time ?? previous?.closedAt ?? modified) : undefined;
    await this.o.state.saveLink(id, { owner: owner.email, ...(draft.caldav ? { caldav: draft.caldav } : {}), zohoModified: modified, writtenAt: this.o.now().getTime(), ...(closedAt ? { closedAt } : {}) }, previous, 'task');
    return { ...draft, id, Owner: { id: owner.id, email: owner.email, name: owner.name }, Created_Time: draft.Created_Time ?? modified, Modified_Time: modified, Deleted: false, Closed_Time: closedAt ?? null, caldav: draft.caldav ?? null };
  }

  private async update(id: string, record: ZohoRecord, ifModified: string | undefined): Promise<string> {
    const { Owner: _owner, ...fields } = record;
    const answer = await this.o.http.call('PUT', `/crm/v8/Tasks/${encodeURIComponent(id)}`, {
      body: { data: [{ ...fields, id }], trigger: [] },
      headers: ifModified ? { 'If-Unmodified-Since': zohoTime(Date.parse(ifModified)) } : undefined,
      priority: 'phone',
    });
    try {
      return written(answer, `PUT Tasks/${id}`, 'task', this.o.now()).modified;
    } catch (err) {
      if (err instanceof CrmConflict) throw new CrmConflict(err.message, (await this.getTask(id)) ?? undefined);
      throw err;
    }
  }

  /** As for events: Zoho's DELETE takes no version, so `ifModified` is checked on a read first. */
  async deleteTask(id: string, opts: TaskUpsertOptions = {}): Promise<void> {
    const known = await this.o.state.link(id, 'task');
    if (known?.deletedAt) throw new CrmNotFound(`task ${id} is deleted`);
    const current = opts.ifModified !== undefined || !known ? await this.getTask(id) : null;
    if (opts.ifModified !== undefined) {
      if (!current || current.Deleted) throw new CrmNotFound(`Zoho has no task ${id}`);
      if (Date.parse(current.Modified_Time) !== Date.parse(opts.ifModified)) throw new CrmConflict(`DELETE Tasks/${id}: the task changed in Zoho meanwhile`, current);
    }
    const link: LinkState | null = known ?? (current && !current.Deleted ? { owner: current.Owner.email } : null);
    const answer = await this.o.http.call('DELETE', '/crm/v8/Tasks', { query: { ids: id, wf_trigger: 'false' }, priority: 'phone' });
    const error = errorOf(answer.body);
    if (link) await this.o.state.buryLink(id, link, this.o.now().toISOString(), 'task');
    if (error?.code === 'INVALID_DATA' || answer.status === 204) throw new CrmNotFound(`Zoho has no task ${id}`);
    if (error) refuse(error, answer.status, `DELETE Tasks/${id}`, 'task');
  }

  /**
   * Tasks modified (If-Modified-Since) or deleted after the cursor, a page a call. The cursor is
   * `{since, token?}` and trails the newest change by SKEW_MS: a change may be handed out again
   * (at least once; applying it again writes nothing).
   */
  async listTaskChangesSince(cursor: string | null): Promise<TaskChangeBatch> {
    let c: { since: string; token?: string } = { since: '1970-01-01T00:00:00.000Z' };
    if (cursor) {
      try {
        c = JSON.parse(cursor) as typeof c;
        if (Number.isNaN(Date.parse(c.since))) throw new Error('no since');
      } catch {
        throw new CrmValidationError('cursor', 'not a cursor this CRM handed out');
      }
    }
    const since = zohoTime(Date.parse(c.since));
    const [changed, deleted] = await Promise.all([
      this.o.http.call('GET', '/crm/v8/Tasks', {
        query: { fields: TASK_FIELDS.join(','), per_page: PAGE, sort_by: 'Modified_Time', sort_order: 'asc', ...(c.token ? { page_token: c.token } : {}) },
        headers: { 'If-Modified-Since': since },
        priority: 'sync',
      }),
      c.token ? Promise.resolve({ status: 204, body: null }) : this.o.http.call('GET', '/crm/v8/Tasks/deleted', { query: { type: 'all', per_page: PAGE }, headers: { 'If-Modified-Since': since }, priority: 'sync' }),
    ]);
    if (changed.status >= 400) refuseOther(changed, 'GET Tasks (changes)', 'task');
    const changedRecords = changed.status === 200 ? records(changed) : [];
    const deletedRecords = deleted.status === 200 ? records(deleted) : [];
    const links = await this.o.state.links(changedRecords.map((r) => String(r.id)), 'task');
    const tasks: CrmTask[] = [];
    for (const r of changedRecords) {
      const t = await this.toTask(r, links.get(String(r.id)) ?? null);
      if (t) tasks.push(t);
    }
    const info = changed.body?.info as { more_records?: unknown; next_page_token?: unknown } | undefined;
    const newest = Math.max(
      Date.parse(c.since) + SKEW_MS,
      ...changedRecords.map((r) => Date.parse(String(r.Modified_Time))).filter(Number.isFinite),
      ...deletedRecords.map((r) => Date.parse(String(r.deleted_time))).filter(Number.isFinite),
    );
    const more = info?.more_records && typeof info.next_page_token === 'string';
    const next = more ? { since: c.since, token: String(info!.next_page_token) } : { since: new Date(newest - SKEW_MS).toISOString() };
    return { tasks, deletedIds: deletedRecords.map((r) => String(r.id)), nextCursor: JSON.stringify(next) };
  }

  async latestTaskCursor(): Promise<string> {
    return JSON.stringify({ since: new Date(this.o.now().getTime() - SKEW_MS).toISOString() });
  }
}

/** Gives the Zoho connector its Tasks module (the App that syncs tasks does: app/task-parts.ts). */
export function attachZohoTasks<T extends ZohoTasksOptions['users'] & { ports: Omit<ZohoTasksOptions, 'users'>; tasks?: ZohoTasks }>(connector: T): T {
  connector.tasks ??= new ZohoTasks({ ...connector.ports, users: connector });
  return connector;
}
