/**
 * Admin accounts and their console sessions. An admin signs in to the console with an e-mail and
 * a generated password (made by `crm-caldav admin add`, shown once; only a salted hash is kept)
 * and gets a session: a random token in an HttpOnly cookie, kept server-side only as its SHA-256
 * beside the account, so deleting the account ends every session at once and a stolen table
 * holds no usable cookie. Each session carries its own CSRF token, which every unsafe request
 * made with the cookie must echo in a header.
 *
 * The cookie value is an addressed token (tokens.ts): the e-mail it names finds the account and
 * the session in one batched read, so checking a request costs one round trip.
 */
import { randomBytes } from 'node:crypto';
import { generateAppPassword, hashGeneratedPassword, verifyPassword } from './passwords';
import { addressOf, addressedToken, sameSecret, tokenHash } from './tokens';

export interface AdminAccount {
  email: string;
  passwordHash: string;
  name?: string;
  createdAt: string;
}

export interface AdminSession {
  email: string;
  /** SHA-256 (base64url) of the cookie's value. */
  tokenHash: string;
  csrf: string;
  createdAt: string;
  /** Epoch seconds; also the item's TTL. */
  expiresAt: number;
}

/** The storage port (DynamoDB: store/dynamodb/admin-store.ts; memory: MemoryAdminStore). */
export interface AdminStore {
  getAccount(email: string): Promise<AdminAccount | null>;
  /** The account and one of its sessions, read together. */
  getAccountAndSession(email: string, tokenHash: string): Promise<{ account: AdminAccount | null; session: AdminSession | null }>;
  putAccount(account: AdminAccount): Promise<void>;
  /** The account and all its sessions; false when there was no account. */
  deleteAccount(email: string): Promise<boolean>;
  listAccounts(): Promise<AdminAccount[]>;
  putSession(session: AdminSession): Promise<void>;
  deleteSession(email: string, tokenHash: string): Promise<void>;
}

/** How long a console sign-in lasts: a working day, then sign in again. */
export const SESSION_SECONDS = 12 * 3600;
export const SESSION_COOKIE = 'crm_admin_session';
/** The header the console echoes its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';


/** Creates or replaces an account with a new generated password, returned once. */
export async function issueAdminPassword(store: AdminStore, email: string, now: Date, name?: string): Promise<{ account: AdminAccount; password: string }> {
  const address = email.toLowerCase();
  const current = await store.getAccount(address);
  const password = generateAppPassword();
  const account: AdminAccount = {
    email: address,
    passwordHash: hashGeneratedPassword(password),
    createdAt: current?.createdAt ?? now.toISOString(),
    ...((name ?? current?.name) !== undefined ? { name: name ?? current?.name } : {}),
  };
  await store.putAccount(account);
  return { account, password };
}

/** Hashed against when the account is unknown, so a miss takes as long as a wrong password. */
const decoyHash = hashGeneratedPassword(generateAppPassword());

export interface SignedIn {
  email: string;
  /** The cookie's value (never stored). */
  cookieValue: string;
  csrf: string;
  expiresAt: number;
}

/** Null for an unknown account or a wrong password (the same answer, the same work). */
export async function signIn(store: AdminStore, email: string, password: string, now: Date): Promise<SignedIn | null> {
  const address = email.trim().toLowerCase();
  const account = await store.getAccount(address);
  const ok = await verifyPassword(password, account?.passwordHash ?? decoyHash);
  if (!account || !ok) return null;
  const cookieValue = addressedToken(address, 32);
  const session: AdminSession = {
    email: address,
    tokenHash: tokenHash(cookieValue),
    csrf: randomBytes(32).toString('base64url'),
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + SESSION_SECONDS,
  };
  await store.putSession(session);
  return { email: address, cookieValue, csrf: session.csrf, expiresAt: session.expiresAt };
}

/** Why a cookie no longer signs in: its 12 hours passed, it was ended (signed out, password reset), or the account is gone. */
export type SessionEnd = 'expired' | 'ended' | 'no-account';

export type SessionState = { ok: true; session: AdminSession } | { ok: false; why: SessionEnd };

/** The session a cookie value stands for, or why there is none any more. */
export async function sessionState(store: AdminStore, cookieValue: string, now: Date): Promise<SessionState> {
  const email = addressOf(cookieValue);
  if (!email) return { ok: false, why: 'ended' };
  const { account, session } = await store.getAccountAndSession(email, tokenHash(cookieValue));
  if (!account) return { ok: false, why: 'no-account' };
  if (!session) return { ok: false, why: 'ended' };
  if (session.expiresAt * 1000 <= now.getTime()) return { ok: false, why: 'expired' };
  return { ok: true, session };
}

/** What the console tells an admin whose session is over, by why. */
export const SESSION_END_MESSAGES: Record<SessionEnd, string> = {
  expired: 'Your session expired (a sign-in lasts 12 hours): sign in again',
  ended: 'Your session was ended (signed out, or the password was reset): sign in again',
  'no-account': 'Your admin account no longer exists: ask another admin',
};

/** The session a cookie value stands for, while it and its account exist and it has not expired. */
export async function checkSession(store: AdminStore, cookieValue: string, now: Date): Promise<AdminSession | null> {
  const state = await sessionState(store, cookieValue, now);
  return state.ok ? state.session : null;
}

export async function signOut(store: AdminStore, cookieValue: string): Promise<void> {
  const email = addressOf(cookieValue);
  if (email) await store.deleteSession(email, tokenHash(cookieValue));
}

/** Constant-time comparison of the echoed CSRF token with the session's. */
export const csrfMatches = (session: AdminSession, given: string | undefined) => given !== undefined && given !== '' && sameSecret(given, session.csrf);

/** The session cookie's value in a Cookie header, if any. */
export function sessionCookieIn(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a session (or, with `maxAge` 0, its removal): script-proof, same-site only, HTTPS-only when served so. */
export function sessionSetCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/crm', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

export class MemoryAdminStore implements AdminStore {
  private readonly accounts = new Map<string, AdminAccount>();
  private readonly sessions = new Map<string, AdminSession>();

  async getAccount(email: string) {
    return this.accounts.get(email.toLowerCase()) ?? null;
  }
  async getAccountAndSession(email: string, tokenHash: string) {
    return { account: await this.getAccount(email), session: this.sessions.get(`${email.toLowerCase()}\0${tokenHash}`) ?? null };
  }
  async putAccount(account: AdminAccount) {
    this.accounts.set(account.email.toLowerCase(), { ...account });
  }
  async deleteAccount(email: string) {
    const key = email.toLowerCase();
    for (const id of [...this.sessions.keys()]) if (id.startsWith(`${key}\0`)) this.sessions.delete(id);
    return this.accounts.delete(key);
  }
  async listAccounts() {
    return [...this.accounts.values()].sort((a, b) => a.email.localeCompare(b.email));
  }
  async putSession(session: AdminSession) {
    this.sessions.set(`${session.email}\0${session.tokenHash}`, { ...session });
  }
  async deleteSession(email: string, tokenHash: string) {
    this.sessions.delete(`${email.toLowerCase()}\0${tokenHash}`);
  }
}
