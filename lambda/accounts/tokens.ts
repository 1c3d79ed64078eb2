/**
 * Secrets handed to a browser or a phone (console sessions, onboarding links): addressed tokens
 * `<base64url e-mail>.<random secret>`, so the account is found by key and only a hash of the
 * token is ever stored; and comparisons that take the same time whatever the inputs.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A token naming `email`, with `bytes` random bytes. */
export const addressedToken = (email: string, bytes: number) => `${Buffer.from(email.toLowerCase()).toString('base64url')}.${randomBytes(bytes).toString('base64url')}`;

/** The e-mail a token names, or null when it is not one of ours (the caller still checks its hash). */
export function addressOf(token: string): string | null {
  const match = /^([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]{20,100}$/.exec(token);
  if (!match) return null;
  const email = Buffer.from(match[1]!, 'base64url').toString('utf8');
  return email.includes('@') ? email : null;
}

/** What is stored of a token: its SHA-256, base64url. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Equal or not in constant time, whatever either length (both are digested first). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
