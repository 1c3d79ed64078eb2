import { beforeEach, describe, expect, it, vi } from 'vitest';

// Spy on the comparison actually used for password hashes.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

import { timingSafeEqual } from 'node:crypto';
import { DavError } from '../../lambda/core/errors';
import { authenticate } from '../../lambda/http/auth';
import { generateAppPassword, hashGeneratedPassword, hashPassword, verifyPassword } from '../../lambda/accounts/passwords';
import { WWW_AUTHENTICATE, clearAuthCache, parseBasicAuth } from '../../lambda/accounts/credentials';
import { GUESS_LIMIT, GUESS_WINDOW_MS, MemoryGuessStore, type GuessStore } from '../../lambda/accounts/guesses';
import { MemoryUserStore } from '../../lambda/store/memory';
import type { UserRecord } from '../../lambda/store/types';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function rejection(promise: Promise<unknown>): Promise<DavError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DavError);
  return err as DavError;
}

// scrypt is deliberately slow: one cheap hash for the whole file (a hash carries its own cost).
const FAST = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const HASH = hashPassword(PASSWORD, FAST);

async function storeWith(overrides: Partial<UserRecord> = {}) {
  const users = new MemoryUserStore();
  await users.putUser({
    email: 'ana@example.com',
    passwordHash: await HASH,
    enabled: true,
    createdAt: '2025-01-01T00:00:00Z',
    ...overrides,
  });
  return users;
}

beforeEach(() => {
  clearAuthCache();
  vi.mocked(timingSafeEqual).mockClear();
});

