/**
 * The calendar item (sequence counter, dead properties) and the change log behind sync tokens.
 */
import { queryAll } from './paging';
import type { CalendarMeta, Change } from '../types';
import { calendarKey, epochSeconds, fromSummaryItem, type CalendarItem, type LogItem, type StoreContext } from './items';

async function readCalendarItem(ctx: StoreContext, owner: string) {
  return (await ctx.reader.get(ctx.tables.sync, calendarKey(owner))) as CalendarItem | undefined;
}

export async function readCurrentSeq(ctx: StoreContext, owner: string): Promise<number> {
  const item = await readCalendarItem(ctx, owner);
  return Number(item?.currentSeq ?? 0);
}

export async function readCalendar(ctx: StoreContext, owner: string): Promise<CalendarMeta> {
  const item = await readCalendarItem(ctx, owner);
  return { seq: Number(item?.currentSeq ?? 0), props: { ...(item?.props ?? {}) } };
}

/**
 * Changes after `since` up to the current sequence number, or null when the log cannot prove
 * it has all of them: a token from the future, or a gap left by entries past their retention.
 * TTL deletion is lazy, so expired entries still present are treated as already gone.
 */
export async function changesSince(ctx: StoreContext, owner: string, since: number, atSeq?: number): Promise<Change[] | null> {
  if (!Number.isSafeInteger(since) || since < 0) return null;
  const current = atSeq ?? (await readCurrentSeq(ctx, owner));
  if (since > current) return null;
  if (since === current) return [];

  const nowSeconds = epochSeconds(ctx.now());
  const items = await queryAll(ctx.doc, {
    TableName: ctx.tables.sync,
    KeyConditionExpression: 'pk = :pk AND seq BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': owner, ':from': since + 1, ':to': current },
    ConsistentRead: true,
  });
  const changes: Change[] = [];
  for (const raw of items) {
    const entry = raw as unknown as LogItem;
    if (Number(entry.expiresAt) <= nowSeconds) continue;
    const deleted = Boolean(entry.deleted);
    // Entries logged before summaries were carry none: callers read those objects instead.
    const summary = !deleted && typeof entry.etag === 'string' ? fromSummaryItem(raw) : undefined;
    changes.push({ seq: Number(entry.seq), name: entry.name, deleted, ...(summary ? { summary } : {}) });
  }

  // Ascending from the key order; complete only if it is exactly since+1 … current.
  const complete = changes.length === current - since && changes.every((c, i) => c.seq === since + 1 + i);
  return complete ? changes : null;
}
