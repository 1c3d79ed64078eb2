/**
 * App passwords: generation and hashing, in the formats stored on UserRecord.passwordHash.
 *
 * - `sha256$saltB64$hashB64`: for app passwords the server generated (~79 random bits). No
 *   attacker holding the table can search 2^79 candidates per user, so a slow hash buys nothing
 *   and would cost every request (iOS sends the password with each one) a scrypt.
 * - `scrypt$N$r$p$saltB64$hashB64`: for a password someone chose (the CRM API's `password`),
 *   whose entropy nobody knows.
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse stored parameters that would let a tampered record burn CPU/memory per request. */
const MAX_N = 1 << 20;

interface CostParams {
  N: number;
  r: number;
  p: number;
}

function deriveKey(password: string, salt: Buffer, keyLength: number, { N, r, p }: CostParams): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; Node's default cap (32 MiB) would reject larger stored costs.
  const maxmem = 256 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `cost` is for tests only: verification reads the parameters back from the stored hash. */
export async function hashPassword(password: string, cost: CostParams = PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

const sha256 = (salt: Buffer, password: string) => createHash('sha256').update(salt).update(password.normalize('NFC')).digest();

/** For a password generateAppPassword made, never for one a person chose (see the top). */
export function hashGeneratedPassword(password: string): string {
  const salt = randomBytes(SALT_BYTES);
  return ['sha256', salt.toString('base64'), sha256(salt, password).toString('base64')].join('$');
}

/** Whether verifying against `stored` is cheap enough to need no cache. */
export const isFastHash = (stored: string) => stored.startsWith('sha256$');

/** False for a wrong password and for a hash that is not in one of our formats. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length === 3 && parts[0] === 'sha256') {
    const expected = Buffer.from(parts[2], 'base64');
    const actual = sha256(Buffer.from(parts[1], 'base64'), password);
    return expected.length === actual.length && timingSafeEqual(actual, expected);
  }
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > MAX_N || r < 1 || p < 1 || expected.length === 0) {
    return false;
  }
  const actual = await deriveKey(password, salt, expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** No 0/o, 1/l/i: read aloud or typed on a phone without confusion. Lower case: iOS does not auto-capitalise it. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** 16 characters from a 31-letter alphabet (~79 bits) shown as `xxxx-xxxx-xxxx-xxxx`. */
export function generateAppPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}
