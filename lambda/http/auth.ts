/** The CalDAV door's HTTP Basic challenge: a refused check (lambda/accounts) becomes a 401 DavError. */
import { WWW_AUTHENTICATE, checkBasicAuth } from '../accounts/credentials';
import { DavError } from '../core/errors';
import type { Principal } from '../core/types';
import type { UserStore } from '../store/types';


export const unauthorized = (message = 'Authentication required') =>
  new DavError(401, message, undefined, { 'www-authenticate': WWW_AUTHENTICATE });

/** Returns the principal for valid credentials of an enabled user; throws a 401 DavError otherwise. */
export async function authenticate(authorization: string | undefined, users: UserStore): Promise<Principal> {
  const check = await checkBasicAuth(authorization, users);
  if (!check.ok) throw check.reason === 'missing' ? unauthorized() : unauthorized('Invalid credentials');
  return { email: check.email };
}
