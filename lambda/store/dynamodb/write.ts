/**
 * putObject / deleteObject: each is one TransactWriteItems touching the object item, its UID
 * guard(s), a new change-log entry and the calendar's sequence counter, and, for a client's write
 * (CommitOptions.join), the store's transaction participant's part (participant.ts).
 *
 * Concurrency: the counter, the object and the UID guard are read together (one BatchGetItem),
 * and the transaction pins every one of those reads with a condition: the counter's
 * compare-and-set serializes every successful write to a calendar, the object must still carry
 * the ETag read (or still be absent), the guard must still be free or ours. So when it commits,
 * the domain checks made on the reads (If-Match, UID holder, existence) still hold. Any failed
 * condition means a concurrent writer won the race: re-read and decide again.
 */
import { transactWrite } from '../../platform/dynamodb/transact';
import {
  NotFound,
  ObjectTooLarge,
  UidConflict,
  WriteContention,
  checkCondition,
  type CommitOptions,
  type DeleteResult,
  type ObjectSummary,
  type ObjectWrite,
  type PendingWrite,
  type PutResult,
  type WriteCondition,
} from '../types';
import {
  MAX_ITEM_BYTES,
  calendarKey,
  epochSeconds,
  itemBytes,
  objectKey,
  summaryAttributes,
  summaryKey,
  toObjectItem,
  toSummaryItem,
  uidKey,
  type LogItem,
  type StoreContext,
} from './items';
import { retryOnRace, type TransactItem } from '../../platform/dynamodb/retry';
import { readCurrentSeq } from './sync';

export async function putObject(
  ctx: StoreContext,
  owner: string,
  obj: ObjectWrite,
  cond: WriteCondition,
  opts: CommitOptions = {},
): Promise<PutResult> {
  const item = toObjectItem(owner, obj);
  const bytes = itemBytes(item);
  // Fail clearly before the transaction instead of with the engine's generic ValidationException.
  if (bytes > MAX_ITEM_BYTES) throw new ObjectTooLarge(bytes, MAX_ITEM_BYTES);
  const part = joined(ctx, { kind: 'put', owner, object: obj }, opts);

  return retryWhileContended(`put ${obj.name}`, opts.giveUpBy, async () => {
    // One round trip (the reader batches them, the participant's too); each read is pinned by a condition below.
    const head = readObjectHead(ctx, owner, obj.name);
    const [current, existing, holder, participant] = await Promise.all([readCurrentSeq(ctx, owner), head, readUidHolder(ctx, owner, obj.uid), part(head)]);
    checkCondition(existing, cond);
    if (holder !== null && holder !== obj.name) throw new UidConflict(holder);

    const next = current + 1;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: ctx.tables.events,
          Item: item,
          ...unchangedSince(existing),
        },
      },
      {
        Put: {
          TableName: ctx.tables.events,
          Item: { ...uidKey(owner, obj.uid), name: obj.name },
          ...heldByOrFree(obj.name),
        },
      },
    ];
    if (existing && existing.uid !== obj.uid) {
      // The resource now carries another UID: its old one becomes free for other resources.
      items.push({ Delete: { TableName: ctx.tables.events, Key: uidKey(owner, existing.uid), ...heldByOrFree(obj.name) } });
    }
    items.push(
      // The listing's view of it; guarded by the object's own condition.
      { Put: { TableName: ctx.tables.events, Item: toSummaryItem(owner, obj) } },
      logEntry(ctx, owner, next, obj.name, obj),
      counterAdvance(ctx, owner, current),
      ...(participant ?? []),
    );

    await opts.commitAfter;
    await transactWrite(ctx.doc, items);
    return { created: !existing, seq: next, carried: participant !== null };
  });
}

export async function deleteObject(
  ctx: StoreContext,
  owner: string,
  name: string,
  cond: WriteCondition,
  opts: CommitOptions = {},
): Promise<DeleteResult> {
  const part = joined(ctx, { kind: 'delete', owner, name }, opts);
  return retryWhileContended(`delete ${name}`, opts.giveUpBy, async () => {
    const head = readObjectHead(ctx, owner, name);
    const [current, existing, participant] = await Promise.all([readCurrentSeq(ctx, owner), head, part(head)]);
    if (!existing) throw new NotFound(name);
    checkCondition(existing, cond);

    const next = current + 1;
    await opts.commitAfter;
    await transactWrite(ctx.doc, [
      { Delete: { TableName: ctx.tables.events, Key: objectKey(owner, name), ...unchangedSince(existing) } },
      { Delete: { TableName: ctx.tables.events, Key: summaryKey(owner, name) } },
      // The guard stays as a tombstone (uidDeletedAt) until the UID is held again.
      { Put: { TableName: ctx.tables.events, Item: { ...uidKey(owner, existing.uid), name, deletedAt: ctx.now().toISOString() }, ...heldByOrFree(name) } },
      logEntry(ctx, owner, next, name),
      counterAdvance(ctx, owner, current),
      ...(participant ?? []),
    ]);
    return { seq: next, uid: existing.uid, carried: participant !== null };
  });
}

