/** Object reads on the events table. All strongly consistent: a client re-reads right after writing. */
import { BatchGetCommand, GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './paging';
import { StoreError, type ObjectSummary, type StoredObject } from '../types';
import {
  OBJECT_PREFIX,
  SUMMARY_PROJECTION,
  fromObjectItem,
  fromSummaryItem,
  objectKey,
  type StoreContext,
} from './items';
import { backoff } from './retry';

/** BatchGetItem's per-request key limit. */
const BATCH_SIZE = 100;
const MAX_BATCH_ATTEMPTS = 8;

export async function getObject(ctx: StoreContext, owner: string, name: string): Promise<StoredObject | null> {
  const { Item } = await ctx.doc.send(
    new GetCommand({ TableName: ctx.tables.events, Key: objectKey(owner, name), ConsistentRead: true }),
  );
  return Item ? fromObjectItem(Item) : null;
}

export async function listObjects(ctx: StoreContext, owner: string): Promise<ObjectSummary[]> {
  const items = await queryObjects(ctx, owner, SUMMARY_PROJECTION);
  return items.map(fromSummaryItem);
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

export async function getObjects(ctx: StoreContext, owner: string, names: string[]): Promise<StoredObject[]> {
  const unique = [...new Set(names)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_SIZE) chunks.push(unique.slice(i, i + BATCH_SIZE));
  const results = await Promise.all(chunks.map((chunk) => batchGet(ctx, owner, chunk)));
  return results.flat();
}

/** One BatchGetItem of ≤ 100 keys, re-requesting the keys DynamoDB left unprocessed. */
async function batchGet(ctx: StoreContext, owner: string, names: string[]): Promise<StoredObject[]> {
  const table = ctx.tables.events;
  const found: StoredObject[] = [];
  let keys: Record<string, unknown>[] = names.map((n) => objectKey(owner, n));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt >= MAX_BATCH_ATTEMPTS) throw new StoreError(`batch read: ${keys.length} keys left unprocessed`);
    if (attempt > 0) await backoff(attempt, 50, 1000);
    const out = await ctx.doc.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
    );
    found.push(...(out.Responses?.[table] ?? []).map(fromObjectItem));
    keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
  }
  return found;
}
