/**
 * Event and person versions over HTTP: the ETag is the quoted Modified_Time, and If-Match takes
 * it quoted or bare (W/ tolerated), `*`, or a list. A mismatch is a 409, as the API promises.
 */
import { ApiError } from '../api/errors';
import { CrmConflict } from '../crm/types';

export const etagOf = (modifiedTime: string) => `"${modifiedTime}"`;

/** The Modified_Time the client requires, `*` for "any existing", or undefined without If-Match. */
export function ifMatchOf(headers: Record<string, string>): string[] | undefined {
  const raw = headers['if-match'];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((v) => v.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
}

export function checkIfMatch(wanted: string[] | undefined, current: { Modified_Time: string }): void {
  if (!wanted || wanted.includes('*') || wanted.includes(current.Modified_Time)) return;
  throw new ApiError(409, 'CONFLICT', `The record changed: its version is now ${current.Modified_Time}`, undefined, { etag: etagOf(current.Modified_Time) });
}

/** The single version to hand the connector as ifModified, when the client named exactly one. */
export const exactVersion = (wanted: string[] | undefined) => (wanted && wanted.length === 1 && wanted[0] !== '*' ? wanted[0] : undefined);

/** A write lost to a concurrent one is read again and retried this many times. */
const RACE_RETRIES = 3;

/**
 * Runs an optimistic read-check-write until it is not raced: a conflict is retried on a fresh read
 * unless the client named the version it wants (then, or after RACE_RETRIES, a 409 with the current
 * ETag). `what` names the record for the message ("event", "task").
 */
export async function untilNotRaced<T>(wanted: string[] | undefined, what: string, attemptOnce: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce();
    } catch (err) {
      if (!(err instanceof CrmConflict)) throw err;
      if (exactVersion(wanted) || attempt >= RACE_RETRIES) {
        const headers: Record<string, string> = err.current ? { etag: etagOf(err.current.Modified_Time) } : {};
        throw new ApiError(409, 'CONFLICT', `The ${what} changed since it was read; fetch it and try again`, undefined, headers);
      }
    }
  }
}
