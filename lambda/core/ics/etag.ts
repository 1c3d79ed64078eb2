/**
 * Strong ETags derived from the stored bytes: equal bytes give equal tags on every node and
 * after every restore, so no counter or clock has to be kept in step with the data.
 */
import { createHash } from 'node:crypto';

/**
 * `"<base64url of the first 128 bits of the SHA-256 of the UTF-8 bytes>"`, quoted as an HTTP
 * entity-tag (RFC 7232 §2.3). 128 bits keep tags of different texts apart as well as any
 * server's (sabre/dav's are MD5) and make the listing index's items small (store/dynamodb/items.ts).
 * Tags stored before, of the full 256 bits, stay as they are: a tag is opaque to clients.
 */
export function etagFor(ics: string): string {
  return `"${createHash('sha256').update(ics, 'utf8').digest().subarray(0, 16).toString('base64url')}"`;
}
