/**
 * Sync tokens (RFC 6578) and ctags. A token names its calendar and the calendar's sequence
 * number: `urn:crm-caldav:sync:<calendar>:<seq>`, where <calendar> is a digest of the owner, so
 * a token from another calendar (another account on the same phone, a copied configuration) is
 * an unknown token (DAV:valid-sync-token), never a delta. Only this module knows the format.
 *
 * A token may also carry a listing position (`…:<seq>?after=<name>`), issued when an initial
 * sync was cut short by DAV:limit: the client then holds every object named up to `after` as of
 * `seq`, and nothing named after it.
 */
import { createHash } from 'node:crypto';

const PREFIX = 'urn:crm-caldav:sync:';

/** 12 hex digits of SHA-256 of the lower-cased owner: short, stable, and no e-mail in the token. */
function calendarId(owner: string): string {
  let id = ids.get(owner);
  if (id === undefined) {
    // A container serves few calendars, each several times per request (token read, written, ctag's neighbour).
    if (ids.size >= MAX_IDS) ids.clear();
    id = createHash('sha256').update(owner.toLowerCase()).digest('hex').slice(0, 12);
    ids.set(owner, id);
  }
  return id;
}
const ids = new Map<string, string>();
const MAX_IDS = 1024;

export const formatSyncToken = (owner: string, seq: number) => `${PREFIX}${calendarId(owner)}:${seq}`;

/** The sequence number in a plain token we issued for `owner`'s calendar, or null for anything else. */
export function parseSyncToken(owner: string, token: string): number | null {
  const position = parseSyncPosition(owner, token);
  return position && position.after === null ? position.seq : null;
}

export const formatCtag = (seq: number) => `"${seq}"`;

export interface SyncPosition {
  seq: number;
  /** Last object name listed by an unfinished initial sync; null once the listing is complete. */
  after: string | null;
}

export const formatSyncPosition = (owner: string, { seq, after }: SyncPosition) =>
  after === null ? formatSyncToken(owner, seq) : `${formatSyncToken(owner, seq)}?after=${encodeURIComponent(after)}`;

/** A plain token or a listing position for `owner`'s calendar; null for anything we did not issue for it. */
export function parseSyncPosition(owner: string, token: string): SyncPosition | null {
  const own = `${PREFIX}${calendarId(owner)}:`;
  const m = /^(\d+)(?:\?after=([^?#]*))?$/.exec(token.startsWith(own) ? token.slice(own.length) : '');
  if (!m) return null;
  if (m[2] === undefined) return { seq: Number(m[1]), after: null };
  try {
    return { seq: Number(m[1]), after: decodeURIComponent(m[2]) };
  } catch {
    return null;
  }
}
