/**
 * Event and person versions over HTTP: the ETag is the quoted Modified_Time, and If-Match takes
 * it quoted or bare (W/ tolerated), `*`, or a list. A mismatch is a 409, as the API promises.
 */
import { ApiError } from '../api/errors';

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
