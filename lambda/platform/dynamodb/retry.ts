/**
 * Backoff, DynamoDB error inspection and the retry loops every DynamoDB adapter shares (the
 * calendar store, the built-in CRM, the job, outbox and account stores): declared once here.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from './document';
import type { DynamoDoc } from './wire';

/** One operation of a TransactWriteItems call. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A batch call kept leaving work unprocessed (throttling): nothing is known to be wrong with the data. */
export class DynamoIncomplete extends Error {
  override name = 'DynamoIncomplete';
}

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
  if (!isNamed(err, 'TransactionCanceledException')) return null;
  const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  if (reasons) return reasons.map((r) => r.Code ?? 'None');
  // Engines that only put the reasons in the message: "... reasons [None, ConditionalCheckFailed]".
  const listed = /\[([^\]]*)\]/.exec(String((err as Error).message))?.[1];
  return listed ? listed.split(',').map((s) => s.trim()) : [];
}

/** Reasons for which re-reading and trying again can succeed. */
export const RETRYABLE_CANCELLATIONS = new Set([
  'ConditionalCheckFailed',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/** A cancellation whose failed items all carry retryable codes: a concurrent writer won the race. */
export function lostRace(err: unknown): boolean {
  const failed = cancellationCodes(err)?.filter((c) => c !== 'None') ?? [];
  return failed.length > 0 && failed.every((c) => RETRYABLE_CANCELLATIONS.has(c));
}

export function isNamed(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/** A single-item write refused by its ConditionExpression. */
export const conditionFailed = (err: unknown) => isNamed(err, 'ConditionalCheckFailedException');

/** Bound on re-reads after losing a race; with jittered backoff, enough for dozens of writers. */
export const MAX_RACE_ATTEMPTS = 20;

export interface RaceRetry {
  /** Which failures are a lost race worth another round (default lostRace). */
  retryable?: (err: unknown) => boolean;
  /** The error thrown once the rounds or the time allowed were used up. */
  exhausted: (err: unknown) => Error;
  /** Rounds allowed; MAX_RACE_ATTEMPTS by default. */
  maxAttempts?: number;
  /** Time allowed for all rounds, from the first; unbounded by default. */
  budgetMs?: number;
  /**
   * Epoch ms by which the rounds must be over: no round starts that its predecessor's duration
   * says would end after it. Unbounded by default.
   */
  deadline?: number;
  /** The backoff's ceiling: a wait is drawn from [0, min(capMs, 10 ms × 2^round)). 250 by default. */
  capMs?: number;
  /**
   * Raises the ceiling to this many times the last round's own duration: when rounds are slow
   * (a loaded engine), colliding writers must spread over a longer time to stop colliding.
   */
  spread?: number;
}

/**
 * Runs `attempt` (read, decide, one conditional transaction) until it commits. A lost race means
 * a concurrent writer got in between the reads and the write: the next round re-reads and decides
 * again, so domain errors (conflict, not found) are raised on fresh reads.
 */
export async function retryOnRace<T>(attempt: () => Promise<T>, opts: RaceRetry): Promise<T> {
  const retryable = opts.retryable ?? lostRace;
  const maxAttempts = opts.maxAttempts ?? MAX_RACE_ATTEMPTS;
  const budgetEnd = opts.budgetMs === undefined ? Infinity : Date.now() + opts.budgetMs;
  const roundsEnd = opts.deadline ?? Infinity;
  for (let n = 0; ; n++) {
    const started = Date.now();
    try {
      return await attempt();
    } catch (err) {
      if (!retryable(err)) throw err;
      const now = Date.now();
      const round = now - started;
      if (n + 1 >= maxAttempts || now >= budgetEnd || now + round >= roundsEnd) throw opts.exhausted(err);
      const cap = Math.max(opts.capMs ?? 250, (opts.spread ?? 0) * round);
      await backoff(n, 10, Math.min(cap, Math.max(0, Math.min(budgetEnd - now, roundsEnd - now - round))));
    }
  }
}

/** A conditional write's outcome: false when its condition failed, any other error thrown. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (conditionFailed(err)) return false;
    throw err;
  }
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** BatchWriteItem's limit on requests per call. */
export const BATCH_WRITE_MAX = 25;

/**
 * Every request, 25 per BatchWriteItem, re-sending what DynamoDB left unprocessed (throttling)
 * with backoff; DynamoIncomplete naming `what` when some stay unprocessed.
 */
export async function batchWriteAll(doc: DynamoDoc, table: string, all: WriteRequest[], what: string, maxAttempts = 10): Promise<void> {
  for (let i = 0; i < all.length; i += BATCH_WRITE_MAX) {
    let requests = all.slice(i, i + BATCH_WRITE_MAX);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new DynamoIncomplete(`${what}: ${requests.length} item(s) still unprocessed after ${attempt} attempts; run it again`);
      if (attempt > 0) await backoff(attempt, 50, 2000);
      const { UnprocessedItems } = await batchWrite(doc, { [table]: requests });
      requests = (UnprocessedItems?.[table] ?? []) as WriteRequest[];
    }
  }
}
