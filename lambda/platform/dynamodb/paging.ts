/**
 * Query and Scan pages and whole results, over the lean wire (wire.ts): queries run on every
 * listing and incremental sync.
 */
import type { QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { scanPage } from './document';
import { fromWire, toWire, type Wired } from './wire-values';
import { wireFor, type DynamoDoc } from './wire';

export type Item = Record<string, unknown>;

export interface QueryPage {
  Items: Item[];
  LastEvaluatedKey?: Item;
}

/** One page of a Query, in the document client's terms (plain values in and out). */
export async function queryPage(doc: DynamoDoc, input: QueryCommandInput): Promise<QueryPage> {
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

export async function queryAll(doc: DynamoDoc, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start = input.ExclusiveStartKey;
  do {
    const page = await queryPage(doc, { ...input, ExclusiveStartKey: start });
    items.push(...page.Items);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function scanAll(doc: DynamoDoc, input: ScanCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start = input.ExclusiveStartKey;
  do {
    const page = await scanPage(doc, { ...input, ExclusiveStartKey: start });
    items.push(...page.Items);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
