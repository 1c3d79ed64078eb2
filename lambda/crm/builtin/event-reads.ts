/** Event reads: by id, by owner (with the span or modification filter) and by CalDAV UID. */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../store/dynamodb/paging';
import { backoff } from '../../store/dynamodb/retry';
import { CrmUnavailable, type CrmEvent } from '../types';
import type { CrmContext } from './context';
import { EVENT_SK, OWNER_EVENT_PREFIX, eventKey, ownerPk, ownerUidKey } from './keys';
import type { EventSpan } from './span';

/** Per-owner index item: enough to filter without loading the records. */
export interface OwnerIndexItem extends EventSpan {
  id: string;
  Modified_Time: string;
  Deleted: boolean;
}

const BATCH_SIZE = 100;
const MAX_BATCH_ATTEMPTS = 8;

export function fromEventItem(item: Record<string, unknown>): CrmEvent {
  const { pk: _pk, sk: _sk, rangeStart: _s, rangeEnd: _e, ...event } = item;
  return event as unknown as CrmEvent;
}

/** The record and its stored span (kept for writes that do not change the times). */
export async function readEvent(ctx: CrmContext, id: string): Promise<{ event: CrmEvent; span: EventSpan } | null> {
  const Item = await ctx.reader.get(ctx.table, eventKey(id));
  if (!Item) return null;
  return { event: fromEventItem(Item), span: { rangeStart: (Item.rangeStart as number | null) ?? null, rangeEnd: (Item.rangeEnd as number | null) ?? null } };
}

export async function getEvent(ctx: CrmContext, id: string): Promise<CrmEvent | null> {
  return (await readEvent(ctx, id))?.event ?? null;
}

/** Records for `ids` in the given order; ids without a record are skipped. */
export async function getEvents(ctx: CrmContext, ids: string[]): Promise<CrmEvent[]> {
  const found = new Map<string, CrmEvent>();
  for (let i = 0; i < ids.length; i += BATCH_SIZE) {
    let keys: Record<string, unknown>[] = [...new Set(ids.slice(i, i + BATCH_SIZE))].map(eventKey) as unknown as Record<string, unknown>[];
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new CrmUnavailable('event batch read kept being throttled');
      if (attempt > 0) await backoff(attempt);
      const res = await ctx.doc.send(
        new BatchGetCommand({ RequestItems: { [ctx.table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of res.Responses?.[ctx.table] ?? []) {
        if (item.sk === EVENT_SK) found.set(String(item.id), fromEventItem(item));
      }
      keys = (res.UnprocessedKeys?.[ctx.table]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return ids.flatMap((id) => found.get(id) ?? []);
}

export async function ownerIndex(ctx: CrmContext, owner: string): Promise<OwnerIndexItem[]> {
  const items = await queryAll(ctx.doc, {
    TableName: ctx.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': ownerPk(owner), ':prefix': OWNER_EVENT_PREFIX },
    ConsistentRead: true,
  });
  return items.map((i) => ({
    id: String(i.id),
    Modified_Time: String(i.Modified_Time),
    Deleted: i.Deleted === true,
    rangeStart: (i.rangeStart as number | null) ?? null,
    rangeEnd: (i.rangeEnd as number | null) ?? null,
  }));
}

export async function eventIdByUid(ctx: CrmContext, owner: string, uid: string): Promise<string | null> {
  const Item = await ctx.reader.get(ctx.table, ownerUidKey(owner, uid));
  return Item ? String(Item.id) : null;
}