describe('parseBasicAuth', () => {
  it('splits at the first colon and decodes UTF-8', () => {
    expect(parseBasicAuth(basic('Ana@Example.com', 'pä:ss'))).toEqual({ username: 'Ana@Example.com', password: 'pä:ss' });
    expect(parseBasicAuth(`basic   ${Buffer.from('a:b').toString('base64')}`)).toEqual({ username: 'a', password: 'b' });
  });

  it('rejects other schemes and malformed values', () => {
    expect(parseBasicAuth(undefined)).toBeNull();
    expect(parseBasicAuth('Bearer abc')).toBeNull();
    expect(parseBasicAuth(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuth(`Basic ${Buffer.from(':password-only').toString('base64')}`)).toBeNull();
  });
});

describe('passwords', () => {
  it('hashes in the scrypt$N$r$p$salt$hash format and verifies with a constant-time compare', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    expect(await verifyPassword('wrong', await HASH)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('refuses malformed hashes and absurd cost parameters', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$c2FsdA==$aGFzaA==')).toBe(false);
  });

  it('hashes a generated app password with salted SHA-256 (sha256$salt$hash), fast, constant-time compared', async () => {
    const password = generateAppPassword();
    const hash = hashGeneratedPassword(password);
    expect(hash).toMatch(/^sha256\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(hashGeneratedPassword(password)).not.toBe(hash);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password}x`, hash)).toBe(false);
    expect(await verifyPassword(password, 'sha256$c2FsdA==$aGFzaA==')).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('generates readable, unambiguous, random app passwords', () => {
    const a = generateAppPassword();
    expect(a).toMatch(/^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);
    expect(generateAppPassword()).not.toBe(a);
  });
});

describe('authenticate', () => {
  it('returns the lower-cased principal for valid credentials, whatever the case of the user name', async () => {
    const users = await storeWith();
    expect(await authenticate(basic('Ana@Example.COM', PASSWORD), users)).toEqual({ email: 'ana@example.com' });
  });

  it('answers 401 with the Basic challenge when credentials are missing', async () => {
    const err = await rejection(authenticate(undefined, await storeWith()));
    expect(err.status).toBe(401);
    expect(err.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
    expect(WWW_AUTHENTICATE).toBe('Basic realm="crm-caldav", charset="UTF-8"');
  });

  it('answers 401 for a wrong password and an unknown user', async () => {
    const users = await storeWith();
    expect((await rejection(authenticate(basic('ana@example.com', 'nope'), users))).status).toBe(401);
    expect((await rejection(authenticate(basic('bob@example.com', PASSWORD), users))).status).toBe(401);
  });

  it('answers 401 for a disabled user', async () => {
    const users = await storeWith({ enabled: false });
    const err = await rejection(authenticate(basic('ana@example.com', PASSWORD), users));
    expect(err.status).toBe(401);
    expect(err.headers['www-authenticate']).toBe(WWW_AUTHENTICATE);
  });

  it('caches a success (no second scrypt) but re-reads the enabled flag every time', async () => {
    const users = await storeWith();
    await authenticate(basic('ana@example.com', PASSWORD), users);
    await authenticate(basic('ana@example.com', PASSWORD), users);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);

    const user = (await users.getUser('ana@example.com'))!;
    await users.putUser({ ...user, enabled: false });
    expect((await rejection(authenticate(basic('ana@example.com', PASSWORD), users))).status).toBe(401);
  });

  it('does not let a cached success outlive a password reset', async () => {
    const users = await storeWith();
    await authenticate(basic('ana@example.com', PASSWORD), users);
    const user = (await users.getUser('ana@example.com'))!;
    await users.putUser({ ...user, passwordHash: await hashPassword('new-password', FAST) });
    expect((await rejection(authenticate(basic('ana@example.com', PASSWORD), users))).status).toBe(401);
    expect(await authenticate(basic('ana@example.com', 'new-password'), users)).toEqual({ email: 'ana@example.com' });
  });

  it('checks a generated app password on every request, and a reset or a disable takes effect at once', async () => {
    const password = generateAppPassword();
    const users = await storeWith({ passwordHash: hashGeneratedPassword(password) });
    expect(await authenticate(basic('ana@example.com', password), users)).toEqual({ email: 'ana@example.com' });
    expect(await authenticate(basic('ana@example.com', password), users)).toEqual({ email: 'ana@example.com' });
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    const user = (await users.getUser('ana@example.com'))!;
    await users.putUser({ ...user, passwordHash: hashGeneratedPassword(generateAppPassword()) });
    expect((await rejection(authenticate(basic('ana@example.com', password), users))).status).toBe(401);
  });

  it('never caches failures', async () => {
    const users = await storeWith();
    await rejection(authenticate(basic('ana@example.com', 'nope'), users));
    await rejection(authenticate(basic('ana@example.com', 'nope'), users));
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });
});

describe('authenticate, with tries of chosen passwords counted', () => {
  const wrongTimes = async (users: MemoryUserStore, guesses: MemoryGuessStore, n: number, password = 'wrong-password') => {
    for (let i = 0; i < n; i++) expect((await rejection(authenticate(basic('ana@example.com', password), users, guesses))).status).toBe(401);
  };

  it(`refuses a chosen password unchecked after ${GUESS_LIMIT} tries, with 429 and Retry-After, even the right one`, async () => {
    const users = await storeWith();
    const guesses = new MemoryGuessStore();
    await wrongTimes(users, guesses, GUESS_LIMIT);
    vi.mocked(timingSafeEqual).mockClear();
    const refused = await rejection(authenticate(basic('ana@example.com', PASSWORD), users, guesses));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(GUESS_WINDOW_MS / 1000);
    // Refused without a scrypt: nothing was compared.
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });

  it('clears the count with a success, and keeps accepting a password this container verified', async () => {
    const users = await storeWith();
    const guesses = new MemoryGuessStore();
    await wrongTimes(users, guesses, GUESS_LIMIT - 1);
    expect(await authenticate(basic('ana@example.com', PASSWORD), users, guesses)).toEqual({ email: 'ana@example.com' });
    await wrongTimes(users, guesses, GUESS_LIMIT);
    expect((await rejection(authenticate(basic('ana@example.com', 'another-guess'), users, guesses))).status).toBe(429);
    // The owner's client, verified before, goes on working while the guesser is held off.
    expect(await authenticate(basic('ana@example.com', PASSWORD), users, guesses)).toEqual({ email: 'ana@example.com' });
  });

  it('lets a new password in at once where the old one is held off (an admin resetting a user who forgot it)', async () => {
    const users = await storeWith();
    const guesses = new MemoryGuessStore();
    await wrongTimes(users, guesses, GUESS_LIMIT);
    const user = (await users.getUser('ana@example.com'))!;
    await users.putUser({ ...user, passwordHash: await hashPassword('a-brand-new-password', FAST) });
    expect(await authenticate(basic('ana@example.com', 'a-brand-new-password'), users, guesses)).toEqual({ email: 'ana@example.com' });
  });

  it('checks a burst of the same credentials once: one scrypt, one try, every request let in', async () => {
    const users = await storeWith();
    const memory = new MemoryGuessStore();
    let counted = 0;
    const guesses: GuessStore = { count: (of, at) => (counted++, memory.count(of, at)), clear: (of) => memory.clear(of) };
    const burst = await Promise.all(Array.from({ length: GUESS_LIMIT + 5 }, () => authenticate(basic('ana@example.com', PASSWORD), users, guesses)));
    expect(burst.every((p) => p.email === 'ana@example.com')).toBe(true);
    expect(counted).toBe(1);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('never counts generated app passwords (no guesser can lock a phone out) nor unknown accounts', async () => {
    const appPassword = generateAppPassword();
    const users = await storeWith({ passwordHash: hashGeneratedPassword(appPassword) });
    const guesses = new MemoryGuessStore();
    await wrongTimes(users, guesses, GUESS_LIMIT * 2);
    expect(await authenticate(basic('ana@example.com', appPassword), users, guesses)).toEqual({ email: 'ana@example.com' });
    for (let i = 0; i <= GUESS_LIMIT; i++) expect((await rejection(authenticate(basic('nobody@example.com', 'guess'), users, guesses))).status).toBe(401);
  });
});
