/**
 * A Zoho CRM v8 simulator for tests and for trying the connector without a Zoho account:
 * `startZohoSimulator()` starts an accounts server and an API server on loopback and returns
 * their URLs, the client credentials, a refresh token for the org admin, and controls (seeding,
 * faults, clock, tokens, credits). What it simulates and what it assumes: docs/zoho-simulator.md.
 */
import { Grants, type Client } from './accounts/grants';
import { createClock, type SimClock } from './clock';
import type { Invitation } from './context';
import { Faults, type Fault, type FaultMatch } from './faults';
import { IdSequence, clientId as newClientId, clientSecret as newClientSecret } from './ids';
import { Concurrency, Credits } from './limits';
import { resolveOptions, type ZohoSimulatorOptions } from './options';
import { Org } from './org';
import { PageTokens } from './paging';
import { accountsServer, apiServer, close, listen, type CallRecord } from './server';
import { createState, type SimState } from './state';
import { Channels } from './watch/channels';
import { Notifier, type Delivery } from './watch/notifier';

export type { ZohoSimulatorOptions } from './options';
export type { SimState, UserInfo, ActAs, DeletedInfo } from './state';
export type { SimClock } from './clock';
export type { Fault, FaultMatch } from './faults';
export type { Delivery } from './watch/notifier';
export type { Invitation } from './context';
export type { CallRecord } from './server';
export type { RecordJson } from './present';
export type { ModuleName, FieldDef } from './schema';
export type { NewUser, UserStatus } from './users';

export interface SimFaults {
  /** The next `times` (default 1) requests matching get `fault` instead of Zoho's answer. */
  inject(match: FaultMatch, fault: Fault, times?: number): void;
  clear(): void;
  pending(): number;
}

export interface SimTokens {
  /** Every access token expires now; the next API call with one gets INVALID_TOKEN. */
  expireAll(): void;
  /** Access tokens minted so far (authorization-code and refresh grants). */
  mints(): number;
  /** Revokes a refresh token and its access tokens, as an admin disconnecting the app would. */
  revoke(refreshToken: string): boolean;
}

export interface SimNotifications {
  /** Every callback attempted so far, with the listener's status or the error. */
  deliveries(): Delivery[];
  /** Resolves once every callback started so far has finished. */
  settled(): Promise<void>;
  /** Channel ids currently subscribed (not expired). */
  channels(): string[];
}

export interface ZohoSimulator {
  /** The API server, as `api_domain` reports it (`http://127.0.0.1:PORT`). */
  apiUrl: string;
  /** The accounts server (`http://127.0.0.1:PORT`): `/oauth/v2/auth`, `/oauth/v2/token`. */
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token for the org admin, with the connector's scopes. */
  refreshToken: string;
  state: SimState;
  faults: SimFaults;
  clock: SimClock;
  tokens: SimTokens;
  notifications: SimNotifications;
  /** API credits spent in the last 24 hours (simulated time). */
  credits(): number;
  /** Every request the two servers answered so far, oldest first (e.g. to show a phone's poll called nobody). */
  calls(): CallRecord[];
  /** The environment that points crm-caldav's Zoho connector here (CRM_CONNECTOR and the ZOHO_* credentials). */
  connectorEnv(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startZohoSimulator(options: ZohoSimulatorOptions = {}): Promise<ZohoSimulator> {
  const opts = resolveOptions(options);
  const clock = createClock(opts.startAt);
  const ids = new IdSequence();
  const org = new Org(ids, clock, { timeZone: opts.timeZone, searchIndexDelayMs: opts.searchIndexDelayMs, deleteMode: opts.deleteMode });
  const admin = org.users.add({ ...opts.admin, admin: true });
  const client: Client = { id: opts.clientId ?? newClientId(), secret: opts.clientSecret ?? newClientSecret(), redirectUris: opts.redirectUris };
  const grants = new Grants(client, clock, {
    accessTokenMs: opts.accessTokenSeconds * 1000,
    maxAccessTokens: opts.maxAccessTokens,
    tokenRequestsPerWindow: opts.tokenRequestsPerWindow,
  });
  const refresh = grants.issueRefreshToken(admin.id, opts.scopes, opts.refreshToken);
  const faults = new Faults();
  const credits = new Credits(clock, opts.creditsPerDay);
  const concurrency = new Concurrency(opts.concurrency, opts.heavyConcurrency);
  const pageTokens = new PageTokens(clock);
  const channels = new Channels(clock, ids);
  const invitations: Invitation[] = [];
  const urls = { api: '', accounts: '' };
  const history: CallRecord[] = [];
  const recordCall = (call: CallRecord) => {
    history.push(call);
    if (opts.verbose) opts.log(`zoho-sim: ${call.server} ${call.method} ${call.url} -> ${call.status ?? 'no answer'}`);
  };
  const notifier = new Notifier(org, channels, {
    apiUrl: () => urls.api,
    operations: opts.callbackOperations,
    delayMs: opts.callbackDelayMs,
    timeoutMs: opts.callbackTimeoutMs,
    log: opts.log,
  });

  const api = apiServer({
    grants,
    faults,
    credits,
    concurrency,
    options: opts,
    context: (userId, scopes) => {
      const user = org.users.get(userId);
      return user ? { org, options: opts, user, scopes, timeZone: user.time_zone, apiUrl: urls.api, pageTokens, channels, invitations } : undefined;
    },
    now: () => clock.now(),
    calls: recordCall,
  });
  const accounts = accountsServer(
    { grants, accountsUrl: () => urls.accounts, apiUrl: () => urls.api, consentingUser: () => admin.id, accessTokenSeconds: opts.accessTokenSeconds },
    faults,
    opts.log,
    () => clock.now(),
    recordCall,
  );
  const apiPort = await listen(api, opts.host, opts.port);
  const accountsPort = await listen(accounts, opts.host, opts.accountsPort).catch(async (e: unknown) => {
    await close(api);
    throw e;
  });
  const base = (port: number) => `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  urls.api = base(apiPort);
  urls.accounts = base(accountsPort);

  return {
    apiUrl: urls.api,
    accountsUrl: urls.accounts,
    clientId: client.id,
    clientSecret: client.secret,
    refreshToken: refresh.token,
    state: createState(org, admin.id, invitations),
    faults,
    clock,
    tokens: { expireAll: () => grants.expireAll(), mints: () => grants.mints(), revoke: (t) => grants.revoke(t) },
    notifications: { deliveries: () => [...notifier.deliveries], settled: () => notifier.settled(), channels: () => channels.active().map((c) => c.channelId) },
    credits: () => credits.used(),
    calls: () => [...history],
    connectorEnv: () => ({
      CRM_CONNECTOR: 'zoho',
      ZOHO_ACCOUNTS_URL: urls.accounts,
      ZOHO_API_DOMAIN: urls.api,
      ZOHO_CLIENT_ID: client.id,
      ZOHO_CLIENT_SECRET: client.secret,
      ZOHO_REFRESH_TOKEN: refresh.token,
    }),
    async stop() {
      await Promise.all([close(api), close(accounts)]);
      await notifier.settled();
    },
  };
}
