/**
 * JobStore on the jobs table (schema.ts JOBS_TABLE):
 *
 *   export                    / <email>   one export job per user: status, counts, checkpoint, lease
 *   plan#<email>#<enabledAt>  / <0000>    the job's plan, 100 CRM event ids per item, TTL'd
 *   reconcile                 / state     the CRM change-feed cursor and the reconciliation lease
 *
 * Plans are written with BatchWriteItem (no condition is needed: a plan belongs to one job key
 * and is written before the job is marked planned), retrying UnprocessedItems with backoff.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../platform/dynamodb/paging';
import { batchWriteAll, conditionally, conditionFailed } from '../platform/dynamodb/retry';
import type { ExportJob, ExportProgress, ExportStatus, JobStore, Lease, ReconcileFeed, ReconcileState } from './job-store';

const EXPORT_PK = 'export';
/** The events' cursor kept its key from before tasks had one. */
const reconcileKey = (feed: ReconcileFeed = 'events') => ({ pk: 'reconcile', sk: feed === 'tasks' ? 'tasks' : 'state' });
const IDS_PER_PLAN_ITEM = 100;
/** Plans are only read while their job runs; keep them a while for inspection, then let TTL go. */
const PLAN_RETENTION_SECONDS = 90 * 24 * 3600;

const exportKey = (email: string) => ({ pk: EXPORT_PK, sk: email.toLowerCase() });
const planPk = (job: Pick<ExportJob, 'email' | 'enabledAt'>) => `plan#${job.email.toLowerCase()}#${job.enabledAt}`;


/** Runs a conditional write; false when its condition failed. */
function toJob(item: Record<string, unknown>): ExportJob {
  const { pk: _pk, sk, leaseHolder: _h, leaseUntil: _u, ...rest } = item;
  return { ...(rest as Omit<ExportJob, 'email'>), email: String(sk) };
}

const HOLDS_LEASE = 'leaseHolder = :holder';
const LEASE_FREE = '(attribute_not_exists(leaseUntil) OR leaseUntil <= :now)';

