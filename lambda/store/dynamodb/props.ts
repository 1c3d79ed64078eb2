/** Dead properties of a calendar: a map attribute `props` on the calendar item, keyed by Clark name. */
import { updateItem } from '../../platform/dynamodb/document';
import { StoreError } from '../types';
import { calendarKey, type StoreContext } from './items';
import { conditionally } from '../../platform/dynamodb/retry';

/**
 * Sets and removes properties in one UpdateItem. Nested map paths need the map to exist, so a
 * calendar without one gets the whole map written instead; the two conditions make the pair
 * safe against a concurrent first PROPPATCH. Removal wins over setting the same name.
 */
export async function patchCalendarProps(
  ctx: StoreContext,
  owner: string,
  set: Record<string, string>,
  remove: string[],
): Promise<void> {
  const removed = new Set(remove);
  const toSet = Object.entries(set).filter(([name]) => !removed.has(name));
  if (toSet.length === 0 && removed.size === 0) return;

  // Each loop either updates the existing map or creates it; a lost race flips between the two.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await updateExistingMap(ctx, owner, toSet, [...removed])) return;
    if (toSet.length === 0) return; // nothing stored, nothing to remove
    if (await createMap(ctx, owner, Object.fromEntries(toSet))) return;
  }
  throw new StoreError(`patchCalendarProps: could not settle the props map of ${owner}`);
}

async function updateExistingMap(
  ctx: StoreContext,
  owner: string,
  toSet: [string, string][],
  toRemove: string[],
): Promise<boolean> {
  const names: Record<string, string> = { '#props': 'props' };
  const values: Record<string, string> = {};
  const sets = toSet.map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#props.#s${i} = :s${i}`;
  });
  const removes = toRemove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#props.#r${i}`;
  });
  const update = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return conditionally(() =>
    updateItem(ctx.doc, {
      TableName: ctx.tables.sync,
      Key: calendarKey(owner),
      UpdateExpression: update,
      ConditionExpression: 'attribute_exists(#props)',
      ExpressionAttributeNames: names,
      ...(sets.length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}

function createMap(ctx: StoreContext, owner: string, props: Record<string, string>): Promise<boolean> {
  return conditionally(() =>
    updateItem(ctx.doc, {
      TableName: ctx.tables.sync,
      Key: calendarKey(owner),
      UpdateExpression: 'SET #props = :props',
      ConditionExpression: 'attribute_not_exists(#props)',
      ExpressionAttributeNames: { '#props': 'props' },
      ExpressionAttributeValues: { ':props': props },
    }),
  );
}
