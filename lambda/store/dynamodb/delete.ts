/**
 * Removing a whole calendar (a user deleted): every object, UID guard and change-log entry. The
 * counter item stays, one number further on with no log entry for it, so any sync token a
 * device still holds, even the current one, fails as invalid (403 valid-sync-token, RFC 6578)
 * instead of reading as "nothing changed" against a calendar that is gone or started again.
 */
import { updateItem } from '../../platform/dynamodb/document';
import { queryAll, type Item } from '../../platform/dynamodb/paging';
import { batchWriteAll } from '../../platform/dynamodb/retry';
import { CALENDAR_SEQ, calendarKey, OBJECT_PREFIX, type StoreContext } from './items';

const deleteKeys = (ctx: StoreContext, table: string, keys: Item[]) =>
  batchWriteAll(ctx.doc, table, keys.map((Key) => ({ DeleteRequest: { Key } })), 'calendar deletion');

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
  await updateItem(ctx.doc, {
    TableName: ctx.tables.sync,
    Key: calendarKey(owner),
    UpdateExpression: 'ADD currentSeq :one REMOVE props',
    ExpressionAttributeValues: { ':one': 1 },
  });
  await Promise.all([deleteKeys(ctx, ctx.tables.events, events), deleteKeys(ctx, ctx.tables.sync, log)]);
  return events.filter((item) => String(item.sk).startsWith(OBJECT_PREFIX)).length;
}
