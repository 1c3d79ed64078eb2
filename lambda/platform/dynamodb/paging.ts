/**
 * Query and Scan pages and whole results, over the lean wire (wire.ts): queries run on every
 * listing and incremental sync.
 */
import type { QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryPage, scanPage, type Item, type Page } from './document';
import type { DynamoDoc } from './wire';

export { queryPage, type Item };

/** Every page's items, from `start` on. */
async function allPages(page: (start: Item | undefined) => Promise<Page>, start: Item | undefined): Promise<Item[]> {
  const items: Item[] = [];
  do {
    const next = await page(start);
    items.push(...next.Items);
    start = next.LastEvaluatedKey;
  } while (start);
  return items;
}

export const queryAll = (doc: DynamoDoc, input: QueryCommandInput): Promise<Item[]> =>
  allPages((start) => queryPage(doc, { ...input, ExclusiveStartKey: start }), input.ExclusiveStartKey);

export const scanAll = (doc: DynamoDoc, input: ScanCommandInput): Promise<Item[]> =>
  allPages((start) => scanPage(doc, { ...input, ExclusiveStartKey: start }), input.ExclusiveStartKey);
