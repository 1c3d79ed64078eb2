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
  ScanCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { wireFor, type DynamoDoc } from './wire';
import { fromWire, toWire, type Plain, type Wired } from './wire-values';

export type Item = Record<string, unknown>;

/** The input with its value-carrying fields marshalled. */
function marshalled(input: object): Plain {
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

export async function putItem(doc: DynamoDoc, input: PutCommandInput): Promise<{ Attributes?: Item }> {
  const out = await wireFor(doc).call('PutItem', marshalled(input));
  return { Attributes: item(out.Attributes) };
}

export async function updateItem(doc: DynamoDoc, input: UpdateCommandInput): Promise<{ Attributes?: Item }> {
  const out = await wireFor(doc).call('UpdateItem', marshalled(input));
  return { Attributes: item(out.Attributes) };
}

export async function deleteItem(doc: DynamoDoc, input: DeleteCommandInput): Promise<{ Attributes?: Item }> {
  const out = await wireFor(doc).call('DeleteItem', marshalled(input));
  return { Attributes: item(out.Attributes) };
}

export async function scanPage(doc: DynamoDoc, input: ScanCommandInput): Promise<{ Items: Item[]; LastEvaluatedKey?: Item }> {
  const out = await wireFor(doc).call<{ Items?: Wired[]; LastEvaluatedKey?: Wired }>('Scan', marshalled(input));
  return { Items: (out.Items ?? []).map(fromWire), ...(out.LastEvaluatedKey && { LastEvaluatedKey: fromWire(out.LastEvaluatedKey) }) };
}

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
