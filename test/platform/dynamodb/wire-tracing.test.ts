/**
 * The wire's X-Ray subsegments (lambda/platform/dynamodb/wire-tracing.ts): calls on DynamoDB
 * Local, drawn under a stand-in for the invocation's segment that records what the X-Ray SDK
 * would be told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getItem, putItem } from '../../../lambda/platform/dynamodb/document';
import { transactWrite } from '../../../lambda/platform/dynamodb/transact';
import { DynamoWire, wireFor } from '../../../lambda/platform/dynamodb/wire';
import { wireTracing, type TraceSegment } from '../../../lambda/platform/dynamodb/wire-tracing';
import { freshTables, type TestTables } from '../../helpers/dynamo';

interface Drawn {
  name: string;
  attributes: Record<string, unknown>;
  closed?: { err?: { name: string; message: string }; remote?: boolean };
}

let t: TestTables;
let wire: DynamoWire;
let segment: (TraceSegment & { drawn: Drawn[] }) | undefined;

beforeAll(async () => {
  t = await freshTables();
  wire = wireFor(t.doc);
  wire.use(wireTracing(() => segment, 'eu-west-1'));
});
afterAll(async () => {
  await t?.drop();
});

function newSegment() {
  const drawn: Drawn[] = [];
  return {
    drawn,
    addNewSubsegment(name: string) {
      const d: Drawn = { name, attributes: {} };
      drawn.push(d);
      return {
        addAttribute: (key: string, data: unknown) => void (d.attributes[key] = data),
        close: (err?: { name: string; message: string }, remote?: boolean) => void (d.closed = { err, remote }),
      };
    },
  };
}

describe('wireTracing', () => {
  it('draws each call as the SDK capture does: a DynamoDB node, its operation and tables', async () => {
    segment = newSegment();
    const key = { pk: 'trace@example.com', sk: 'a' };
    await putItem(wire, { TableName: t.tables.crm, Item: { ...key, v: 1 } });
    await getItem(wire, { TableName: t.tables.crm, Key: key });
    await transactWrite(wire, [
      { Put: { TableName: t.tables.crm, Item: { pk: 'trace@example.com', sk: 'b' } } },
      { Put: { TableName: t.tables.jobs, Item: { pk: 'trace@example.com', sk: 'c' } } },
    ]);
    expect(segment.drawn.map((d) => [d.name, d.attributes.namespace, d.attributes.aws, d.closed])).toEqual([
      ['DynamoDB', 'aws', { operation: 'putItem', region: 'eu-west-1', table_name: t.tables.crm }, { err: undefined, remote: undefined }],
      ['DynamoDB', 'aws', { operation: 'getItem', region: 'eu-west-1', table_name: t.tables.crm }, { err: undefined, remote: undefined }],
      ['DynamoDB', 'aws', { operation: 'transactWriteItems', region: 'eu-west-1', table_names: [t.tables.crm, t.tables.jobs] }, { err: undefined, remote: undefined }],
    ]);
  });

  it('closes a refused call with its error, status and request id, and lets the error through', async () => {
    segment = newSegment();
    const refused = putItem(wire, { TableName: t.tables.crm, Item: { pk: 'trace@example.com', sk: 'a' }, ConditionExpression: 'attribute_not_exists(pk)' });
    await expect(refused).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const [drawn] = segment.drawn;
    expect(drawn!.closed).toMatchObject({ err: { name: 'ConditionalCheckFailedException' }, remote: true });
    expect(drawn!.attributes.http).toEqual({ response: { status: 400 } });
    expect(drawn!.attributes.aws).toMatchObject({ operation: 'putItem', request_id: expect.any(String) });
  });

  it('outside a segment, calls go through untraced', async () => {
    segment = undefined;
    expect(await getItem(wire, { TableName: t.tables.crm, Key: { pk: 'trace@example.com', sk: 'a' } })).toMatchObject({ Item: { v: 1 } });
  });
});
