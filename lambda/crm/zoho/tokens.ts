/**
 * Zoho access tokens: one per org, shared by every container through the connector's table.
 * A token lives an hour; it is refreshed by one caller at a time (a lease on the token item),
 * never more than Zoho's 10 mints per 10 minutes per refresh token, and a token Zoho refuses
 * (INVALID_TOKEN) is expired for everyone so the next caller refreshes once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CrmUnavailable } from '../types';
import type { ZohoCredentials } from './config';
import type { TokenState, ZohoState } from './state';

export interface AccessToken {
  accessToken: string;
  apiDomain: string;
}

/** Zoho refused the client or the refresh token itself: only a new connection helps. */
export class ZohoAuthRefused extends CrmUnavailable {
  override name = 'ZohoAuthRefused';
}

export interface TokenSourceOptions {
  state: ZohoState;
  /** The credentials now (environment, secret, or what the console stored); null = not connected. */
  credentials: () => Promise<ZohoCredentials | null>;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

/** Refresh this long before expiry, so a call never starts with a token about to die. */
const MARGIN_MS = 60_000;
export const MINT_WINDOW_MS = 10 * 60_000;
export const MAX_MINTS = 10;
const LEASE_MS = 30_000;
/** How long a caller waits for another's refresh before giving up. */
const WAIT_MS = 8_000;
/**
 * Credentials Zoho refused are not sent again for this long (every outbox delivery and pass
 * would, and Zoho's accounts server locks out clients that keep failing); new credentials are
 * tried at once, and the same ones again after it, should the refusal have been Zoho's mistake.
 */
export const REFUSAL_HOLD_MS = 60 * 60_000;

/** Names credentials without keeping them: a refusal says which ones it was about. */
export const credentialsDigest = (creds: ZohoCredentials) => createHash('sha256').update(`${creds.accountsUrl}\n${creds.clientId}\n${creds.refreshToken}`).digest('base64url').slice(0, 22);

export class TokenSource {
  private cached: (AccessToken & { expiresAt: number }) | null = null;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly opts: TokenSourceOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.now = opts.now ?? Date.now;
  }

  async get(): Promise<AccessToken> {
    if (this.cached && this.cached.expiresAt - MARGIN_MS > this.now()) return this.cached;
    const deadline = this.now() + WAIT_MS;
    for (;;) {
      const stored = await this.opts.state.token();
      if (usable(stored, this.now())) return this.remember(stored);
      const holder = randomUUID();
      if (await this.opts.state.leaseToken(holder, this.now(), this.now() + LEASE_MS)) return this.remember(await this.refresh(holder, stored));
      if (this.now() > deadline) throw new CrmUnavailable('Zoho access token: another caller is refreshing it and did not finish');
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
    }
  }

  /** Zoho said this token is not valid: nobody uses it again. */
  async invalidate(token: AccessToken): Promise<void> {
    if (this.cached?.accessToken === token.accessToken) this.cached = null;
    await this.opts.state.expireToken(token.accessToken);
  }

  private remember(t: TokenState & { accessToken: string; apiDomain: string }): AccessToken {
    this.cached = { accessToken: t.accessToken, apiDomain: t.apiDomain, expiresAt: t.expiresAt };
    return this.cached;
  }

  private async refresh(holder: string, stored: TokenState | null): Promise<TokenState & { accessToken: string; apiDomain: string }> {
    const now = this.now();
    const mints = (stored?.mints ?? []).filter((t) => t > now - MINT_WINDOW_MS);
    const release = (extra: Partial<TokenState> = {}) =>
      this.opts.state.storeToken(holder, { accessToken: stored?.accessToken ?? null, apiDomain: stored?.apiDomain ?? null, expiresAt: stored?.expiresAt ?? 0, mints, ...extra });
    if (mints.length >= MAX_MINTS) {
      await release();
      const wait = Math.ceil((mints[0]! + MINT_WINDOW_MS - now) / 1000);
      throw new CrmUnavailable(`Zoho allows ${MAX_MINTS} access tokens per 10 minutes; the next in ${wait} s`);
    }
    const creds = await this.opts.credentials();
    if (!creds) {
      await release();
      throw new ZohoAuthRefused('Zoho is not connected: set ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN, or connect in the admin console');
    }
    const digest = credentialsDigest(creds);
    const refusal = stored?.refused;
    if (refusal?.credentials === digest && now - refusal.at < REFUSAL_HOLD_MS) {
      await release();
      throw new ZohoAuthRefused(`Zoho refused the credentials (${refusal.error}): reconnect in the admin console`);
    }
    let json: Record<string, unknown>;
    try {
      const res = await this.fetch(`${creds.accountsUrl}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: creds.clientId, client_secret: creds.clientSecret, refresh_token: creds.refreshToken }).toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      json = (await res.json()) as Record<string, unknown>;
    } catch (err) {
      await release({ mints: [...mints, now] });
      throw new CrmUnavailable(`Zoho accounts server unreachable: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    if (typeof json.access_token !== 'string') {
      const error = String(json.error ?? 'no access_token in the answer');
      // Bad client or refresh token: retrying cannot help until an admin reconnects. Kept with
      // the token, so the admin console says so (connection.ts) instead of "connected".
      const refused = /^invalid_(client|code|token|grant)|^invalid_client_secret/.test(error);
      await release({ mints: [...mints, now], ...(refused ? { refused: { at: now, error: error.slice(0, 100), credentials: digest } } : {}) });
      if (refused) throw new ZohoAuthRefused(`Zoho refused the credentials (${error}): reconnect in the admin console`);
      throw new CrmUnavailable(`Zoho did not issue an access token: ${error}${json.error_description ? ` (${String(json.error_description)})` : ''}`);
    }
    const token = {
      accessToken: json.access_token,
      apiDomain: creds.apiDomain ?? (typeof json.api_domain === 'string' ? json.api_domain : 'https://www.zohoapis.com'),
      expiresAt: now + Number(json.expires_in ?? 3600) * 1000,
      mints: [...mints, now],
    };
    await this.opts.state.storeToken(holder, { ...token, refused: null });
    return token;
  }
}

function usable(t: TokenState | null, now: number): t is TokenState & { accessToken: string; apiDomain: string } {
  return !!t?.accessToken && !!t.apiDomain && t.expiresAt - MARGIN_MS > now;
}
