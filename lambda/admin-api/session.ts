/**
 * /crm/v1/session: the admin console's sign-in. POST `{ email, password }` signs an admin account
 * in and sets the session cookie; GET says who is signed in (and the CSRF token the console
 * echoes); DELETE signs out. The cookie is Secure whenever the request reached us over HTTPS.
 */
import { SESSION_SECONDS, checkSession, sessionCookieIn, sessionSetCookie, signIn, signOut } from '../accounts/admins';
import { unauthorized } from '../api/auth';
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
    const session = await signIn(admins, address, password, this.now());
    if (!session) throw unauthorized(req, 'Wrong e-mail or password');
    return json(200, sessionJson(session), { 'set-cookie': sessionSetCookie(session.cookieValue, SESSION_SECONDS, serverOf(req).tls) });
  }

  async current(req: ApiRequest): Promise<ApiResponse> {
    const cookie = sessionCookieIn(req.headers.cookie);
    const session = cookie === undefined ? null : await checkSession(this.admins(), cookie, this.now());
    if (!session) throw unauthorized(req, 'Not signed in');
    return json(200, sessionJson(session));
  }

  /** Ends the session whatever state it is in; answers 204 even when there was none. */
  async signOut(req: ApiRequest): Promise<ApiResponse> {
    const cookie = sessionCookieIn(req.headers.cookie);
    if (cookie !== undefined) await signOut(this.admins(), cookie);
    return json(204, null, { 'set-cookie': sessionSetCookie('', 0, serverOf(req).tls) });
  }
}
