/**
 * Who is calling: the admin (Authorization: Bearer <CRM_ADMIN_TOKEN>) or a user (HTTP Basic with
 * the same app password as CalDAV, through the same check and its verification cache).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DavError } from '../../core/errors';
import { WWW_AUTHENTICATE, authenticate as basicAuth } from '../../http/auth';
import type { UserStore } from '../../store/types';
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
  try {
    const { email } = await basicAuth(authorization, users);
    return { kind: 'user', email };
  } catch (err) {
    if (err instanceof DavError && err.status === 401) throw unauthorized(err.message);
    throw err;
  }
}

export const isAdmin = (caller: Caller) => caller.kind === 'admin';

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw forbidden('Only the CRM admin may do this');
}
