/** The CalDAV door's HTTP Basic challenge: a refused check (lambda/accounts) becomes a 401 DavError. */
import { WWW_AUTHENTICATE, checkBasicAuth } from '../accounts/credentials';
import { DavError } from '../core/errors';
import type { Principal } from '../core/types';
import type { GuessStore } from '../accounts/guesses';
import type { UserStore } from '../store/types';


export const unauthorized = (message = 'Authentication required') =>
  new DavError(401, message, undefined, { 'www-authenticate': WWW_AUTHENTICATE });

/** Too many tries of a chosen password: 429 (RFC 6585) until the window ends. */
export const tooManyTries = (retryAfterSeconds: number) =>
  new DavError(429, 'Too many wrong passwords for this account; try again later', undefined, { 'retry-after': String(retryAfterSeconds) });

/** Returns the principal for valid credentials of an enabled user; throws a 401 (or 429) DavError otherwise. */
export async function authenticate(authorization: string | undefined, users: UserStore, guesses?: GuessStore, now?: () => Date): Promise<Principal> {
  const check = await checkBasicAuth(authorization, users, guesses, now);
  if (check.ok) return { email: check.email };
  if (check.reason === 'throttled') throw tooManyTries(check.retryAfterSeconds);
  throw check.reason === 'missing' ? unauthorized() : unauthorized('Invalid credentials');
}
