/**
 * The built-in CRM's Tasks module on its DynamoDB table, beside the events (keys.ts):
 *
 *   task#<id>         / task             the task record (the truth; version = Modified_Time)
 *   owner#<email>     / task#<id>        per-owner index: what the initial export filters on
 *   owner#<email>     / taskuid#<uid>    CalDAV UID → task id, for live tasks with a link
 *   taskfeed          / counter          the task feed's last sequence number handed out
 *   taskfeed          / seq#<15 digits>  one entry per task write: {id}
 *
 * Each write is one TransactWriteItems over the record, both indexes and a feed entry, with the
 * same compare-and-set on a gapless counter as the event feed (event-writes.ts), in one
 * partition: tasks are written by people, far below a partition's throughput. Deletes are soft,
 * so a deletion travels through the feed. Closed_Time is the CRM's: stamped when Status becomes
 * a completed value, cleared when it leaves one.
 */
import { randomUUID } from 'node:crypto';
import { transactWrite } from '../../platform/dynamodb/transact';
import { batchGetAll } from '../../platform/dynamodb/key-reader';
import { queryAll, queryPage } from '../../platform/dynamodb/paging';
import type { TransactItem } from '../../platform/dynamodb/retry';
import { statusOfValue } from '../mapping/task-fields';
import {
  CrmConflict,
  CrmNotFound,
  CrmValidationError,
  DEFAULT_TASK_PICKLISTS,
  type CrmTask,
  type CrmTaskConnector,
  type CrmTaskDraft,
  type TaskChangeBatch,
  type TaskFilter,
  type TaskPicklists,
  type TaskUpsertOptions,
} from '../types';
import { guard, nextModifiedTime, retryOnRace, type CrmContext } from './context';
import { ownerPk, type Key } from './keys';
import { crmUserOf, userRefOf } from './users';

const TASK_SK = 'task';
const OWNER_TASK_PREFIX = 'task#';
const TASK_FEED_PK = 'taskfeed';
const SEQ_PREFIX = 'seq#';
const MAX_RECORD_BYTES = 380_000;
export const TASK_FEED_PAGE_SIZE = 100;

const taskKey = (id: string): Key => ({ pk: `task#${id}`, sk: TASK_SK });
const ownerTaskKey = (owner: string, id: string): Key => ({ pk: ownerPk(owner), sk: OWNER_TASK_PREFIX + id });
const ownerTaskUidKey = (owner: string, uid: string): Key => ({ pk: ownerPk(owner), sk: `taskuid#${uid}` });
const counterKey: Key = { pk: TASK_FEED_PK, sk: 'counter' };
const feedKey = (seq: number): Key => ({ pk: TASK_FEED_PK, sk: SEQ_PREFIX + String(seq).padStart(15, '0') });

const uidSlot = (t: CrmTask | null) => (t && !t.Deleted && t.caldav?.uid ? ownerTaskUidKey(t.Owner.email, t.caldav.uid) : null);
const sameKey = (a: Key | null, b: Key | null) => !!a && !!b && a.pk === b.pk && a.sk === b.sk;

function fromItem(item: Record<string, unknown>): CrmTask {
  const { pk: _pk, sk: _sk, ...task } = item;
  return task as unknown as CrmTask;
}

/** Whether a Status value means done (the picklist's COMPLETED values). */
export const isClosedStatus = (status: string, picklists: TaskPicklists) => picklists.status.COMPLETED.includes(status);

/**
 * Closed_Time as the CRM keeps it: the draft's when completed (else the one it had, else now);
 * null for a task that is not completed.
 */
export function closedTimeOf(draft: CrmTaskDraft, before: CrmTask | null, now: string, picklists: TaskPicklists): string | null {
  if (!isClosedStatus(draft.Status, picklists)) return null;
  return draft.Closed_Time ?? (before && isClosedStatus(before.Status, picklists) ? before.Closed_Time : null) ?? now;
}

export class BuiltinTasks implements CrmTaskConnector {
  constructor(
    private readonly ctx: CrmContext,
    private readonly lists: TaskPicklists = DEFAULT_TASK_PICKLISTS,
  ) {}

  async picklists(): Promise<TaskPicklists> {
    return this.lists;
  }

  async listTasks(ownerEmail: string, filter: TaskFilter = {}): Promise<CrmTask[]> {
    const items = await queryAll(this.ctx.doc, {
      TableName: this.ctx.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': ownerPk(ownerEmail), ':prefix': OWNER_TASK_PREFIX },
      ConsistentRead: true,
    });
    const ids = items.filter((i) => i.Deleted !== true).map((i) => String(i.id));
    const owner = ownerEmail.toLowerCase();
    const since = filter.closedSince === undefined ? null : Date.parse(filter.closedSince);
    return (await this.getTasks(ids)).filter(
      (t) => !t.Deleted && t.Owner.email.toLowerCase() === owner && (since === null || t.Closed_Time === null || Date.parse(t.Closed_Time) >= since),
    );
  }

