/**
 * Connecting the deployment to a Zoho org from the admin console: the admin gives the data centre
 * and the API client's id and secret (made in Zoho's API console, docs/zoho.md); we send the
 * browser to Zoho's consent page, and its callback brings a code we trade for a refresh token,
 * stored in the connector's table. Then the CalDAV UID field is made if missing. Credentials from
 * the environment or Secrets Manager take precedence: the console then shows them, read-only.
 */
import { randomBytes } from 'node:crypto';
import { CrmConflict, CrmUnavailable, CrmValidationError } from '../types';
import type { Budget } from './budget';
import { DATA_CENTRES, type ZohoConfig, type ZohoCredentials } from './config';
import type { ZohoConnector } from './connector';
import type { ZohoState } from './state';
import { credentialsDigest } from './tokens';

/** What our API client asks Zoho for: events, leads, contacts, users, field metadata and notifications. */
export const ZOHO_SCOPES = [
  'ZohoCRM.modules.Events.ALL',
  'ZohoCRM.modules.Tasks.ALL',
  'ZohoCRM.modules.Leads.READ',
  'ZohoCRM.modules.Contacts.READ',
  'ZohoCRM.users.READ',
  'ZohoCRM.settings.fields.ALL',
  'ZohoCRM.notifications.ALL',
];

export const CALLBACK_PATH = '/crm/zoho/oauth/callback';
/** A consent the admin did not finish is forgotten after this. */
const CONSENT_MS = 15 * 60_000;

export interface ConnectionStatus {
  connector: 'zoho';
  /** Credentials are there (they may still be refused: `refused`). */
  connected: boolean;
  /**
   * Zoho refused these credentials at the last token refresh (a revoked refresh token, a
   * deleted client): nothing reaches Zoho until they are replaced. Null once a token is issued.
   */
  refused: { at: string; error: string } | null;
  /** Where the credentials come from; only `console` ones can be changed there. */
  source: 'environment' | 'secret' | 'console' | null;
  accountsUrl: string | null;
  dataCentre: string | null;
  connectedAt: string | null;
  connectedBy: string | null;
  channel: { notifyUrl: string; expiresAt: string } | null;
  notifyUrl: string | null;
  lastReconcileAt: string | null;
  credits: { today: number; perDay: number };
  /** What the console's connect form offers: Zoho's data centres, the accounts server used when none is chosen (ZOHO_ACCOUNTS_URL, else Zoho's US one) and our callback's path (the redirect URI to register is the console's origin + it). */
  connect: { dataCentres: Array<{ id: string; accountsUrl: string }>; defaultAccountsUrl: string; callbackPath: string };
}

export interface ZohoConnectionDeps {
  config: ZohoConfig;
  state: ZohoState;
  connector: Pick<ZohoConnector, 'ensureUidField'>;
  budget: Pick<Budget, 'usedToday'>;
  credentials(): Promise<ZohoCredentials | null>;
  /** When reconciliation last ran (the jobs' state). */
  lastReconcileAt(): Promise<string | null>;
  now?: () => Date;
  fetch?: typeof fetch;
}

const dataCentreOf = (accountsUrl: string | null) => Object.entries(DATA_CENTRES).find(([, url]) => url === accountsUrl)?.[0] ?? null;

