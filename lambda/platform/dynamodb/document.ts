/**
 * lib-dynamodb's item calls over the lean wire (wire.ts): the same inputs and outputs in plain
 * values (wire-values.ts marshals them), without the SDK. Every store of the CalDAV side calls
 * DynamoDB through these (or the key reader, paging.ts and transact.ts), so that the functions
 * that only read carry no SDK at all (bench/README.md, "Cold start"). Inputs are typed by
 * lib-dynamodb's own command inputs (types only).
 */
import type {
  BatchWriteCommandInput,
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  ScanCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { wireFor, type DynamoDoc } from './wire';
import { fromWire, toWire, type Plain, type Wired } from './wire-values';

export type Item = Record<string, unknown>;

/** The input with its value-carrying fields marshalled (an item call, or one operation of a transaction). */
export function marshalled(input: object): Plain {
  const out: Plain = { ...(input as Plain) };
  for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    if (field in out && out[field] !== undefined) out[field] = toWire(out[field] as Plain);
  }
  return out;
}

const item = (wired: unknown): Item | undefined => (wired ? fromWire(wired as Wired) : undefined);

export async function getItem(doc: DynamoDoc, input: GetCommandInput): Promise<{ Item?: Item }> {
  const out = await wireFor(doc).call('GetItem', marshalled(input));
  return { Item: item(out.Item) };
}

/** A single-item write; what ReturnValues asked for comes back as Attributes. */
const itemWrite =
  <I extends object>(operation: 'PutItem' | 'UpdateItem' | 'DeleteItem') =>
  async (doc: DynamoDoc, input: I): Promise<{ Attributes?: Item }> => {
    const out = await wireFor(doc).call(operation, marshalled(input));
    return { Attributes: item(out.Attributes) };
  };

export const putItem = itemWrite<PutCommandInput>('PutItem');
export const updateItem = itemWrite<UpdateCommandInput>('UpdateItem');
export const deleteItem = itemWrite<DeleteCommandInput>('DeleteItem');

export interface Page {
  Items: Item[];
  LastEvaluatedKey?: Item;
}

/** One page of a Query or a Scan. */
const page =
  <I extends object>(operation: 'Query' | 'Scan') =>
  async (doc: DynamoDoc, input: I): Promise<Page> => {
    const out = await wireFor(doc).call<{ Items?: Wired[]; LastEvaluatedKey?: Wired }>(operation, marshalled(input));
    return { Items: (out.Items ?? []).map(fromWire), ...(out.LastEvaluatedKey && { LastEvaluatedKey: fromWire(out.LastEvaluatedKey) }) };
  };

export const queryPage = page<QueryCommandInput>('Query');
export const scanPage = page<ScanCommandInput>('Scan');

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>;

/** One BatchWriteItem; what DynamoDB left unprocessed comes back in plain values, ready to resend. */
export async function batchWrite(doc: DynamoDoc, requestItems: WriteRequests): Promise<{ UnprocessedItems: WriteRequests }> {
  const wired = (requests: WriteRequests, convert: (p: Plain) => Plain): WriteRequests =>
    Object.fromEntries(
      Object.entries(requests).map(([table, list]) => [
        table,
        list.map((r) => (r.PutRequest ? { PutRequest: { Item: convert(r.PutRequest.Item as Plain) } } : { DeleteRequest: { Key: convert(r.DeleteRequest!.Key as Plain) } })),
      ]),
    );
  const out = await wireFor(doc).call<{ UnprocessedItems?: WriteRequests }>('BatchWriteItem', { RequestItems: wired(requestItems, toWire) });
  return { UnprocessedItems: wired(out.UnprocessedItems ?? {}, (w) => fromWire(w as Wired)) };
}
