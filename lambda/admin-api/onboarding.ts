/**
 * One-tap iPhone set-up (lambda/onboarding): the admin creates a user's link
 * (`POST /users/{email}/onboarding`); the user opens it on the phone. The link's secret sits in
 * the URL fragment, so no request line (and no access log) ever carries it: the landing page
 * (`GET /onboarding`, the same for every link) reads it in the browser and sends it in POST
 * bodies. Opening spends nothing, so a mail scanner that fetches the link cannot use it up; the
 * page's two buttons spend it: one downloads the configuration profile, the other shows the
 * settings to type.
 *
 * Links made before the secret moved to the fragment (`/onboarding/<token>`) are refused with a
 * page saying to ask for a new one, and the link they name is ended: its token has just been
 * written to the access logs on the way here.
 */
import { DEFAULT_LINK_HOURS, MAX_LINK_HOURS, burnLink, checkLink, spendLink, withNewLink, type LinkState } from '../onboarding/links';
import { NO_STORE, landingPage, linkUrl, refusalPage } from '../onboarding/page';
import { addressOf } from '../accounts/tokens';
import { PROFILE_CONTENT_TYPE, manualSettings, mobileconfig, type ServerAddress } from '../onboarding/profile';
import { requireAdmin } from '../api/auth';
import { ApiError, invalid, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import type { AdminApiDeps } from './types';
import { parseJsonObject, str } from '../api/validate';
import { actorOf, recordAudit } from './audit';

export { ONBOARDING_PATH } from '../onboarding/page';
const ACCOUNT_DESCRIPTION = 'CRM calendar';

/** The server as the caller reached it: what the phone must connect to. */
export function serverOf(req: ApiRequest): ServerAddress {
  const proto = (req.headers['x-forwarded-proto'] ?? 'https').split(',')[0]!.trim().toLowerCase();
  const tls = proto !== 'http';
  const [host, port] = (req.headers.host ?? 'localhost').trim().split(':');
  const forwarded = Number(req.headers['x-forwarded-port']);
  return { host: host!, tls, port: Number(port) || (Number.isInteger(forwarded) && forwarded > 0 ? forwarded : tls ? 443 : 80) };
}

export const originOf = (s: ServerAddress) => `${s.tls ? 'https' : 'http'}://${s.host}${s.port === (s.tls ? 443 : 80) ? '' : `:${s.port}`}`;

const REFUSED: Record<Exclude<LinkState, { ok: true }>['reason'], string> = {
  unknown: 'This link is not valid any more: it was already used, or a newer one was made. Ask your CRM admin for a new link.',
  expired: 'This link has expired. Ask your CRM admin for a new link.',
  disabled: 'Calendar access is turned off for your account. Ask your CRM admin to turn it on.',
};

const OUTDATED = 'This set-up link was made by an older version of the server and no longer works. Ask your CRM admin for a new link.';

const refused = (reason: keyof typeof REFUSED) => refusalPage(REFUSED[reason]);

/** The link's token from a button's form (or a JSON body): never from the URL. */
function tokenIn(req: ApiRequest): string {
  const type = req.headers['content-type'] ?? '';
  const value = /^application\/(.+\+)?json\b/i.test(type) ? parseJsonObject(req.body).token : new URLSearchParams(req.body).get('token');
  return (str(value ?? undefined, 'token', { max: 512 }) as string).trim();
}

export class OnboardingRoutes {
  constructor(private readonly deps: AdminApiDeps) {}

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  /** POST /users/{email}/onboarding `{ "expiresInHours"?: 1..168 }`: a new link, replacing any earlier one. */
  async create(req: ApiRequest, caller: Caller, address: string): Promise<ApiResponse> {
    requireAdmin(caller);
    const body = req.body.trim() ? parseJsonObject(req.body) : {};
    const hours = body.expiresInHours ?? DEFAULT_LINK_HOURS;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > MAX_LINK_HOURS) {
      throw invalid('expiresInHours', `a whole number of hours from 1 to ${MAX_LINK_HOURS}`);
    }
    const user = await this.deps.users.getUser(address.toLowerCase());
    if (!user) throw notFound(`No user ${address}`);
    if (!user.enabled) throw new ApiError(409, 'CONFLICT', `CalDAV is not enabled for ${user.email}: enable it first`, 'caldavEnabled');
    const { record, token, expiresAt } = withNewLink(user, this.now(), hours);
    await this.deps.users.putUser(record);
    await recordAudit(this.deps, req, actorOf(caller), { action: 'link.create', target: user.email, detail: `valid ${hours} h, replacing any earlier link` });
    const url = linkUrl(originOf(serverOf(req)), token);
    return json(201, { data: { email: user.email, url, expiresAt } });
  }

  /** GET /onboarding: the landing page, the same for every link; spends nothing. */
  open(): ApiResponse {
    return landingPage();
  }

  /** POST /onboarding/check `{ "token" }`: whose link it is, or why it cannot be used; spends nothing. */
  async check(req: ApiRequest): Promise<ApiResponse> {
    const state = await checkLink(this.deps.users, tokenIn(req), this.now());
    if (!state.ok) throw new ApiError(410, 'GONE', REFUSED[state.reason]);
    return json(200, { data: { email: state.user.email, expiresAt: state.user.onboarding!.expiresAt } }, NO_STORE);
  }

  /** POST /onboarding/profile (form field `token`): spends the link, answers the configuration profile. */
  async profile(req: ApiRequest): Promise<ApiResponse> {
    const spent = await spendLink(this.deps.users, tokenIn(req), this.now());
    if (!spent.ok) return refused(spent.reason);
    await this.spent(req, spent.user.email, 'configuration profile downloaded');
    const body = mobileconfig({ server: serverOf(req), email: spent.user.email, password: spent.password!, description: ACCOUNT_DESCRIPTION });
    return {
      status: 200,
      headers: { 'content-type': PROFILE_CONTENT_TYPE, 'content-disposition': 'attachment; filename="crm-calendar.mobileconfig"', ...NO_STORE },
      body,
    };
  }

  /** POST /onboarding/manual (form field `token`): spends the link, answers the values as plain text. */
  async manual(req: ApiRequest): Promise<ApiResponse> {
    const spent = await spendLink(this.deps.users, tokenIn(req), this.now());
    if (!spent.ok) return refused(spent.reason);
    await this.spent(req, spent.user.email, 'settings shown to type in');
    const body = manualSettings({ server: serverOf(req), email: spent.user.email, password: spent.password!, description: ACCOUNT_DESCRIPTION });
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }, body };
  }

  /** The phone's side: the user the link was for is the actor; their app password was replaced. */
  private spent(req: ApiRequest, email: string, how: string) {
    return recordAudit(this.deps, req, { actor: email, via: 'link' }, { action: 'link.spent', target: email, detail: `${how}; new app password` });
  }

  /** /onboarding/<token>[/profile|/manual]: a link from before the fragment; refused, and ended. */
  async outdated(req: ApiRequest, token: string): Promise<ApiResponse> {
    const email = addressOf(token);
    if (email && (await burnLink(this.deps.users, token))) {
      await recordAudit(this.deps, req, { actor: email, via: 'link' }, { action: 'link.ended', target: email, detail: 'opened in the old form, token in the URL path: refused and ended' });
    }
    return refusalPage(OUTDATED);
  }
}
