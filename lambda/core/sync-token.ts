/**
 * Sync tokens (RFC 6578) and ctags are the calendar's sequence number wrapped in a URI.
 * Only this module knows the format.
 */
const PREFIX = 'urn:crm-caldav:sync:';

export const formatSyncToken = (seq: number) => `${PREFIX}${seq}`;

/** The sequence number in a token we issued, or null for anything else. */
export function parseSyncToken(token: string): number | null {
  if (!token.startsWith(PREFIX)) return null;
  const rest = token.slice(PREFIX.length);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

export const formatCtag = (seq: number) => `"${seq}"`;
