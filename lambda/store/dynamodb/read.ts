/** Object reads on the events table. All strongly consistent: a client re-reads right after writing. */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../platform/dynamodb/paging';
import type { StoredObject } from '../types';
import { OBJECT_PREFIX, fromObjectItem, objectKey, type StoreContext } from './items';

export async function getObject(ctx: StoreContext, owner: string, name: string): Promise<StoredObject | null> {
  const item = await ctx.reader.get(ctx.tables.events, objectKey(owner, name));
  return item ? fromObjectItem(item) : null;
}

/**
 * Objects whose stored range overlaps [start, end); an absent rangeStart/rangeEnd is unbounded.
 * The filter runs server-side, so only candidates travel with their iCalendar text.
 */
export async function findInRange(
  ctx: StoreContext,
  owner: string,
  start: number | null,
  end: number | null,
): Promise<StoredObject[]> {
  const clauses: string[] = [];
  const values: Record<string, number> = {};
  if (start !== null) {
    clauses.push('(attribute_not_exists(rangeEnd) OR rangeEnd > :start)');
    values[':start'] = start;
  }
  if (end !== null) {
    clauses.push('(attribute_not_exists(rangeStart) OR rangeStart < :end)');
    values[':end'] = end;
  }
  const filter = clauses.length
    ? { FilterExpression: clauses.join(' AND '), ExpressionAttributeValues: values }
    : {};
  const items = await queryObjects(ctx, owner, filter);
  return items.map(fromObjectItem);
}

/** All `obj#` items of a calendar, following pagination. */
async function queryObjects(
  ctx: StoreContext,
  owner: string,
  extra: Partial<QueryCommandInput>,
): Promise<Record<string, unknown>[]> {
  return queryAll(ctx.doc, {
    TableName: ctx.tables.events,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ConsistentRead: true,
    ...extra,
    ExpressionAttributeValues: { ...extra.ExpressionAttributeValues, ':pk': owner, ':prefix': OBJECT_PREFIX },
  });
}

/** Found objects only; the reader batches them 100 keys to a call, all calls in parallel. */
export async function getObjects(ctx: StoreContext, owner: string, names: string[]): Promise<StoredObject[]> {
  const items = await ctx.reader.getMany(ctx.tables.events, [...new Set(names)].map((n) => objectKey(owner, n)));
  return items.filter((item) => item !== undefined).map(fromObjectItem);
}
