/**
 * Sync tokens (RFC 6578) and ctags are the calendar's sequence number wrapped in a URI.
 * Only this module knows the format.
 *
 * A token may also carry a listing position (`…:<seq>?after=<name>`), issued when an initial
 * sync was cut short by DAV:limit: the client then holds every object named up to `after` as of
 * `seq`, and nothing named after it.
 */
const PREFIX = 'urn:crm-caldav:sync:';

export const formatSyncToken = (seq: number) => `${PREFIX}${seq}`;

/** The sequence number in a plain token we issued, or null for anything else. */
export function parseSyncToken(token: string): number | null {
  if (!token.startsWith(PREFIX)) return null;
  const rest = token.slice(PREFIX.length);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

export const formatCtag = (seq: number) => `"${seq}"`;

export interface SyncPosition {
  seq: number;
  /** Last object name listed by an unfinished initial sync; null once the listing is complete. */
  after: string | null;
}

export const formatSyncPosition = ({ seq, after }: SyncPosition) =>
  after === null ? formatSyncToken(seq) : `${formatSyncToken(seq)}?after=${encodeURIComponent(after)}`;

/** A plain token or a listing position; null for anything we did not issue. */
export function parseSyncPosition(token: string): SyncPosition | null {
  const m = /^(\d+)(?:\?after=([^?#]*))?$/.exec(token.startsWith(PREFIX) ? token.slice(PREFIX.length) : '');
  if (!m) return null;
  if (m[2] === undefined) return { seq: Number(m[1]), after: null };
  try {
    return { seq: Number(m[1]), after: decodeURIComponent(m[2]) };
  } catch {
    return null;
  }
}
