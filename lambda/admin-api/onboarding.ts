/**
 * One-tap iPhone set-up (lambda/onboarding): the admin creates a user's link
 * (`POST /users/{email}/onboarding`); the user opens it on the phone. Opening shows a page and
 * spends nothing, so a mail scanner that fetches the link cannot use it up; its two buttons
 * (POST) spend it: one downloads the configuration profile, the other shows the settings to type.
 */
import { DEFAULT_LINK_HOURS, MAX_LINK_HOURS, checkLink, spendLink, withNewLink, type LinkState } from '../onboarding/links';
import { PROFILE_CONTENT_TYPE, manualSettings, mobileconfig, type ServerAddress } from '../onboarding/profile';
import { requireAdmin } from '../api/auth';
import { ApiError, invalid, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import type { AdminApiDeps } from './types';
import { parseJsonObject } from '../api/validate';

export const ONBOARDING_PATH = '/crm/v1/onboarding';
const ACCOUNT_DESCRIPTION = 'CRM calendar';

/** The server as the caller reached it: what the phone must connect to. */
export function serverOf(req: ApiRequest): ServerAddress {
  const proto = (req.headers['x-forwarded-proto'] ?? 'https').split(',')[0]!.trim().toLowerCase();
  const tls = proto !== 'http';
  const [host, port] = (req.headers.host ?? 'localhost').trim().split(':');
  const forwarded = Number(req.headers['x-forwarded-port']);
  return { host: host!, tls, port: Number(port) || (Number.isInteger(forwarded) && forwarded > 0 ? forwarded : tls ? 443 : 80) };
}

const originOf = (s: ServerAddress) => `${s.tls ? 'https' : 'http'}://${s.host}${s.port === (s.tls ? 443 : 80) ? '' : `:${s.port}`}`;

const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };

function page(status: number, title: string, body: string): ApiResponse {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:17px -apple-system,system-ui,sans-serif;max-width:32em;margin:2em auto;padding:0 1em;color:#1c1c1e}
button{font:inherit;width:100%;padding:.8em;margin:.4em 0;border-radius:.6em;border:0;background:#007aff;color:#fff}
button.plain{background:#e5e5ea;color:#007aff}</style></head>
<body><h1>${title}</h1>${body}</body></html>
`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", ...NO_STORE }, body: html };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const REFUSED: Record<Exclude<LinkState, { ok: true }>['reason'], string> = {
  unknown: 'This link is not valid any more: it was already used, or a newer one was made. Ask your CRM admin for a new link.',
  expired: 'This link has expired. Ask your CRM admin for a new link.',
  disabled: 'Calendar access is turned off for your account. Ask your CRM admin to turn it on.',
};

const refused = (reason: keyof typeof REFUSED) => page(410, 'Link not usable', `<p>${REFUSED[reason]}</p>`);

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
    const url = `${originOf(serverOf(req))}${ONBOARDING_PATH}/${token}`;
    return json(201, { data: { email: user.email, url, expiresAt } });
  }

  /** GET /onboarding/{token}: the landing page; spends nothing. */
  async open(token: string): Promise<ApiResponse> {
    const state = await checkLink(this.deps.users, token, this.now());
    if (!state.ok) return refused(state.reason);
    const base = `${ONBOARDING_PATH}/${escapeHtml(token)}`;
    return page(
      200,
      'Add your CRM calendar',
      `<p>This sets up the calendar of <b>${escapeHtml(state.user.email)}</b> on this iPhone or iPad. The link works once.</p>
<form method="post" action="${base}/profile"><button>Download the profile</button></form>
<p>Then open Settings, tap <i>Profile Downloaded</i> and <i>Install</i>.</p>
<form method="post" action="${base}/manual"><button class="plain">Show the settings to type in instead</button></form>`,
    );
  }

  /** POST /onboarding/{token}/profile: spends the link, answers the configuration profile. */
  async profile(req: ApiRequest, token: string): Promise<ApiResponse> {
    const spent = await spendLink(this.deps.users, token, this.now());
    if (!spent.ok) return refused(spent.reason);
    const body = mobileconfig({ server: serverOf(req), email: spent.user.email, password: spent.password!, description: ACCOUNT_DESCRIPTION });
    return {
      status: 200,
      headers: { 'content-type': PROFILE_CONTENT_TYPE, 'content-disposition': 'attachment; filename="crm-calendar.mobileconfig"', ...NO_STORE },
      body,
    };
  }

  /** POST /onboarding/{token}/manual: spends the link, answers the values as plain text. */
  async manual(req: ApiRequest, token: string): Promise<ApiResponse> {
    const spent = await spendLink(this.deps.users, token, this.now());
    if (!spent.ok) return refused(spent.reason);
    const body = manualSettings({ server: serverOf(req), email: spent.user.email, password: spent.password!, description: ACCOUNT_DESCRIPTION });
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }, body };
  }
}
