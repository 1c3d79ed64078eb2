/**
 * Who is calling: the admin (Authorization: Bearer <CRM_ADMIN_TOKEN>) or a user (HTTP Basic with
 * the same app password as CalDAV, through the same check and its verification cache).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WWW_AUTHENTICATE, checkBasicAuth } from '../accounts/credentials';
import type { UserStore } from '../store/types';
import { ApiError, forbidden } from './errors';
import type { Caller } from './types';

const unauthorized = (message: string) =>
  new ApiError(401, 'AUTHENTICATION_FAILURE', message, undefined, { 'www-authenticate': `Bearer realm="crm-caldav", ${WWW_AUTHENTICATE}` });

/** Compares digests, so neither the token's content nor its length leaks through timing. */
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export async function identify(authorization: string | undefined, users: UserStore, adminToken: string | undefined): Promise<Caller> {
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer) {
    if (!adminToken || !sameToken(bearer[1], adminToken)) throw unauthorized('Invalid token');
    return { kind: 'admin' };
  }
  const check = await checkBasicAuth(authorization, users);
  if (!check.ok) throw unauthorized(check.reason === 'missing' ? 'Authentication required' : 'Invalid credentials');
  return { kind: 'user', email: check.email };
}

export const isAdmin = (caller: Caller) => caller.kind === 'admin';

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw forbidden('Only the CRM admin may do this');
}
