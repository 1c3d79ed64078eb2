/** Backoff and DynamoDB error inspection shared by the write paths. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../types';

/** Full-jitter exponential backoff: spreads colliding writers apart instead of in lockstep. */
export function backoff(attempt: number, baseMs = 10, capMs = 250): Promise<void> {
  const ms = Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Cancellation codes of a cancelled transaction, one per TransactItem in request order
 * ('None' for items that did not fail), or null when `err` is not a cancellation.
 */
export function cancellationCodes(err: unknown): string[] | null {
  if (!(err instanceof TransactionCanceledException) && !isNamed(err, 'TransactionCanceledException')) {
    return null;
  }
  const reasons = (err as TransactionCanceledException).CancellationReasons;
  if (reasons) return reasons.map((r) => r.Code ?? 'None');
  // Engines that only put the reasons in the message: "... reasons [None, ConditionalCheckFailed]".
  const listed = /\[([^\]]*)\]/.exec(String((err as Error).message))?.[1];
  return listed ? listed.split(',').map((s) => s.trim()) : [];
}

/** Reasons for which re-reading the calendar and trying again can succeed. */
export const RETRYABLE_CANCELLATIONS = new Set([
  'ConditionalCheckFailed',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

export function isNamed(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/** A conditional write's outcome: false when its condition failed, any other error thrown. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isNamed(err, 'ConditionalCheckFailedException')) return false;
    throw err;
  }
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** BatchWriteItem's limit on requests per call. */
export const BATCH_WRITE_MAX = 25;

/**
 * Every request, 25 per BatchWriteItem, re-sending what DynamoDB left unprocessed (throttling)
 * with backoff; a StoreError naming `what` when some stay unprocessed.
 */
export async function batchWriteAll(doc: DynamoDBDocumentClient, table: string, all: WriteRequest[], what: string, maxAttempts = 10): Promise<void> {
  for (let i = 0; i < all.length; i += BATCH_WRITE_MAX) {
    let requests = all.slice(i, i + BATCH_WRITE_MAX);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new StoreError(`${what}: ${requests.length} item(s) still unprocessed after ${attempt} attempts; run it again`);
      if (attempt > 0) await backoff(attempt, 50, 2000);
      const { UnprocessedItems } = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (UnprocessedItems?.[table] ?? []) as WriteRequest[];
    }
  }
}
