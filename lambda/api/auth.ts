/**
 * Who is calling: the admin (Authorization: Bearer <CRM_ADMIN_TOKEN>, or a console session
 * cookie of an admin account), or a user (HTTP Basic with the same app password as CalDAV,
 * through the same check and its verification cache).
 *
 * A session cookie is sent by the browser on its own, so a request it authenticates must prove
 * it comes from the console: unsafe methods echo the session's CSRF token in X-CSRF-Token
 * (on top of SameSite=Strict and the JSON content type every write needs).
 */
import { CSRF_HEADER, SESSION_END_MESSAGES, csrfMatches, sessionCookieIn, sessionState } from '../accounts/admins';
import { WWW_AUTHENTICATE, checkBasicAuth } from '../accounts/credentials';
import { sameSecret } from '../accounts/tokens';
import { ApiError, forbidden } from './errors';
import type { ApiRequest, AuthDeps, Caller } from './types';

/** The console marks its calls, so a 401 does not make the browser pop up a Basic login. */
export const CONSOLE_MARKER = { header: 'x-requested-with', value: 'crm-admin-console' };

/** `field` 'session': a console session that ended (the message says why), so the console can show it. */
export const unauthorized = (req: ApiRequest, message: string, field?: 'session') => {
  const fromConsole = req.headers[CONSOLE_MARKER.header] === CONSOLE_MARKER.value;
  return new ApiError(401, 'AUTHENTICATION_FAILURE', message, field, { 'www-authenticate': fromConsole ? 'Bearer realm="crm-caldav"' : `Bearer realm="crm-caldav", ${WWW_AUTHENTICATE}` });
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function identify(req: ApiRequest, deps: AuthDeps): Promise<Caller> {
  const authorization = req.headers.authorization;
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer) {
    if (!deps.adminToken || !sameSecret(bearer[1]!, deps.adminToken)) throw unauthorized(req, 'Invalid token');
    return { kind: 'admin' };
  }
  const cookie = authorization ? undefined : sessionCookieIn(req.headers.cookie);
  if (cookie !== undefined && deps.admins) {
    const state = await sessionState(deps.admins, cookie, (deps.now ?? (() => new Date()))());
    if (!state.ok) throw unauthorized(req, SESSION_END_MESSAGES[state.why], 'session');
    const { session } = state;
    if (!SAFE_METHODS.has(req.method.toUpperCase()) && !csrfMatches(session, req.headers[CSRF_HEADER])) {
      throw forbidden(`A console request must carry its session's ${CSRF_HEADER} header`);
    }
    return { kind: 'admin', email: session.email };
  }
  const check = await checkBasicAuth(authorization, deps.users, deps.guesses, deps.now);
  if (check.ok === false && check.reason === 'throttled') {
    throw new ApiError(429, 'TOO_MANY_REQUESTS', 'Too many wrong passwords for this account; try again later', undefined, { 'retry-after': String(check.retryAfterSeconds) });
  }
  if (!check.ok) throw unauthorized(req, check.reason === 'missing' ? 'Authentication required' : 'Invalid credentials');
  return { kind: 'user', email: check.email };
}

export const isAdmin = (caller: Caller) => caller.kind === 'admin';

export function requireAdmin(caller: Caller): void {
  if (caller.kind !== 'admin') throw forbidden('Only the CRM admin may do this');
}
