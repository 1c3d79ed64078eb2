/**
 * Transactions over the lean wire against a real engine: plain values marshalled as lib-dynamodb
 * would, and a ClientRequestToken on each, so that the wire's retry of a transaction whose answer
 * was lost is not applied twice (DynamoDB's idempotent TransactWriteItems).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactWrite } from '../../../lambda/platform/dynamodb/transact';
import { wireFor, type WireInput } from '../../../lambda/platform/dynamodb/wire';
import { freshTables, type TestTables } from '../../helpers/dynamo';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(() => t?.drop());

describe('transactWrite', () => {
  it('writes plain values (binary, numbers, nested) and a replay with its token changes nothing', async () => {
    const sent: WireInput[] = [];
    const unhook = wireFor(t.doc).use((operation, input, next) => {
      if (operation === 'TransactWriteItems') sent.push(structuredClone(input));
      return next();
    });
    try {
      const item = { pk: 'tx@example.com', seq: 0, currentSeq: 1, bytes: new Uint8Array([1, 2, 3]), props: { a: 'b', n: [1, 'x'] } };
      await transactWrite(t.doc, [{ Put: { TableName: t.tables.sync, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }]);
      const { Item } = await t.doc.send(new GetCommand({ TableName: t.tables.sync, Key: { pk: 'tx@example.com', seq: 0 }, ConsistentRead: true }));
      expect(Item).toEqual(item);

      expect(sent[0]!.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
      // The same call again, as the wire re-sends it after a dropped connection: idempotent.
      await expect(wireFor(t.doc).call('TransactWriteItems', sent[0]!)).resolves.toBeDefined();
      // A new transaction with the same condition is refused: the item is there.
      await expect(transactWrite(t.doc, [{ Put: { TableName: t.tables.sync, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }])).rejects.toMatchObject({
        name: 'TransactionCanceledException',
      });
    } finally {
      unhook();
    }
  });
});
