/**
 * The change feed read side. A cursor holds the last sequence number a reader has seen in each
 * shard (keys.ts); a page returns the current state of every event written after it (an event
 * written several times appears once). Delivery is at least once: an event changed again after
 * a page was read shows up again on a later page. An empty batch means the reader has caught up.
 *
 * Cursors: `<legacy>.<shard 0>.….<shard 15>`; a bare number is a cursor handed out before the
 * feed was sharded (its position in the old partition, nothing seen in the shards yet).
 */
import { queryPage } from '../../platform/dynamodb/paging';
import { CrmValidationError, type ChangeBatch } from '../types';
import type { CrmContext } from './context';
import { getEvents } from './event-reads';
import { readFeedCounter } from './event-writes';
import { FEED_SEQ_PREFIX, FEED_SHARD_LIST, feedKey, seqOfFeedSk, type FeedShard } from './keys';

export const FEED_PAGE_SIZE = 100;

/** Seen sequence number per shard, in FEED_SHARD_LIST order (legacy first). */
type Position = number[];

function parseCursor(cursor: string | null): Position {
  const fresh = FEED_SHARD_LIST.map(() => 0);
  if (cursor === null || cursor === '') return fresh;
  const parts = cursor.split('.');
  const valid = (parts.length === 1 || parts.length === FEED_SHARD_LIST.length) && parts.every((p) => /^\d{1,15}$/.test(p));
  if (!valid) throw new CrmValidationError('cursor', 'not a cursor this CRM handed out');
  return parts.length === 1 ? [Number(parts[0]), ...fresh.slice(1)] : parts.map(Number);
}

const formatCursor = (position: Position) => position.join('.');

/** Where every shard is now: one batch of counter reads (the legacy one is the old `feed / counter`). */
export async function latestCursor(ctx: CrmContext): Promise<string> {
  return formatCursor(await Promise.all(FEED_SHARD_LIST.map((shard) => readFeedCounter(ctx, shard))));
}

async function shardPage(ctx: CrmContext, shard: FeedShard, after: number, pageSize: number) {
  const { Items = [] } = await queryPage(ctx.doc, {
    TableName: ctx.table,
    KeyConditionExpression: 'pk = :pk AND sk > :after',
    ExpressionAttributeValues: { ':pk': feedKey(shard, 0).pk, ':after': feedKey(shard, after).sk },
    ConsistentRead: true,
    Limit: pageSize,
  });
  return Items.filter((i) => String(i.sk).startsWith(FEED_SEQ_PREFIX));
}

/** One page of every shard, read in parallel; the cursor moves each shard to its last entry read. */
export async function listChangesSince(ctx: CrmContext, cursor: string | null, pageSize = FEED_PAGE_SIZE): Promise<ChangeBatch> {
  const position = parseCursor(cursor);
  const pages = await Promise.all(FEED_SHARD_LIST.map((shard, i) => shardPage(ctx, shard, position[i]!, pageSize)));
  const next = pages.map((entries, i) => (entries.length ? seqOfFeedSk(String(entries.at(-1)!.sk)) : position[i]!));
  const ids = [...new Set(pages.flat().map((i) => String(i.id)))];
  const records = new Map((await getEvents(ctx, ids)).map((e) => [e.id, e]));
  const batch: ChangeBatch = { events: [], deletedIds: [], nextCursor: formatCursor(next) };
  for (const id of ids) {
    const e = records.get(id);
    if (!e || e.Deleted) batch.deletedIds.push(id);
    else batch.events.push(e);
  }
  return batch;
}