/**
 * The participant's part of a client's write, per attempt: null when there is none or it cannot
 * take part. Reads beyond what is allowed before the commit gate wait for the gate first.
 */
function joined(ctx: StoreContext, write: PendingWrite, opts: CommitOptions): (head: Promise<ObjectHead | null>) => Promise<TransactItem[] | null> {
  const part = opts.join ? ctx.participant?.join(write) : undefined;
  if (!part) return async () => null;
  const early = part.keys <= (opts.readsBeforeCommit ?? Infinity);
  return (head) => (early ? part.prepare(head) : Promise.resolve(opts.commitAfter).then(() => part.prepare(head)));
}

interface ObjectHead {
  etag: string;
  uid: string;
}

async function readObjectHead(ctx: StoreContext, owner: string, name: string): Promise<ObjectHead | null> {
  const item = await ctx.reader.get(ctx.tables.events, objectKey(owner, name));
  return item ? { etag: String(item.etag), uid: String(item.uid) } : null;
}

/** The UID guard: who holds the UID, or since when it is free again (a tombstone). */
async function readUidGuard(ctx: StoreContext, owner: string, uid: string): Promise<{ name: string; deletedAt: string | null } | null> {
  const item = await ctx.reader.get(ctx.tables.events, uidKey(owner, uid));
  return item ? { name: String(item.name), deletedAt: typeof item.deletedAt === 'string' ? item.deletedAt : null } : null;
}

export async function readUidHolder(ctx: StoreContext, owner: string, uid: string): Promise<string | null> {
  const guard = await readUidGuard(ctx, owner, uid);
  return guard && guard.deletedAt === null ? guard.name : null;
}

export async function readUidDeletedAt(ctx: StoreContext, owner: string, uid: string): Promise<string | null> {
  return (await readUidGuard(ctx, owner, uid))?.deletedAt ?? null;
}

/** The object is still as read: absent, or carrying the ETag seen. */
function unchangedSince(existing: ObjectHead | null) {
  return existing
    ? { ConditionExpression: 'etag = :seenEtag', ExpressionAttributeValues: { ':seenEtag': existing.etag } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };
}

/** A UID guard is free or already points at this resource. */
function heldByOrFree(name: string) {
  return {
    // Free: no guard, a tombstone, or already ours.
    ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(deletedAt) OR #name = :name',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: { ':name': name },
  };
}

/** `written`: the object a put stores (its summary goes into the entry); absent for a deletion. */
export function logEntry(ctx: StoreContext, owner: string, seq: number, name: string, written?: ObjectSummary): TransactItem {
  const item: LogItem = {
    pk: owner,
    seq,
    name,
    deleted: !written,
    expiresAt: epochSeconds(ctx.now()) + ctx.retentionSeconds,
    ...(written ? summaryAttributes(written) : {}),
  };
  return { Put: { TableName: ctx.tables.sync, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * Compare-and-set of the calendar's sequence number from `current` to `current + by`. The first
 * write of a calendar also marks it summarized: every object it will hold gets its summary item.
 */
export function counterAdvance(ctx: StoreContext, owner: string, current: number, by = 1): TransactItem {
  return {
    Update: {
      TableName: ctx.tables.sync,
      Key: calendarKey(owner),
      UpdateExpression: current === 0 ? 'SET currentSeq = :next, summarized = :yes' : 'SET currentSeq = :next',
      // The calendar item may exist without a counter: PROPPATCH before the first write.
      ConditionExpression:
        current === 0 ? 'attribute_not_exists(currentSeq) OR currentSeq = :current' : 'currentSeq = :current',
      ExpressionAttributeValues: { ':current': current, ':next': current + by, ...(current === 0 ? { ':yes': true } : {}) },
    },
  };
}

/**
 * A phone's write keeps trying inside the request while concurrent writers win the counter race:
 * a client that honours no Retry-After would lose the write to a 503. Up to WRITE_RACE_ATTEMPTS
 * rounds (twice the platform default), each after a full-jitter backoff of up to 500 ms or twice
 * the last round's duration, so that writers that collided spread apart even when rounds are
 * slow. Bounded by rounds, not a time budget: a budget gave up on loaded engines (bench/README.md,
 * "Concurrent writers"); on DynamoDB a round takes tens of ms, far inside the functions' 10 s. The
 * one time bound is the request's own end (`CommitOptions.giveUpBy`): a writer still losing then
 * gets a 503 with Retry-After rather than the function's timeout.
 */
export const WRITE_RACE_ATTEMPTS = 40;

/**
 * Runs `attempt` again (after jittered backoff) while it fails only because a concurrent writer
 * won, and while `giveUpBy` (epoch ms) leaves time for another round.
 */
export const retryWhileContended = <T>(what: string, giveUpBy: number | undefined, attempt: () => Promise<T>): Promise<T> =>
  retryOnRace(attempt, {
    maxAttempts: WRITE_RACE_ATTEMPTS,
    capMs: 500,
    spread: 2,
    ...(giveUpBy !== undefined ? { deadline: giveUpBy } : {}),
    exhausted: () => new WriteContention(`${what}: still losing to concurrent writers`),
  });
