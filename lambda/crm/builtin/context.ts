/** What every built-in CRM operation needs, and the retry loop its transactions share. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyReader } from '../../store/dynamodb/key-reader';
import { backoff, cancellationCodes } from '../../store/dynamodb/retry';
import type { UserStore } from '../../store/types';
import { CrmUnavailable } from '../types';

export interface CrmContext {
  doc: DynamoDBDocumentClient;
  /** Key reads started together (a record, the UID index, the feed counter, the owner) share one BatchGetItem. */
  reader: KeyReader;
  table: string;
  /** Users live in the CalDAV users table; the CRM reads them through the same port. */
  users: UserStore;
  now: () => Date;
}

/** Bound on re-reads after losing a race; with jittered backoff, enough for dozens of writers. */
const MAX_ATTEMPTS = 20;

/**
 * Runs `attempt` (read, decide, one conditional transaction) until it commits. A cancelled
 * transaction means a concurrent writer got in between our read and our write: the next round
 * re-reads and decides again, so domain errors (conflict, not found) are raised on fresh reads.
 */
export async function retryOnRace<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (cancellationCodes(err) === null) throw err;
      if (n + 1 >= MAX_ATTEMPTS) throw new CrmUnavailable(`${what}: too many concurrent writes, try again`, err);
      await backoff(n);
    }
  }
}

/** Strictly after `previous`, so Modified_Time works as a version even within one millisecond. */
export function nextModifiedTime(now: Date, previous?: string): string {
  let t = now.getTime();
  const prev = previous ? Date.parse(previous) : NaN;
  if (Number.isFinite(prev) && prev >= t) t = prev + 1;
  return new Date(t).toISOString();
}
