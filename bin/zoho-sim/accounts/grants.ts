/**
 * The accounts server's memory: the registered client, authorization codes, refresh tokens and
 * the access tokens they mint, with Zoho's limits (Accounts protocol pages, facts §2): codes live
 * 2 minutes and serve once; access tokens live an hour; a refresh token keeps at most 10 active
 * access tokens (the next invalidates the oldest) and mints at most 10 per 10 minutes; a user
 * keeps at most 20 refresh tokens per client (the next replaces the oldest).
 */
import type { SimClock } from '../clock';
import { opaque, oauthToken } from '../ids';

export interface Client {
  id: string;
  secret: string;
  redirectUris: string[];
}

interface AuthCode {
  clientId: string;
  userId: string;
  scopes: string[];
  redirectUri: string | null;
  offline: boolean;
  expiresAt: number;
}

export interface RefreshGrant {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  createdAt: number;
  /** When each access token was minted from it (the throttle counts these). */
  mintedAt: number[];
  /** Its access tokens still valid, oldest first. */
  active: string[];
}

export interface AccessGrant {
  token: string;
  refresh: RefreshGrant;
  expiresAt: number;
}

export interface GrantLimits {
  accessTokenMs: number;
  maxAccessTokens: number;
  tokenRequestsPerWindow: number;
}

export const THROTTLE_WINDOW_MS = 10 * 60_000;
const CODE_MS = 2 * 60_000;
const REFRESH_TOKENS_PER_USER = 20;

export type Minted = { access: AccessGrant } | { throttled: true };

export class Grants {
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private minted = 0;

  constructor(
    readonly client: Client,
    private readonly clock: SimClock,
    private readonly limits: GrantLimits,
  ) {}

  issueCode(userId: string, scopes: string[], redirectUri: string | null, offline: boolean): string {
    const code = `1000.${opaque(16)}.${opaque(16)}`;
    this.codes.set(code, { clientId: this.client.id, userId, scopes, redirectUri, offline, expiresAt: this.clock.now() + CODE_MS });
    return code;
  }

  /** Spends a code: undefined when unknown, used or expired (Zoho's `invalid_code`). */
  takeCode(code: string): AuthCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    return found && found.expiresAt > this.clock.now() ? found : undefined;
  }

  issueRefreshToken(userId: string, scopes: string[], token = oauthToken()): RefreshGrant {
    const mine = [...this.refreshTokens.values()].filter((r) => r.userId === userId && r.clientId === this.client.id);
    if (mine.length >= REFRESH_TOKENS_PER_USER) this.revoke(mine[0]!.token);
    const grant: RefreshGrant = { token, clientId: this.client.id, userId, scopes, createdAt: this.clock.now(), mintedAt: [], active: [] };
    this.refreshTokens.set(grant.token, grant);
    return grant;
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.refreshTokens.get(token);
  }

  /** A new access token from a refresh token, unless the 10-minute throttle says no. */
  mint(refresh: RefreshGrant): Minted {
    const now = this.clock.now();
    refresh.mintedAt = refresh.mintedAt.filter((t) => t > now - THROTTLE_WINDOW_MS);
    if (refresh.mintedAt.length >= this.limits.tokenRequestsPerWindow) return { throttled: true };
    refresh.mintedAt.push(now);
    const access: AccessGrant = { token: oauthToken(), refresh, expiresAt: now + this.limits.accessTokenMs };
    this.accessTokens.set(access.token, access);
    refresh.active.push(access.token);
    while (refresh.active.length > this.limits.maxAccessTokens) this.accessTokens.delete(refresh.active.shift()!);
    this.minted++;
    return { access };
  }

  /** The grant behind a bearer token, if it is known, unexpired and not revoked. */
  authenticate(token: string): AccessGrant | undefined {
    const grant = this.accessTokens.get(token);
    if (!grant || grant.expiresAt <= this.clock.now()) return undefined;
    return grant;
  }

  /** Revokes a refresh token and every access token it minted; false when it is unknown. */
  revoke(token: string): boolean {
    const grant = this.refreshTokens.get(token);
    if (!grant) return false;
    for (const t of grant.active) this.accessTokens.delete(t);
    this.refreshTokens.delete(token);
    return true;
  }

  /** Test control: every access token expires now (refresh tokens stay valid). */
  expireAll(): void {
    const now = this.clock.now();
    for (const g of this.accessTokens.values()) g.expiresAt = Math.min(g.expiresAt, now);
  }

  /** How many access tokens were minted since start. */
  mints(): number {
    return this.minted;
  }
}
