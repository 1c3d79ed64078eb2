/** What every built-in CRM operation needs, and the retry loop its transactions share. */
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import type { KeyReader } from '../../platform/dynamodb/key-reader';
import { retryOnRace as retryOnRaceLoop } from '../../platform/dynamodb/retry';
import type { UserStore } from '../../store/types';
import { CrmError, CrmUnavailable } from '../types';

export interface CrmContext {
  doc: DynamoDoc;
  /** Key reads started together (a record, the UID index, the feed counter, the owner) share one BatchGetItem. */
  reader: KeyReader;
  table: string;
  /** Users live in the CalDAV users table; the CRM reads them through the same port. */
  users: UserStore;
  now: () => Date;
}

/** A transaction of a built-in CRM write, re-run on lost races (platform/dynamodb/retry.ts); CrmUnavailable when it keeps losing. */
export const retryOnRace = <T>(what: string, attempt: () => Promise<T>): Promise<T> =>
  retryOnRaceLoop(attempt, { exhausted: (err) => new CrmUnavailable(`${what}: too many concurrent writes, try again`, err) });

/** Strictly after `previous`, so Modified_Time works as a version even within one millisecond. */
export function nextModifiedTime(now: Date, previous?: string): string {
  let t = now.getTime();
  const prev = previous ? Date.parse(previous) : NaN;
  if (Number.isFinite(prev) && prev >= t) t = prev + 1;
  return new Date(t).toISOString();
}

/** Domain errors pass through; anything else (network, throttling, SDK) becomes CrmUnavailable. */
export async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CrmError) throw err;
    throw new CrmUnavailable(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
