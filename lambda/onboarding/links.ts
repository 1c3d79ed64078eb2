/**
 * One-time onboarding links: the admin asks for one per user; opening it on the phone issues a
 * fresh app password inside a configuration profile (or as text) and spends the link. A link
 * names its user and carries 144 random bits; only their SHA-256 is stored, on the user record,
 * so a new link replaces the previous one, and spending it is a conditional write on that hash
 * (two phones opening it at once: one gets the password, the other "already used").
 */
import { generateAppPassword, hashGeneratedPassword } from '../accounts/passwords';
import { addressOf, addressedToken, sameSecret, tokenHash } from '../accounts/tokens';
import type { UserRecord, UserStore } from '../store/types';

export const DEFAULT_LINK_HOURS = 24;
export const MAX_LINK_HOURS = 7 * 24;

/** `<e-mail, base64url>.<secret>`: the user is found by key, the token checked against its hash. */
export const newLinkToken = (email: string) => addressedToken(email, 18);

/** The record with a fresh link on it, and the link's token (shown to the admin, never stored). */
export function withNewLink(user: UserRecord, now: Date, hours = DEFAULT_LINK_HOURS): { record: UserRecord; token: string; expiresAt: string } {
  const token = newLinkToken(user.email);
  const expiresAt = new Date(now.getTime() + hours * 3600_000).toISOString();
  return { record: { ...user, onboarding: { tokenHash: tokenHash(token), expiresAt } }, token, expiresAt };
}

export type LinkState = { ok: true; user: UserRecord } | { ok: false; reason: 'unknown' | 'expired' | 'disabled' };

/** Whether `token` is a live link, without spending it (the landing page). */
export async function checkLink(users: UserStore, token: string, now: Date): Promise<LinkState> {
  const email = addressOf(token);
  const user = email ? await users.getUser(email) : null;
  const stored = user?.onboarding;
  if (!user || !stored || !sameSecret(tokenHash(token), stored.tokenHash)) return { ok: false, reason: 'unknown' };
  if (Date.parse(stored.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  if (!user.enabled) return { ok: false, reason: 'disabled' };
  return { ok: true, user };
}

/**
 * Spends the link: the user's app password is replaced by a fresh one (returned, stored only
 * hashed) and the link removed, in one conditional write. A phone set up before with the old
 * password has to be given the new one: a link is for setting up a device.
 */
export async function spendLink(users: UserStore, token: string, now: Date): Promise<LinkState & { password?: string }> {
  const state = await checkLink(users, token, now);
  if (!state.ok) return state;
  const password = generateAppPassword();
  const { onboarding, ...rest } = state.user;
  const updated: UserRecord = { ...rest, passwordHash: hashGeneratedPassword(password) };
  if (!(await users.putUserIfOnboarding(updated, onboarding!.tokenHash))) return { ok: false, reason: 'unknown' };
  return { ok: true, user: updated, password };
}

/**
 * Ends a link whose token was seen where it should not be (an old-style link, token in the URL
 * path, which access logs record): whoever reads the log finds it dead. False when `token` is
 * not the user's live link.
 */
export async function burnLink(users: UserStore, token: string): Promise<boolean> {
  const email = addressOf(token);
  const user = email ? await users.getUser(email) : null;
  const stored = user?.onboarding;
  if (!user || !stored || !sameSecret(tokenHash(token), stored.tokenHash)) return false;
  const { onboarding: _burnt, ...rest } = user;
  return users.putUserIfOnboarding(rest, stored.tokenHash);
}
