/** Event reads: by id, by owner (with the span or modification filter) and by CalDAV UID. */
import { batchGetAll } from '../../platform/dynamodb/key-reader';
import { queryAll } from '../../platform/dynamodb/paging';
import type { CrmEvent } from '../types';
import type { CrmContext } from './context';
import { EVENT_SK, OWNER_EVENT_PREFIX, eventKey, ownerPk, ownerUidKey } from './keys';
import type { EventSpan } from './span';

/** Per-owner index item: enough to filter without loading the records. */
export interface OwnerIndexItem extends EventSpan {
  id: string;
  Modified_Time: string;
  Deleted: boolean;
}

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
  const items = await batchGetAll(ctx.doc, ids.map((id) => ({ table: ctx.table, key: eventKey(id) })));
  return items.flatMap((item) => (item?.sk === EVENT_SK ? [fromEventItem(item)] : []));
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
