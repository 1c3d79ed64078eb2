/**
 * The calendar item (sequence counter, dead properties) and the change log behind sync tokens.
 */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryAll, queryPage, type Item } from '../../platform/dynamodb/paging';
import type { CalendarMeta, Change, ReadOptions } from '../types';
import { calendarKey, epochSeconds, fromSummaryItem, type CalendarItem, type LogItem, type StoreContext } from './items';

export async function readCalendarItem(ctx: StoreContext, owner: string) {
  return (await ctx.reader.get(ctx.tables.sync, calendarKey(owner))) as CalendarItem | undefined;
}

export async function readCurrentSeq(ctx: StoreContext, owner: string): Promise<number> {
  const item = await readCalendarItem(ctx, owner);
  return Number(item?.currentSeq ?? 0);
}

/** `summarized`: told when the item says the calendar's listing index is complete (summaries.ts). */
export async function readCalendar(ctx: StoreContext, owner: string, summarized?: (owner: string) => void): Promise<CalendarMeta> {
  const item = await readCalendarItem(ctx, owner);
  if (item?.summarized) summarized?.(owner);
  return { seq: Number(item?.currentSeq ?? 0), props: { ...(item?.props ?? {}) } };
}

/** Log entries read before the caller's check; a sync of more changes reads the rest after it. */
export const LOG_FIRST_PAGE = 100;

/**
 * Changes after `since` up to the current sequence number, or null when the log cannot prove
 * it has all of them: a token from the future, or a gap left by entries past their retention.
 * TTL deletion is lazy, so expired entries still present are treated as already gone. The log
 * is queried at once, alongside the counter read (the caller's, or this call's own).
 */
export async function changesSince(
  ctx: StoreContext,
  owner: string,
  since: number,
  atSeq?: number | Promise<number>,
  opts: ReadOptions = {},
): Promise<Change[] | null> {
  if (!Number.isSafeInteger(since) || since < 0) return null;
  const counter = Promise.resolve(atSeq ?? readCurrentSeq(ctx, owner));
  const log = readLog(ctx, owner, since, typeof atSeq === 'number' ? atSeq : null, counter, opts.restAfter);
  log.catch(() => undefined); // awaited below unless the token is refused first
  const current = await counter;
  if (since > current) return null;
  if (since === current) return [];

  const nowSeconds = epochSeconds(ctx.now());
  const changes: Change[] = [];
  for (const raw of await log) {
    const entry = raw as unknown as LogItem;
    if (Number(entry.seq) > current || Number(entry.expiresAt) <= nowSeconds) continue;
    const deleted = Boolean(entry.deleted);
    // Entries logged before summaries were carry none: callers read those objects instead.
    const summary = !deleted && typeof entry.etag === 'string' ? fromSummaryItem(raw) : undefined;
    changes.push({ seq: Number(entry.seq), name: entry.name, deleted, ...(summary ? { summary } : {}) });
  }

  // Ascending from the key order; complete only if it is exactly since+1 … current.
  const complete = changes.length === current - since && changes.every((c, i) => c.seq === since + 1 + i);
  return complete ? changes : null;
}

/**
 * Entries after `since` (up to `upTo` when known), in seq order. With `restAfter`, the first
 * LOG_FIRST_PAGE entries are read at once and the rest, if the counter says there are more,
 * only once it resolves.
 */
async function readLog(
  ctx: StoreContext,
  owner: string,
  since: number,
  upTo: number | null,
  counter: Promise<number>,
  restAfter?: Promise<unknown>,
): Promise<Item[]> {
  const input: QueryCommandInput = {
    TableName: ctx.tables.sync,
    KeyConditionExpression: upTo === null ? 'pk = :pk AND seq > :after' : 'pk = :pk AND seq BETWEEN :from AND :to',
    ExpressionAttributeValues: upTo === null ? { ':pk': owner, ':after': since } : { ':pk': owner, ':from': since + 1, ':to': upTo },
    ConsistentRead: true,
  };
  if (!restAfter) return queryAll(ctx.doc, input);
  const first = await queryPage(ctx.doc, { ...input, Limit: LOG_FIRST_PAGE });
  const items = first.Items;
  // A full first page may be all there is: then the counter says so, without a second Query.
  if (!first.LastEvaluatedKey || Number(items[items.length - 1]?.seq) >= (await counter)) return items;
  await restAfter;
  return [...items, ...(await queryAll(ctx.doc, { ...input, ExclusiveStartKey: first.LastEvaluatedKey }))];
}
