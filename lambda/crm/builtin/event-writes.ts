/**
 * Event writes. Each is one TransactWriteItems over the record, the owner index, the UID index
 * and the change feed, so every view of an event moves together.
 *
 * Each feed shard is gapless and ordered: a write takes the next number from its event's shard
 * counter with a compare-and-set in the same transaction, so entry N+1 of a shard can only commit
 * after entry N did. A reader paging each shard by sequence number therefore never skips a write
 * that commits later with a smaller number (what a Modified_Time index can do). Writes serialize
 * per shard, not per organisation (keys.ts FEED_SHARDS).
 */
import type { TransactItem } from '../../platform/dynamodb/retry';
import { randomUUID } from 'node:crypto';
import { transactWrite } from '../../platform/dynamodb/transact';
import {
  CrmConflict,
  CrmNotFound,
  CrmValidationError,
  type CrmEvent,
  type CrmEventDraft,
  type CrmUser,
  type UpsertOptions,
} from '../types';
import { nextModifiedTime, retryOnRace, type CrmContext } from './context';
import { eventIdByUid, getEvent, readEvent } from './event-reads';
import { eventKey, feedCounterKey, feedKey, ownerEventKey, ownerUidKey, shardOfEvent, type FeedShard, type Key } from './keys';
import { spanOfEvent, type EventSpan } from './span';
import { crmUserOf, userRefOf } from './users';


/** Leaves room under DynamoDB's 400 KB item limit for attribute names and overhead. */
const MAX_RECORD_BYTES = 380_000;

export interface EventWrite {
  before: CrmEvent | null;
  after: CrmEvent;
}

/** Where a live, linked event sits in the UID index; null when it holds no UID there. */
const uidSlot = (e: CrmEvent | null) => (e && !e.Deleted && e.caldav?.uid ? ownerUidKey(e.Owner.email, e.caldav.uid) : null);
const sameKey = (a: Key | null, b: Key | null) => !!a && !!b && a.pk === b.pk && a.sk === b.sk;

function checkVersion(id: string, current: CrmEvent | null, opts: UpsertOptions): void {
  if (opts.ifModified !== undefined && current?.Modified_Time !== opts.ifModified) {
    throw new CrmConflict(`event ${id} changed since ${opts.ifModified}`, current ?? undefined);
  }
}

export async function readFeedCounter(ctx: CrmContext, shard: FeedShard): Promise<number> {
  const Item = await ctx.reader.get(ctx.table, feedCounterKey(shard));
  return typeof Item?.seq === 'number' ? Item.seq : 0;
}

