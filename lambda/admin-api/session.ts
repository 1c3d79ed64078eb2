/**
 * /crm/v1/session: the admin console's sign-in. POST `{ email, password }` signs an admin account
 * in and sets the session cookie; GET says who is signed in (and the CSRF token the console
 * echoes); DELETE signs out. The cookie is Secure whenever the request reached us over HTTPS.
 *
 * Failed sign-ins are counted per account and per client address (accounts/throttle.ts): past
 * the limit the answer is 429 with Retry-After and a message saying how long, before any
 * password is checked. Sign-ins, failures, lockouts and sign-outs go to the audit log.
 */
import { SESSION_END_MESSAGES, SESSION_SECONDS, checkSession, sessionCookieIn, sessionSetCookie, sessionState, signIn, signOut } from '../accounts/admins';
import { unauthorized } from '../api/auth';
import { ApiError } from '../api/errors';
import { SignInThrottle, type Lockout } from '../accounts/throttle';
import { recordAudit } from './audit';
import { invalid, json, notFound } from '../api/errors';
import { serverOf } from './onboarding';
import type { ApiRequest, ApiResponse } from '../api/types';
import type { AdminApiDeps } from './types';
import { checkContentType, email, parseJsonObject, str } from '../api/validate';

/** What the console learns of its session: who, the CSRF token to echo, until when. */
const sessionJson = (s: { email: string; csrf: string; expiresAt: number }) => ({
  data: { email: s.email, csrfToken: s.csrf, expiresAt: new Date(s.expiresAt * 1000).toISOString() },
});

export class SessionRoutes {
  constructor(private readonly deps: AdminApiDeps) {}

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  private admins() {
    if (!this.deps.admins) throw notFound('The admin console is not available here');
    return this.deps.admins;
  }

  async signIn(req: ApiRequest): Promise<ApiResponse> {
    const admins = this.admins();
    // JSON only: a cross-site form cannot send it, so no other site can sign a browser in.
    checkContentType(req.headers['content-type']);
    const body = parseJsonObject(req.body);
    const address = email(body.email, 'email') as string;
    const password = str(body.password, 'password', { max: 200 }) as string;
    if (!password) throw invalid('password', 'password is required');
    const who = { actor: address.toLowerCase(), via: 'console' as const };
    const keys = SignInThrottle.keys(address, req.sourceIp);
    const locked = await this.deps.throttle?.check(keys, this.now());
    if (locked) {
      await recordAudit(this.deps, req, who, { action: 'admin.sign-in-refused', target: who.actor, detail: `locked out (${locked.scope}) for ${locked.retryAfterSeconds} s more` });
      throw lockedOut(locked);
    }
    const session = await signIn(admins, address, password, this.now());
    if (!session) {
      const lockout = (await this.deps.throttle?.failed(keys, this.now())) ?? null;
      await recordAudit(this.deps, req, who, { action: 'admin.sign-in-failed', target: who.actor, detail: lockout ? `wrong e-mail or password; ${lockout.scope} now locked out` : 'wrong e-mail or password' });
      if (lockout) throw lockedOut(lockout);
      throw unauthorized(req, 'Wrong e-mail or password');
    }
    await this.deps.throttle?.succeeded(session.email);
    await recordAudit(this.deps, req, { actor: session.email, via: 'console' }, { action: 'admin.sign-in', target: session.email });
    return json(200, sessionJson(session), { 'set-cookie': sessionSetCookie(session.cookieValue, SESSION_SECONDS, serverOf(req).tls) });
  }

  async current(req: ApiRequest): Promise<ApiResponse> {
    const cookie = sessionCookieIn(req.headers.cookie);
    if (cookie === undefined) throw unauthorized(req, 'Not signed in');
    const state = await sessionState(this.admins(), cookie, this.now());
    if (!state.ok) throw unauthorized(req, SESSION_END_MESSAGES[state.why], 'session');
    return json(200, sessionJson(state.session));
  }

  /** Ends the session whatever state it is in; answers 204 even when there was none. */
  async signOut(req: ApiRequest): Promise<ApiResponse> {
    const cookie = sessionCookieIn(req.headers.cookie);
    if (cookie !== undefined) {
      const session = await checkSession(this.admins(), cookie, this.now());
      await signOut(this.admins(), cookie);
      if (session) await recordAudit(this.deps, req, { actor: session.email, via: 'console' }, { action: 'admin.sign-out', target: session.email });
    }
    return json(204, null, { 'set-cookie': sessionSetCookie('', 0, serverOf(req).tls) });
  }
}

const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

/** 429 with Retry-After, saying who is locked out and for how long. */
function lockedOut(lockout: Lockout): ApiError {
  const whom = lockout.scope === 'account' ? 'this account' : 'this network address';
  const wait = minutes(lockout.retryAfterSeconds);
  return new ApiError(429, 'TOO_MANY_REQUESTS', `Too many failed sign-ins for ${whom}: try again in ${wait} minute${wait === 1 ? '' : 's'}`, undefined, {
    'retry-after': String(lockout.retryAfterSeconds),
  });
}
