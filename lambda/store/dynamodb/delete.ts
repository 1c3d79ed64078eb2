/**
 * Removing a whole calendar (a user deleted): every object, UID guard and change-log entry. The
 * counter item stays, one number further on with no log entry for it, so any sync token a
 * device still holds, even the current one, fails as invalid (403 valid-sync-token, RFC 6578)
 * instead of reading as "nothing changed" against a calendar that is gone or started again.
 */
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../types';
import { queryAll, type Item } from './paging';
import { backoff } from './retry';
import { CALENDAR_SEQ, calendarKey, OBJECT_PREFIX, type StoreContext } from './items';

const BATCH = 25;
const MAX_ATTEMPTS = 8;

async function deleteKeys(ctx: StoreContext, table: string, keys: Item[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH) {
    let requests = keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new StoreError('calendar deletion kept being throttled; run it again');
      if (attempt > 0) await backoff(attempt);
      const res = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (res.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

export async function deleteCalendar(ctx: StoreContext, owner: string): Promise<number> {
  const [events, log] = await Promise.all([
    queryAll(ctx.doc, { TableName: ctx.tables.events, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': owner }, ProjectionExpression: 'pk, sk', ConsistentRead: true }),
    queryAll(ctx.doc, {
      TableName: ctx.tables.sync,
      KeyConditionExpression: 'pk = :pk AND seq > :calendar',
      ExpressionAttributeValues: { ':pk': owner, ':calendar': CALENDAR_SEQ },
      ProjectionExpression: 'pk, seq',
      ConsistentRead: true,
    }),
  ]);
  // The counter first: from here on every token of this calendar is refused.
  await ctx.doc.send(
    new UpdateCommand({
      TableName: ctx.tables.sync,
      Key: calendarKey(owner),
      UpdateExpression: 'ADD currentSeq :one REMOVE props',
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
  await Promise.all([deleteKeys(ctx, ctx.tables.events, events), deleteKeys(ctx, ctx.tables.sync, log)]);
  return events.filter((item) => String(item.sk).startsWith(OBJECT_PREFIX)).length;
}
