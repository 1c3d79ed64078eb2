/**
 * Listings from the summary items (items.ts SummaryItem): one small item per object, written in
 * the object's own transaction, so a Depth 1 listing or a cold query's candidates read a tenth
 * of what the objects weigh. A calendar is marked `summarized` by its first write; a calendar
 * written before summaries existed is listed from its objects until `summarize` (run by the
 * scheduled pass, which may write) has built its summaries and marked it.
 */
import { updateItem } from '../../platform/dynamodb/document';
import type { ObjectSummary } from '../types';
import { SUMMARY_PREFIX, SUMMARY_PROJECTION, calendarKey, fromSummaryItem, fromSummaryItemCompact, toSummaryItem, type StoreContext } from './items';
import { readCalendarItem } from './sync';
import { queryAll } from '../../platform/dynamodb/paging';
import { batchWriteAll, conditionally } from '../../platform/dynamodb/retry';

const queryPrefix = (ctx: StoreContext, owner: string, prefix: string, projection: object = {}) =>
  queryAll(ctx.doc, {
    TableName: ctx.tables.events,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': owner, ':prefix': prefix },
    ConsistentRead: true,
    ...projection,
  });

/** Per container: calendars known summarized (a mark is never taken back), noted by every counter read. */
export type SummarizedSet = Set<string>;

export async function listObjects(ctx: StoreContext, owner: string, known: SummarizedSet): Promise<ObjectSummary[]> {
  if (!known.has(owner)) {
    const calendar = await readCalendarItem(ctx, owner);
    if (!calendar?.currentSeq) return []; // never written: no objects
    if (!calendar.summarized) return (await queryPrefix(ctx, owner, 'obj#', SUMMARY_PROJECTION)).map(fromSummaryItem);
    known.add(owner);
  }
  return (await queryPrefix(ctx, owner, SUMMARY_PREFIX)).map(fromSummaryItemCompact);
}

/**
 * Writes every object's summary and marks the calendar, if no write moved its counter meanwhile
 * (a write's own summary is then the newer one, and the next call builds again).
 */
export async function summarize(ctx: StoreContext, owner: string, known: SummarizedSet): Promise<boolean> {
  if (known.has(owner)) return true;
  const calendar = await readCalendarItem(ctx, owner);
  const seq = Number(calendar?.currentSeq ?? 0);
  if (seq === 0 || calendar?.summarized) {
    if (calendar?.summarized) known.add(owner);
    return true;
  }
  // Read after the counter: with no write since, exactly the calendar at `seq`.
  const [objects, stale] = await Promise.all([queryPrefix(ctx, owner, 'obj#', SUMMARY_PROJECTION), queryPrefix(ctx, owner, SUMMARY_PREFIX, { ProjectionExpression: 'pk, sk' })]);
  const summaries = objects.map(fromSummaryItem);
  const names = new Set(summaries.map((o) => SUMMARY_PREFIX + o.name));
  await batchWriteAll(
    ctx.doc,
    ctx.tables.events,
    [
      ...summaries.map((o) => ({ PutRequest: { Item: toSummaryItem(owner, o) as unknown as Record<string, unknown> } })),
      // Left by an earlier build that a deletion raced.
      ...stale.filter((i) => !names.has(String(i.sk))).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })),
    ],
    'summary build',
  );
  const marked = await conditionally(() =>
    updateItem(ctx.doc, {
      TableName: ctx.tables.sync,
      Key: calendarKey(owner),
      UpdateExpression: 'SET summarized = :yes',
      ConditionExpression: 'currentSeq = :seq',
      ExpressionAttributeValues: { ':yes': true, ':seq': seq },
    }),
  );
  if (!marked) return false;
  known.add(owner);
  return true;
}