  async getTask(id: string): Promise<CrmTask | null> {
    const item = await this.ctx.reader.get(this.ctx.table, taskKey(id));
    return item ? fromItem(item) : null;
  }

  async getTasks(ids: string[]): Promise<CrmTask[]> {
    const items = await batchGetAll(this.ctx.doc, ids.map((id) => ({ table: this.ctx.table, key: taskKey(id) })));
    return items.flatMap((item) => (item?.sk === TASK_SK ? [fromItem(item)] : []));
  }

  async findTaskByUid(ownerEmail: string, uid: string): Promise<CrmTask | null> {
    const link = await this.ctx.reader.get(this.ctx.table, ownerTaskUidKey(ownerEmail, uid));
    const task = link ? await this.getTask(String(link.id)) : null;
    return task && !task.Deleted && task.caldav?.uid === uid && task.Owner.email.toLowerCase() === ownerEmail.toLowerCase() ? task : null;
  }

  async upsertTask(draft: CrmTaskDraft, opts: TaskUpsertOptions = {}): Promise<CrmTask> {
    const id = draft.id ?? randomUUID();
    statusOfValue(draft.Status, this.lists);
    if (draft.Priority !== null && !this.lists.priority.some((p) => p.value === draft.Priority)) {
      throw new CrmValidationError('Priority', `expected one of ${this.lists.priority.map((p) => p.value).join(', ')}, or null`);
    }
    let attempts = 0;
    return retryOnRace(`save task ${id}`, async () => {
      const known = attempts++ === 0 && draft.id && opts.current?.id === id ? opts.current : undefined;
      const [before, ownerRecord, seq] = await Promise.all([
        known ?? (draft.id ? this.getTask(id) : null),
        typeof draft.Owner?.email === 'string' ? this.ctx.users.getUser(draft.Owner.email) : null,
        this.readCounter(),
      ]);
      checkVersion(id, before, opts);
      if (!ownerRecord) throw new CrmValidationError('Owner', `no CRM user ${String(draft.Owner?.email)}`);
      const now = nextModifiedTime(this.ctx.now(), before?.Modified_Time);
      const after: CrmTask = {
        ...structuredClone(draft),
        id,
        Owner: userRefOf(crmUserOf(ownerRecord)),
        Created_Time: before?.Created_Time ?? draft.Created_Time ?? now,
        Modified_Time: now,
        Deleted: draft.Deleted ?? false,
        Closed_Time: closedTimeOf(draft, before, now, this.lists),
        caldav: draft.caldav ? structuredClone(draft.caldav) : null,
      };
      const uid = after.caldav?.uid;
      if (uid && !after.Deleted && !sameKey(uidSlot(before), uidSlot(after))) {
        const holder = await this.ctx.reader.get(this.ctx.table, ownerTaskUidKey(after.Owner.email, uid));
        if (holder && String(holder.id) !== id) throw new CrmValidationError('caldav.uid', `UID already linked to task ${String(holder.id)}`);
      }
      await transactWrite(this.ctx.doc, this.writeItems(before, after, seq));
      return after;
    });
  }

  async deleteTask(id: string, opts: TaskUpsertOptions = {}): Promise<void> {
    await retryOnRace(`delete task ${id}`, async () => {
      const [before, seq] = await Promise.all([this.getTask(id), this.readCounter()]);
      if (!before || before.Deleted) throw new CrmNotFound(`no task ${id}`);
      checkVersion(id, before, opts);
      const after = { ...before, Deleted: true, Modified_Time: nextModifiedTime(this.ctx.now(), before.Modified_Time) };
      await transactWrite(this.ctx.doc, this.writeItems(before, after, seq));
    });
  }