/** The feed entry and the counter's compare-and-set: the write's place in the change order. */
function feedItems(ctx: CrmContext, seq: number, id: string, at: string): TransactItem[] {
  const shard = shardOfEvent(id);
  return [
    { Put: { TableName: ctx.table, Item: { ...feedKey(shard, seq + 1), id, at }, ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Update: {
        TableName: ctx.table,
        Key: feedCounterKey(shard),
        UpdateExpression: 'SET seq = :next',
        ...(seq === 0
          ? { ConditionExpression: 'attribute_not_exists(seq)', ExpressionAttributeValues: { ':next': 1 } }
          : { ConditionExpression: 'seq = :read', ExpressionAttributeValues: { ':next': seq + 1, ':read': seq } }),
      },
    },
  ];
}

/** Record, owner index and UID index items for moving from `before` to `after`. */
function recordItems(ctx: CrmContext, before: CrmEvent | null, after: CrmEvent, span: EventSpan): TransactItem[] {
  const record = { ...eventKey(after.id), ...after, rangeStart: span.rangeStart, rangeEnd: span.rangeEnd };
  if (JSON.stringify(record).length > MAX_RECORD_BYTES) throw new CrmValidationError('caldav', 'event too large to store');
  const items: TransactItem[] = [
    {
      Put: {
        TableName: ctx.table,
        Item: record,
        ...(before
          ? { ConditionExpression: 'Modified_Time = :read', ExpressionAttributeValues: { ':read': before.Modified_Time } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
    {
      Put: {
        TableName: ctx.table,
        Item: { ...ownerEventKey(after.Owner.email, after.id), id: after.id, Modified_Time: after.Modified_Time, Deleted: after.Deleted, ...span },
      },
    },
  ];
  if (before && before.Owner.email.toLowerCase() !== after.Owner.email.toLowerCase()) {
    items.push({ Delete: { TableName: ctx.table, Key: ownerEventKey(before.Owner.email, after.id) } });
  }
  const [from, to] = [uidSlot(before), uidSlot(after)];
  if (!sameKey(from, to)) {
    if (from) items.push({ Delete: { TableName: ctx.table, Key: from } });
    if (to) {
      items.push({
        Put: {
          TableName: ctx.table,
          Item: { ...to, id: after.id },
          ConditionExpression: 'attribute_not_exists(pk) OR id = :id',
          ExpressionAttributeValues: { ':id': after.id },
        },
      });
    }
  }
  return items;
}

/** The event as a write makes it: the draft on its owner, times stamped, the caldav link copied. */
export function eventAfter(draft: CrmEventDraft, id: string, before: CrmEvent | null, owner: CrmUser, now: string): CrmEvent {
  return {
    ...structuredClone(draft),
    id,
    Owner: userRefOf(owner),
    Created_Time: before?.Created_Time ?? draft.Created_Time ?? now,
    Modified_Time: now,
    Deleted: draft.Deleted ?? false,
    caldav: draft.caldav ? structuredClone(draft.caldav) : null,
  };
}

/**
 * Everything one event write commits: record, owner index, UID index and feed entry, each
 * conditioned on what was read (`before`, the UID slot's `holder`, the feed counter `seq`).
 * `span`: the record's time span when the caller knows it unchanged (span.ts, unchangedSpan).
 * Throws CrmValidationError when the UID is already linked to another event.
 */
export function eventWriteItems(ctx: CrmContext, before: CrmEvent | null, after: CrmEvent, owner: CrmUser, seq: number, holder: string | null, span?: EventSpan): TransactItem[] {
  const uid = after.caldav?.uid;
  // Only a UID moving into a slot needs the check: an unchanged slot is this event's already.
  if (uid && !after.Deleted && !sameKey(uidSlot(before), uidSlot(after)) && holder !== null && holder !== after.id) {
    throw new CrmValidationError('caldav.uid', `UID already linked to event ${holder}`);
  }
  return [...recordItems(ctx, before, after, span ?? spanOfEvent(after, owner)), ...feedItems(ctx, seq, after.id, after.Modified_Time)];
}

export async function upsertEvent(ctx: CrmContext, draft: CrmEventDraft, opts: UpsertOptions = {}): Promise<EventWrite> {
  const id = draft.id ?? randomUUID();
  let attempts = 0;
  return retryOnRace(`save event ${id}`, async () => {
    // Taken as read by the caller only first time: a lost race means it changed since.
    const known = attempts++ === 0 && draft.id && opts.current?.id === id ? opts.current : undefined;
    // One round trip: the record, its owner and the feed counter travel in one BatchGetItem (a
    // counter read early only means a lost race more often, which the retry covers).
    const [before, ownerRecord, seq] = await Promise.all([
      known ?? (draft.id ? getEvent(ctx, id) : null),
      typeof draft.Owner?.email === 'string' ? ctx.users.getUser(draft.Owner.email) : null,
      readFeedCounter(ctx, shardOfEvent(id)),
    ]);
    checkVersion(id, before, opts);
    if (!ownerRecord) throw new CrmValidationError('Owner', `no CRM user ${String(draft.Owner?.email)}`);
    const owner = crmUserOf(ownerRecord);
    const after = eventAfter(draft, id, before, owner, nextModifiedTime(ctx.now(), before?.Modified_Time));
    const uid = after.caldav?.uid;
    const holder = uid && !after.Deleted && !sameKey(uidSlot(before), uidSlot(after)) ? await eventIdByUid(ctx, owner.email, uid) : null;
    await transactWrite(ctx.doc, eventWriteItems(ctx, before, after, owner, seq, holder));
    return { before, after };
  });
}

/** A soft deletion's items: the record marked, its indexes following, its feed entry; the span stays as stored. */
export function deletionItems(ctx: CrmContext, before: CrmEvent, span: EventSpan, seq: number, now: string): TransactItem[] {
  const after: CrmEvent = { ...before, Deleted: true, Modified_Time: now };
  return [...recordItems(ctx, before, after, span), ...feedItems(ctx, seq, before.id, now)];
}

/** Soft delete: the record stays, marked, so the deletion travels through the change feed. */
export async function deleteEvent(ctx: CrmContext, id: string, opts: UpsertOptions = {}): Promise<EventWrite> {
  return retryOnRace(`delete event ${id}`, async () => {
    const [read, seq] = await Promise.all([readEvent(ctx, id), readFeedCounter(ctx, shardOfEvent(id))]);
    const before = read?.event;
    if (!read || !before || before.Deleted) throw new CrmNotFound(`no event ${id}`);
    checkVersion(id, before, opts);
    const now = nextModifiedTime(ctx.now(), before.Modified_Time);
    await transactWrite(ctx.doc, deletionItems(ctx, before, read.span, seq, now));
    return { before, after: { ...before, Deleted: true, Modified_Time: now } };
  });
}
