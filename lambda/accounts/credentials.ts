/**
 * Who is asking: HTTP Basic credentials (RFC 7617) checked against the UserStore, for every door
 * (CalDAV and the CRM REST API) alike. Knows nothing of DAV or of HTTP responses: each door turns
 * a refusal into its own 401.
 *
 * iOS fires a burst of requests per sync, each carrying the password. Generated app passwords
 * have a fast hash (accounts/passwords.ts) checked on every request; a chosen password's scrypt
 * costs tens of milliseconds, so its successful verifications are remembered per container. The
 * cache key includes the stored hash, so a password reset invalidates it; the user record (and
 * so the enabled flag) is read on every request, so `user disable` takes effect at once. The
 * verifications that run scrypt are counted per account (guesses.ts): past the limit, a chosen
 * password is refused unchecked until its window ends.
 */
import { createHash } from 'node:crypto';
import type { UserRecord, UserStore } from '../store/types';
import type { GuessStore } from './guesses';
import { generateAppPassword, hashGeneratedPassword, isFastHash, verifyPassword } from './passwords';

export const REALM = 'crm-caldav';
/** The challenge both doors send with a 401. */
export const WWW_AUTHENTICATE = `Basic realm="${REALM}", charset="UTF-8"`;

export interface BasicCredentials {
  /** As sent, trimmed; compare lower-cased. */
  username: string;
  password: string;
}

/** Null when the header is absent or not well-formed Basic credentials. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon).trim(), password: decoded.slice(colon + 1) };
}

const CACHE_LIMIT = 1000;
const verified = new Set<string>();

/** For tests: forget every cached verification. */
export function clearAuthCache(): void {
  verified.clear();
}

const cacheKey = (email: string, password: string, passwordHash: string) =>
  [email, createHash('sha256').update(password).digest('hex'), passwordHash].join('\0');

function remember(key: string): void {
  if (verified.size >= CACHE_LIMIT) {
    const oldest = verified.values().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.add(key);
}

/**
 * A hash of a random app password: verifying against it when the user is unknown makes a miss
 * cost as much as a wrong app password, so response times do not reveal which accounts exist.
 */
const decoyHash = hashGeneratedPassword(generateAppPassword());
async function burnDecoy(password: string): Promise<void> {
  await verifyPassword(password, decoyHash);
}

export type CredentialCheck =
  | { ok: true; email: string }
  | { ok: false; reason: 'missing' | 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * `missing`: no well-formed Basic credentials; `invalid`: unknown or disabled user, or a wrong
 * password; `throttled`: too many tries of the account's chosen password lately (`guesses`).
 */
export async function checkBasicAuth(authorization: string | undefined, users: UserStore, guesses?: GuessStore, now: () => Date = () => new Date()): Promise<CredentialCheck> {
  const creds = parseBasicAuth(authorization);
  if (!creds) return { ok: false, reason: 'missing' };
  const email = creds.username.toLowerCase();

  const user = await users.getUser(email);
  if (!user || !user.enabled) {
    await burnDecoy(creds.password);
    return { ok: false, reason: 'invalid' };
  }

  if (isFastHash(user.passwordHash)) {
    if (!(await verifyPassword(creds.password, user.passwordHash))) return { ok: false, reason: 'invalid' };
    return { ok: true, email: user.email.toLowerCase() };
  }
  const key = cacheKey(email, creds.password, user.passwordHash);
  if (verified.has(key)) return { ok: true, email: user.email.toLowerCase() };
  // A client's burst on a cold container sends the same credentials at once: one scrypt, one try counted.
  let checking = inFlight.get(key);
  if (!checking) {
    checking = slowCheck(user, creds.password, key, guesses, now).finally(() => inFlight.delete(key));
    inFlight.set(key, checking);
  }
  return checking;
}

const inFlight = new Map<string, Promise<CredentialCheck>>();

/** A chosen password's scrypt, counted as a try first (guesses.ts) and cleared when it matches. */
async function slowCheck(user: UserRecord, password: string, key: string, guesses: GuessStore | undefined, now: () => Date): Promise<CredentialCheck> {
  const at = now();
  const email = user.email.toLowerCase();
  // Counted per stored password: a reset starts the new one uncounted.
  const of = { email, password: createHash('sha256').update(user.passwordHash).digest('hex').slice(0, 16) };
  const tried = await guesses?.count(of, at);
  if (tried && !tried.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((tried.until.getTime() - at.getTime()) / 1000)) };
  if (!(await verifyPassword(password, user.passwordHash))) return { ok: false, reason: 'invalid' };
  remember(key);
  await guesses?.clear(of);
  return { ok: true, email };
}

/** Whether an address is a calendar user here (an enabled account): whom scheduling delivers to. */
export const calendarUserCheck = (users: UserStore) => async (email: string): Promise<boolean> => (await users.getUser(email))?.enabled === true;
