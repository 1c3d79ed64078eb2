/**
 * TransactWriteItems over the lean wire (wire.ts): every phone write ends in one, so it skips the
 * SDK's per-call stack like the reads do. Items are written in the document client's terms
 * (plain values) and marshalled here (wire-values.ts), as lib-dynamodb would.
 */
import { randomUUID } from 'node:crypto';
import type { TransactItem } from './retry';
import { wireFor, type DynamoDoc } from './wire';
import { toWire, type Plain } from './wire-values';

/** One operation's fields with their values marshalled: Item, Key, ExpressionAttributeValues. */
function wired(operation: Plain): Plain {
  const { Item, Key, ExpressionAttributeValues, ...rest } = operation;
  return {
    ...rest,
    ...(Item !== undefined && { Item: toWire(Item as Plain) }),
    ...(Key !== undefined && { Key: toWire(Key as Plain) }),
    ...(ExpressionAttributeValues !== undefined && { ExpressionAttributeValues: toWire(ExpressionAttributeValues as Plain) }),
  };
}

/**
 * One transaction. Its ClientRequestToken (the SDK fills one in too) makes the wire's retry after
 * a dropped connection idempotent: a transaction that did commit is not applied twice, and its
 * retry does not fail on the conditions the first attempt changed.
 */
export async function transactWrite(doc: DynamoDoc, items: TransactItem[]): Promise<void> {
  const TransactItems = items.map((item) => Object.fromEntries(Object.entries(item).map(([kind, operation]) => [kind, wired(operation as Plain)])));
  await wireFor(doc).call('TransactWriteItems', { TransactItems, ClientRequestToken: randomUUID() });
}
