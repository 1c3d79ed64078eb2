/**
 * The accounts server (`accounts.zoho.*`): the consent step, the token endpoint and revocation.
 * Token errors come back as `{"error": "<code>"}` with HTTP 200, as Zoho's own answers do
 * (facts §2); the 10-per-10-minutes throttle answers HTTP 400 with Zoho's "Access Denied" body.
 */
import type { SimRequest, SimResponse } from '../http';
import { json } from '../http';
import type { Grants, RefreshGrant } from './grants';
import { formParams } from './form';

export interface AccountsContext {
  grants: Grants;
  accountsUrl: () => string;
  apiUrl: () => string;
  /** The user who approves consent requests (the org admin). */
  consentingUser: () => string;
  accessTokenSeconds: number;
}

export const THROTTLED_BODY = {
  error_description: 'You have made too many requests continuously. Please try again after some time.',
  error: 'Access Denied',
  status: 'failure',
};

const tokenError = (error: string): SimResponse => json(200, { error });

function page(status: number, title: string): SimResponse {
  return { status, text: `<!doctype html><title>${title}</title><p>${title}</p>`, headers: { 'content-type': 'text/html;charset=UTF-8' } };
}

/** GET /oauth/v2/auth: approves at once and redirects back with the code, as an admin clicking Accept would. */
function authorize(req: SimRequest, ctx: AccountsContext): SimResponse {
  const q = req.query;
  const { client } = ctx.grants;
  if (q.get('client_id') !== client.id) return page(400, 'Invalid Client');
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) return page(400, 'Invalid Redirect Uri');
  if (client.redirectUris.length > 0 && !client.redirectUris.includes(redirectUri)) return page(400, 'Invalid Redirect Uri');
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return page(400, 'Invalid Redirect Uri');
  }
  const state = q.get('state');
  if (state !== null) target.searchParams.set('state', state);
  if (q.get('response_type') !== 'code') {
    target.searchParams.set('error', 'unsupported_response_type');
  } else if (!q.get('scope')) {
    target.searchParams.set('error', 'invalid_scope');
  } else {
    const scopes = (q.get('scope') ?? '').split(/[,\s]+/).filter(Boolean);
    const offline = q.get('access_type') === 'offline';
    target.searchParams.set('code', ctx.grants.issueCode(ctx.consentingUser(), scopes, redirectUri, offline));
    target.searchParams.set('location', 'us');
    target.searchParams.set('accounts-server', ctx.accountsUrl());
  }
  return { status: 302, headers: { location: target.toString() } };
}

function tokenAnswer(ctx: AccountsContext, refresh: RefreshGrant, withRefreshToken: boolean): SimResponse {
  const minted = ctx.grants.mint(refresh);
  if ('throttled' in minted) return json(400, THROTTLED_BODY);
  return json(200, {
    access_token: minted.access.token,
    ...(withRefreshToken ? { refresh_token: refresh.token } : {}),
    scope: refresh.scopes.join(' '),
    api_domain: ctx.apiUrl(),
    token_type: 'Bearer',
    expires_in: ctx.accessTokenSeconds,
  });
}

/** POST /oauth/v2/token: authorization_code and refresh_token grants. */
function token(req: SimRequest, ctx: AccountsContext): SimResponse {
  const p = formParams(req);
  const { client } = ctx.grants;
  if (p.get('client_id') !== client.id) return tokenError('invalid_client');
  if (p.get('client_secret') !== client.secret) return tokenError('invalid_client_secret');
  switch (p.get('grant_type')) {
    case 'authorization_code': {
      const code = ctx.grants.takeCode(p.get('code') ?? '');
      if (!code) return tokenError('invalid_code');
      const redirect = p.get('redirect_uri');
      if (code.redirectUri !== null && redirect !== undefined && redirect !== code.redirectUri) return tokenError('invalid_redirect_uri');
      const refresh = ctx.grants.issueRefreshToken(code.userId, code.scopes);
      return tokenAnswer(ctx, refresh, code.offline);
    }
    case 'refresh_token': {
      const refresh = ctx.grants.refreshGrant(p.get('refresh_token') ?? '');
      if (!refresh) return tokenError('invalid_code');
      return tokenAnswer(ctx, refresh, false);
    }
    default:
      return tokenError('unsupported_grant_type');
  }
}

/** POST /oauth/v2/token/revoke?token=<refresh token> (https://www.zoho.com/accounts/protocol/oauth/revoke-refresh-token.html). */
function revoke(req: SimRequest, ctx: AccountsContext): SimResponse {
  const t = formParams(req).get('token') ?? '';
  return ctx.grants.revoke(t) ? json(200, { status: 'success' }) : json(400, { status: 'failure', error: 'invalid_token' });
}

export function accountsRoute(req: SimRequest, ctx: AccountsContext): SimResponse {
  if (req.path === '/oauth/v2/auth' && req.method === 'GET') return authorize(req, ctx);
  if (req.path === '/oauth/v2/token' && req.method === 'POST') return token(req, ctx);
  if (req.path === '/oauth/v2/token/revoke' && req.method === 'POST') return revoke(req, ctx);
  return page(404, 'Not Found');
}
