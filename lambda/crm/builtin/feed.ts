/**
 * The change feed read side. A cursor is the last sequence number a reader has seen; a page
 * returns the current state of every event written after it (an event written several times
 * appears once). Delivery is at least once: an event changed again after a page was read
 * shows up again on a later page. An empty batch means the reader has caught up.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CrmValidationError, type ChangeBatch } from '../types';
import type { CrmContext } from './context';
import { getEvents } from './event-reads';
import { FEED_PK, FEED_SEQ_PREFIX, feedKey, seqOfFeedSk } from './keys';

export const FEED_PAGE_SIZE = 100;

function parseCursor(cursor: string | null): number {
  if (cursor === null || cursor === '') return 0;
  if (!/^\d{1,15}$/.test(cursor)) throw new CrmValidationError('cursor', 'not a cursor this CRM handed out');
  return Number(cursor);
}

export async function listChangesSince(ctx: CrmContext, cursor: string | null, pageSize = FEED_PAGE_SIZE): Promise<ChangeBatch> {
  const after = parseCursor(cursor);
  const { Items = [] } = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.table,
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': FEED_PK, ':after': feedKey(after).sk },
      ConsistentRead: true,
      Limit: pageSize,
    }),
  );
  const entries = Items.filter((i) => String(i.sk).startsWith(FEED_SEQ_PREFIX));
  const ids = [...new Set(entries.map((i) => String(i.id)))];
  const records = new Map((await getEvents(ctx, ids)).map((e) => [e.id, e]));
  const batch: ChangeBatch = { events: [], deletedIds: [], nextCursor: String(after) };
  for (const id of ids) {
    const e = records.get(id);
    if (!e || e.Deleted) batch.deletedIds.push(id);
    else batch.events.push(e);
  }
  const last = entries.at(-1);
  if (last) batch.nextCursor = String(seqOfFeedSk(String(last.sk)));
  return batch;
}