  /** Cursors are the last sequence number seen; a page returns each task written after it once, as it is now. */
  async listTaskChangesSince(cursor: string | null, pageSize = TASK_FEED_PAGE_SIZE): Promise<TaskChangeBatch> {
    if (cursor !== null && cursor !== '' && !/^\d{1,15}$/.test(cursor)) throw new CrmValidationError('cursor', 'not a cursor this CRM handed out');
    const after = cursor ? Number(cursor) : 0;
    const { Items = [] } = await queryPage(this.ctx.doc, {
      TableName: this.ctx.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :end',
      ExpressionAttributeValues: { ':pk': TASK_FEED_PK, ':after': feedKey(after + 1).sk, ':end': `${SEQ_PREFIX}~` },
      ConsistentRead: true,
      Limit: pageSize,
    });
    const next = Items.length ? Number(String(Items.at(-1)!.sk).slice(SEQ_PREFIX.length)) : after;
    const ids = [...new Set(Items.map((i) => String(i.id)))];
    const records = new Map((await this.getTasks(ids)).map((t) => [t.id, t]));
    const batch: TaskChangeBatch = { tasks: [], deletedIds: [], nextCursor: String(next) };
    for (const id of ids) {
      const t = records.get(id);
      if (!t || t.Deleted) batch.deletedIds.push(id);
      else batch.tasks.push(t);
    }
    return batch;
  }

  async latestTaskCursor(): Promise<string> {
    return String(await this.readCounter());
  }

  private async readCounter(): Promise<number> {
    const item = await this.ctx.reader.get(this.ctx.table, counterKey);
    return typeof item?.seq === 'number' ? item.seq : 0;
  }

  private writeItems(before: CrmTask | null, after: CrmTask, seq: number): TransactItem[] {
    const table = this.ctx.table;
    const record = { ...taskKey(after.id), ...after };
    if (JSON.stringify(record).length > MAX_RECORD_BYTES) throw new CrmValidationError('caldav', 'task too large to store');
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          Item: record,
          ...(before
            ? { ConditionExpression: 'Modified_Time = :read', ExpressionAttributeValues: { ':read': before.Modified_Time } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      { Put: { TableName: table, Item: { ...ownerTaskKey(after.Owner.email, after.id), id: after.id, Modified_Time: after.Modified_Time, Deleted: after.Deleted } } },
      { Put: { TableName: table, Item: { ...feedKey(seq + 1), id: after.id, at: after.Modified_Time }, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Update: {
          TableName: table,
          Key: counterKey,
          UpdateExpression: 'SET seq = :next',
          ...(seq === 0
            ? { ConditionExpression: 'attribute_not_exists(seq)', ExpressionAttributeValues: { ':next': 1 } }
            : { ConditionExpression: 'seq = :read', ExpressionAttributeValues: { ':next': seq + 1, ':read': seq } }),
        },
      },
    ];
    if (before && before.Owner.email.toLowerCase() !== after.Owner.email.toLowerCase()) {
      items.push({ Delete: { TableName: table, Key: ownerTaskKey(before.Owner.email, after.id) } });
    }
    const [from, to] = [uidSlot(before), uidSlot(after)];
    if (!sameKey(from, to)) {
      if (from) items.push({ Delete: { TableName: table, Key: from } });
      if (to) {
        items.push({
          Put: { TableName: table, Item: { ...to, id: after.id }, ConditionExpression: 'attribute_not_exists(pk) OR id = :id', ExpressionAttributeValues: { ':id': after.id } },
        });
      }
    }
    return items;
  }
}

function checkVersion(id: string, current: CrmTask | null, opts: TaskUpsertOptions): void {
  if (opts.ifModified !== undefined && current?.Modified_Time !== opts.ifModified) {
    throw new CrmConflict(`task ${id} changed since ${opts.ifModified}`, current ?? undefined);
  }
}

/** The port with storage failures as CrmUnavailable, as every built-in CRM call (context.ts guard). */
export function guardedTasks(t: BuiltinTasks): CrmTaskConnector {
  return {
    picklists: () => guard('picklists', () => t.picklists()),
    listTasks: (owner, filter) => guard('listTasks', () => t.listTasks(owner, filter)),
    getTask: (id) => guard('getTask', () => t.getTask(id)),
    getTasks: (ids) => guard('getTasks', () => t.getTasks(ids)),
    findTaskByUid: (owner, uid) => guard('findTaskByUid', () => t.findTaskByUid(owner, uid)),
    upsertTask: (draft, opts) => guard('upsertTask', () => t.upsertTask(draft, opts)),
    deleteTask: (id, opts) => guard('deleteTask', () => t.deleteTask(id, opts)),
    listTaskChangesSince: (cursor) => guard('listTaskChangesSince', () => t.listTaskChangesSince(cursor)),
    latestTaskCursor: () => guard('latestTaskCursor', () => t.latestTaskCursor()),
  };
}

/** Gives the built-in CRM its Tasks module (the App that syncs tasks does: app/task-parts.ts). */
export function attachBuiltinTasks<T extends { context: CrmContext; tasks?: CrmTaskConnector }>(crm: T): T {
  crm.tasks ??= guardedTasks(new BuiltinTasks(crm.context));
  return crm;
}
