/**
 * Strong ETags derived from the stored bytes: equal bytes give equal tags on every node and
 * after every restore, so no counter or clock has to be kept in step with the data.
 */
import { createHash } from 'node:crypto';

/** `"<base64url SHA-256 of the UTF-8 bytes>"`, quoted as an HTTP entity-tag (RFC 7232 §2.3). */
export function etagFor(ics: string): string {
  return `"${createHash('sha256').update(ics, 'utf8').digest('base64url')}"`;
}