export class DynamoJobStore implements JobStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getExport(email: string): Promise<ExportJob | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: exportKey(email), ConsistentRead: true }));
    return Item ? toJob(Item) : null;
  }

  async listExports(): Promise<ExportJob[]> {
    return (await this.partition(EXPORT_PK)).map(toJob);
  }

  /** Every item of a partition. */
  private partition(pk: string): Promise<Array<Record<string, unknown>>> {
    return queryAll(this.doc, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true });
  }

  async claimExport(email: string, enabledAt: string, lease: Lease, now: Date): Promise<ExportJob | null> {
    const stored = await this.getExport(email);
    const at = now.toISOString();
    if (!stored || stored.enabledAt !== enabledAt) {
      const job: ExportJob = {
        email: email.toLowerCase(),
        enabledAt,
        status: 'running',
        planned: false,
        total: 0,
        leftOut: 0,
        next: 0,
        exported: 0,
        skipped: 0,
        attempts: 1,
        startedAt: at,
        updatedAt: at,
      };
      const { email: _e, ...attrs } = job;
      const created = await conditionally(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...exportKey(email), ...attrs, leaseHolder: lease.holder, leaseUntil: lease.until },
            // Another run may have started this very job since our read.
            ConditionExpression: 'attribute_not_exists(pk) OR enabledAt <> :enabledAt',
            ExpressionAttributeValues: { ':enabledAt': enabledAt },
          }),
        ),
      );
      return created ? job : null;
    }
    if (stored.status === 'done' || stored.status === 'cancelled') return null;
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: exportKey(email),
          UpdateExpression: 'SET leaseHolder = :holder, leaseUntil = :until, #status = :running, attempts = attempts + :one, updatedAt = :at REMOVE reason',
          ConditionExpression: `enabledAt = :enabledAt AND #status IN (:running, :failed) AND ${LEASE_FREE}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':holder': lease.holder,
            ':until': lease.until,
            ':running': 'running',
            ':failed': 'failed',
            ':one': 1,
            ':at': at,
            ':enabledAt': enabledAt,
            ':now': now.getTime(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toJob(Attributes) : null;
    } catch (err) {
      if (conditionFailed(err)) return null;
      throw err;
    }
  }

  async savePlan(job: ExportJob, lease: Lease, plan: { ids: string[]; leftOut: number; windowStart: string; windowEnd: string }): Promise<boolean> {
    const expiresAt = Math.floor(Date.now() / 1000) + PLAN_RETENTION_SECONDS;
    const items: Array<Record<string, unknown>> = [];
    for (let i = 0; i < plan.ids.length; i += IDS_PER_PLAN_ITEM) {
      items.push({ pk: planPk(job), sk: String(i / IDS_PER_PLAN_ITEM).padStart(4, '0'), ids: plan.ids.slice(i, i + IDS_PER_PLAN_ITEM), expiresAt });
    }
    await batchWriteAll(this.doc, this.table, items.map((Item) => ({ PutRequest: { Item } })), 'plan write');
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: exportKey(job.email),
          UpdateExpression: 'SET planned = :true, #total = :total, leftOut = :leftOut, windowStart = :ws, windowEnd = :we, #next = :zero',
          ConditionExpression: HOLDS_LEASE,
          ExpressionAttributeNames: { '#total': 'total', '#next': 'next' },
          ExpressionAttributeValues: {
            ':true': true,
            ':total': plan.ids.length,
            ':leftOut': plan.leftOut,
            ':ws': plan.windowStart,
            ':we': plan.windowEnd,
            ':zero': 0,
            ':holder': lease.holder,
          },
        }),
      ),
    );
  }

  async readPlan(job: ExportJob): Promise<string[]> {
    // Items come back in sort-key order, which is plan order.
    return (await this.partition(planPk(job))).flatMap((item) => item.ids as string[]);
  }

  checkpoint(email: string, lease: Lease, progress: ExportProgress, now: Date): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: exportKey(email),
          UpdateExpression: `SET #next = :next, exported = :exported, skipped = :skipped, updatedAt = :at, leaseUntil = :until${progress.tasks ? ', tasks = :tasks' : ''}`,
          ConditionExpression: HOLDS_LEASE,
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: {
            ...(progress.tasks ? { ':tasks': progress.tasks } : {}),
            ':next': progress.next,
            ':exported': progress.exported,
            ':skipped': progress.skipped,
            ':at': now.toISOString(),
            ':until': lease.until,
            ':holder': lease.holder,
          },
        }),
      ),
    );
  }

  release(email: string, lease: Lease, status: ExportStatus, now: Date, reason?: string): Promise<boolean> {
    const at = now.toISOString();
    const finished = status === 'done' || status === 'cancelled';
    const sets = ['#status = :status', 'updatedAt = :at', ...(finished ? ['finishedAt = :at'] : []), ...(reason ? ['reason = :reason'] : [])];
    const removes = ['leaseHolder', 'leaseUntil', ...(reason ? [] : ['reason'])];
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: exportKey(email),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: HOLDS_LEASE,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':holder': lease.holder, ...(reason ? { ':reason': reason } : {}) },
        }),
      ),
    );
  }

  cancelExport(email: string, reason: string, now: Date): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: exportKey(email),
          UpdateExpression: 'SET #status = :cancelled, reason = :reason, updatedAt = :at, finishedAt = :at',
          ConditionExpression: `#status IN (:running, :failed) AND ${LEASE_FREE}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':running': 'running',
            ':failed': 'failed',
            ':reason': reason,
            ':at': now.toISOString(),
            ':now': now.getTime(),
          },
        }),
      ),
    );
  }

  async claimReconcile(lease: Lease, now: Date, feed?: ReconcileFeed): Promise<ReconcileState | null> {
    try {
      const { Attributes = {} } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: reconcileKey(feed),
          UpdateExpression: 'SET leaseHolder = :holder, leaseUntil = :until',
          ConditionExpression: LEASE_FREE,
          ExpressionAttributeValues: { ':holder': lease.holder, ':until': lease.until, ':now': now.getTime() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return reconcileStateOf(Attributes);
    } catch (err) {
      if (conditionFailed(err)) return null;
      throw err;
    }
  }

  advanceReconcile(lease: Lease, cursor: string, feed?: ReconcileFeed): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: reconcileKey(feed),
          UpdateExpression: 'SET #cursor = :cursor, leaseUntil = :until',
          ConditionExpression: HOLDS_LEASE,
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: { ':cursor': cursor, ':until': lease.until, ':holder': lease.holder },
        }),
      ),
    );
  }

  async releaseReconcile(lease: Lease, summary: { at: string; applied: number }, feed?: ReconcileFeed): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: reconcileKey(feed),
          UpdateExpression: 'SET lastRunAt = :at, lastApplied = :applied REMOVE leaseHolder, leaseUntil',
          ConditionExpression: HOLDS_LEASE,
          ExpressionAttributeValues: { ':at': summary.at, ':applied': summary.applied, ':holder': lease.holder },
        }),
      ),
    );
  }

  async getReconcile(feed?: ReconcileFeed): Promise<ReconcileState> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: reconcileKey(feed), ConsistentRead: true }));
    return reconcileStateOf(Item ?? {});
  }
}

function reconcileStateOf(item: Record<string, unknown>): ReconcileState {
  return {
    cursor: typeof item.cursor === 'string' ? item.cursor : null,
    ...(typeof item.lastRunAt === 'string' ? { lastRunAt: item.lastRunAt } : {}),
    ...(typeof item.lastApplied === 'number' ? { lastApplied: item.lastApplied } : {}),
  };
}
