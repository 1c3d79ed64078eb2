/**
 * Query pages and whole results. Queries run on every listing and incremental sync, so they go
 * over the lean wire (wire.ts) with util-dynamodb's marshalling; Scan (admin tools only) keeps
 * lib-dynamodb's paginator.
 */
import { paginateScan, type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { fromWire, toWire, type Wired } from './wire-values';
import { wireFor } from './wire';

export type Item = Record<string, unknown>;

export interface QueryPage {
  Items: Item[];
  LastEvaluatedKey?: Item;
}

/** One page of a Query, in the document client's terms (plain values in and out). */
export async function queryPage(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<QueryPage> {
  const { ExpressionAttributeValues, ExclusiveStartKey, ...rest } = input;
  const out = await wireFor(doc).call<{ Items?: Wired[]; LastEvaluatedKey?: Wired }>('Query', {
    ...rest,
    ...(ExpressionAttributeValues && { ExpressionAttributeValues: toWire(ExpressionAttributeValues) }),
    ...(ExclusiveStartKey && { ExclusiveStartKey: toWire(ExclusiveStartKey) }),
  });
  return {
    Items: (out.Items ?? []).map(fromWire),
    ...(out.LastEvaluatedKey && { LastEvaluatedKey: fromWire(out.LastEvaluatedKey) }),
  };
}

export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start = input.ExclusiveStartKey;
  do {
    const page = await queryPage(doc, { ...input, ExclusiveStartKey: start });
    items.push(...page.Items);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function scanAll(doc: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client: doc }, input)) items.push(...(page.Items ?? []));
  return items;
}
