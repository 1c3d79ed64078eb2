/**
 * The item calls over the wire (lambda/platform/dynamodb/document.ts) at the seam the engine
 * cannot be made to show on demand: what BatchWriteItem leaves unprocessed comes back in plain
 * values and is sent again exactly as it was. The calls themselves run against DynamoDB Local in
 * every store test.
 */
import { describe, expect, it } from 'vitest';
import { DynamoWire, type WireInput } from '../../../lambda/platform/dynamodb/wire';
import { batchWriteAll } from '../../../lambda/platform/dynamodb/retry';
import { getItem, updateItem } from '../../../lambda/platform/dynamodb/document';

/** A wire whose calls never leave the process: each is recorded and answered by `answer`. */
function cannedWire(answer: (operation: string, input: WireInput, n: number) => Record<string, unknown>) {
  const calls: Array<{ operation: string; input: WireInput }> = [];
  const wire = new DynamoWire(() => Promise.reject(new Error('no network in this test')));
  wire.use(async (operation, input) => {
    calls.push({ operation, input: structuredClone(input) });
    return answer(operation, input, calls.length);
  });
  return { wire, calls };
}

describe('document calls over the wire', () => {
  it('re-sends what BatchWriteItem left unprocessed, marshalled as it was sent', async () => {
    const item = { pk: 'a@example.com', sk: 'sum#x.ics', n: 7, bytes: new Uint8Array([1, 2]), tags: ['a'] };
    const { wire, calls } = cannedWire((_op, input, n) =>
      n === 1 ? { UnprocessedItems: { t: [(input.RequestItems as Record<string, unknown[]>).t![1]] } } : { UnprocessedItems: {} },
    );
    await batchWriteAll(wire, 't', [{ DeleteRequest: { Key: { pk: 'a@example.com', sk: 'old' } } }, { PutRequest: { Item: item } }], 'test');
    expect(calls.map((c) => c.operation)).toEqual(['BatchWriteItem', 'BatchWriteItem']);
    const first = (calls[0]!.input.RequestItems as Record<string, unknown[]>).t!;
    expect((calls[1]!.input.RequestItems as Record<string, unknown[]>).t).toEqual([first[1]]);
    expect(first[1]).toEqual({ PutRequest: { Item: { pk: { S: 'a@example.com' }, sk: { S: 'sum#x.ics' }, n: { N: '7' }, bytes: { B: 'AQI=' }, tags: { L: [{ S: 'a' }] } } } });
  });

  it('marshals keys and values in, and items out', async () => {
    const { wire, calls } = cannedWire((op) => (op === 'GetItem' ? { Item: { pk: { S: 'k' }, seq: { N: '3' }, on: { BOOL: true } } } : { Attributes: { n: { N: '2' } } }));
    expect(await getItem(wire, { TableName: 't', Key: { pk: 'k', seq: 3 }, ConsistentRead: true })).toEqual({ Item: { pk: 'k', seq: 3, on: true } });
    expect(await updateItem(wire, { TableName: 't', Key: { pk: 'k' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_NEW' })).toEqual({ Attributes: { n: 2 } });
    expect(calls[1]!.input).toEqual({ TableName: 't', Key: { pk: { S: 'k' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'UPDATED_NEW' });
  });
});
