/** Backoff and DynamoDB error inspection shared by the write paths. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';




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