export class ZohoConnection {
  constructor(private readonly deps: ZohoConnectionDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private get source(): ConnectionStatus['source'] {
    return this.deps.config.credentials ? 'environment' : this.deps.config.secretArn ? 'secret' : null;
  }

  async status(): Promise<ConnectionStatus> {
    const [creds, stored, channel, lastReconcileAt, today, token] = await Promise.all([
      this.deps.credentials().catch(() => null),
      this.deps.state.connection(),
      this.deps.state.channel(),
      this.deps.lastReconcileAt(),
      this.deps.budget.usedToday(),
      this.deps.state.token(),
    ]);
    const accountsUrl = creds?.accountsUrl ?? null;
    return {
      connector: 'zoho',
      connected: creds !== null,
      // Only if it was about these credentials: new ones in the configuration are not refused yet.
      refused: creds !== null && token?.refused && (token.refused.credentials ?? credentialsDigest(creds)) === credentialsDigest(creds) ? { at: new Date(token.refused.at).toISOString(), error: token.refused.error } : null,
      source: this.source ?? (stored ? 'console' : null),
      accountsUrl,
      dataCentre: dataCentreOf(accountsUrl),
      connectedAt: stored && !this.source ? stored.connectedAt : null,
      connectedBy: stored && !this.source ? stored.connectedBy : null,
      channel: channel ? { notifyUrl: channel.notifyUrl, expiresAt: channel.expiresAt } : null,
      notifyUrl: this.deps.config.notifyUrl ?? null,
      lastReconcileAt,
      credits: { today, perDay: this.deps.config.dailyCredits },
      connect: {
        dataCentres: Object.entries(DATA_CENTRES).map(([id, url]) => ({ id, accountsUrl: url })),
        defaultAccountsUrl: this.deps.config.accountsUrl,
        callbackPath: CALLBACK_PATH,
      },
    };
  }

  /**
   * Starts a consent: the URL of Zoho's consent page to send the admin's browser to. `origin` is
   * where our callback is reached (the console's own origin); `accountsUrl` a data centre's or,
   * for a simulator or a test, any URL.
   */
  async startConsent(input: { dataCentre?: string; accountsUrl?: string; clientId: string; clientSecret: string; origin: string; by: string }): Promise<{ authorizeUrl: string; redirectUri: string }> {
    // A conflict, not an outage: the console's answer must say where the connection is made.
    if (this.source) throw new CrmConflict(`Zoho is connected by the ${this.source === 'environment' ? 'environment (ZOHO_CLIENT_ID …)' : 'Secrets Manager secret'}: change it there`);
    if (input.dataCentre !== undefined && !DATA_CENTRES[input.dataCentre]) throw new CrmValidationError('dataCentre', `unknown data centre "${input.dataCentre}"; one of ${Object.keys(DATA_CENTRES).join(', ')}`);
    const accountsUrl = input.accountsUrl ?? (input.dataCentre ? DATA_CENTRES[input.dataCentre] : undefined) ?? this.deps.config.accountsUrl;
    const state = randomBytes(24).toString('base64url');
    const redirectUri = `${input.origin.replace(/\/+$/, '')}${CALLBACK_PATH}`;
    await this.deps.state.saveConsent(state, { accountsUrl, clientId: input.clientId, clientSecret: input.clientSecret, redirectUri, by: input.by, at: this.now().toISOString() });
    const params = new URLSearchParams({ scope: ZOHO_SCOPES.join(','), client_id: input.clientId, response_type: 'code', access_type: 'offline', prompt: 'consent', redirect_uri: redirectUri, state });
    return { authorizeUrl: `${accountsUrl}/oauth/v2/auth?${params.toString()}`, redirectUri };
  }

  /**
   * Zoho's redirect back: the code traded for a refresh token (at the accounts server the
   * redirect names, Zoho's way of saying which data centre the org is in), stored, and the UID
   * field made. Resolves to the message for the admin.
   */
  async finishConsent(query: Record<string, string>): Promise<string> {
    const consent = query.state ? await this.deps.state.takeConsent(query.state) : null;
    if (!consent || this.now().getTime() - Date.parse(consent.at) > CONSENT_MS) throw new CrmUnavailable('This consent is unknown or expired: start again from the admin console');
    if (query.error) throw new CrmUnavailable(`Zoho did not give consent: ${query.error}`);
    if (!query.code) throw new CrmUnavailable('Zoho sent no authorization code');
    const accountsUrl = query['accounts-server'] && /^https?:\/\//.test(query['accounts-server']) ? query['accounts-server'].replace(/\/+$/, '') : consent.accountsUrl;
    const res = await (this.deps.fetch ?? fetch)(`${accountsUrl}/oauth/v2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: consent.clientId, client_secret: consent.clientSecret, redirect_uri: consent.redirectUri, code: query.code }).toString(),
      signal: AbortSignal.timeout(this.deps.config.timeoutMs),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (typeof json.refresh_token !== 'string') throw new CrmUnavailable(`Zoho did not issue a refresh token: ${String(json.error ?? res.status)}`);
    await this.deps.state.forgetConnection();
    await this.deps.state.saveConnection({
      accountsUrl,
      clientId: consent.clientId,
      clientSecret: consent.clientSecret,
      refreshToken: json.refresh_token,
      apiDomain: this.deps.config.apiDomain ?? (typeof json.api_domain === 'string' ? json.api_domain : undefined),
      connectedAt: this.now().toISOString(),
      connectedBy: consent.by,
    });
    const field = await this.deps.connector.ensureUidField();
    return `Connected to Zoho (${dataCentreOf(accountsUrl) ?? accountsUrl}); events carry their CalDAV identity in the field ${field}.`;
  }

  /** Forgets what the console stored and asks Zoho to revoke the refresh token. */
  async disconnect(): Promise<void> {
    if (this.source) throw new CrmConflict(`Zoho is connected by the ${this.source === 'environment' ? 'environment' : 'Secrets Manager secret'}: remove it there`);
    const stored = await this.deps.state.connection();
    await this.deps.state.forgetConnection();
    if (!stored) return;
    await (this.deps.fetch ?? fetch)(`${stored.accountsUrl}/oauth/v2/token/revoke?${new URLSearchParams({ token: stored.refreshToken }).toString()}`, { method: 'POST', signal: AbortSignal.timeout(this.deps.config.timeoutMs) }).catch(() => undefined);
  }
}
