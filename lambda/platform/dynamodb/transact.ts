/**
 * TransactWriteItems over the lean wire (wire.ts): every phone write ends in one, so it skips the
 * SDK's per-call stack like the reads do. Items are written in the document client's terms
 * (plain values) and marshalled as every item call is (document.ts), as lib-dynamodb would.
 */
import { randomUUID } from 'node:crypto';
import type { TransactItem } from './retry';
import { wireFor, type DynamoDoc } from './wire';
import { marshalled } from './document';

/**
 * One transaction. Its ClientRequestToken (the SDK fills one in too) makes the wire's retry after
 * a dropped connection idempotent: a transaction that did commit is not applied twice, and its
 * retry does not fail on the conditions the first attempt changed.
 */
export async function transactWrite(doc: DynamoDoc, items: TransactItem[]): Promise<void> {
  const TransactItems = items.map((item) => Object.fromEntries(Object.entries(item).map(([kind, operation]) => [kind, marshalled(operation as object)])));
  await wireFor(doc).call('TransactWriteItems', { TransactItems, ClientRequestToken: randomUUID() });
}
