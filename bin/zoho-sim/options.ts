/**
 * Everything about the simulated Zoho that a test or a user may want to change, with defaults
 * that follow /work/notes/zoho-v8-facts.md (and docs/zoho-simulator.md where Zoho is silent).
 */
export interface ZohoSimulatorOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** API server port (`api_domain`); 0 or absent = any free port. */
  port?: number;
  /** Accounts server port (OAuth); 0 or absent = any free port. */
  accountsPort?: number;
  /**
   * The org's time zone, and every user's unless `addUser` gives one (default America/Los_Angeles).
   * Zoho writes date-times in the calling user's zone, whatever offset the writer used.
   */
  timeZone?: string;
  /** Simulated time at start (ms since epoch); default now. */
  startAt?: number;
  /** API credits per rolling 24 hours (default 50,000, Enterprise's base). */
  creditsPerDay?: number;
  /** Concurrent API calls per org (default 20, Enterprise). */
  concurrency?: number;
  /** Concurrent heavy calls (writes of more than 10 records) per org (default 10). */
  heavyConcurrency?: number;
  /** How long a write takes to become searchable through `/search` (default 0). */
  searchIndexDelayMs?: number;
  /** What an API DELETE leaves in `/deleted` (default `recycle`). */
  deleteMode?: 'recycle' | 'permanent';
  /** Unknown field names in a write: refused with INVALID_DATA (default) or ignored. */
  unknownFields?: 'reject' | 'ignore';
  /** Refuse updates of fields whose metadata says api_update:false (default false). */
  enforceApiUpdate?: boolean;
  /** Whether `/Events/upsert` takes a custom unique field (unconfirmed by Zoho's docs; default true). */
  eventsUpsert?: boolean;
  /** HTTP status of INVALID_TOKEN answers (default 401). */
  invalidTokenStatus?: number;
  /** Words the notification callbacks use for `operation` (default Zoho's sample: insert/update/delete). */
  callbackOperations?: 'insert-update-delete' | 'create-edit-delete';
  /** Real milliseconds before a callback is sent (default 0) and how long to wait for its answer (5,000). */
  callbackDelayMs?: number;
  callbackTimeoutMs?: number;
  /** Access-token lifetime in seconds (default 3600). */
  accessTokenSeconds?: number;
  /** Active access tokens per refresh token; the next one invalidates the oldest (default 10). */
  maxAccessTokens?: number;
  /** Access-token requests per refresh token per 10 minutes (default 10). */
  tokenRequestsPerWindow?: number;
  /** Largest COQL LIMIT (default 200, the OAS's maxItems). */
  coqlMaxLimit?: number;
  /** Registered redirect URIs of the simulated client; empty = any. */
  redirectUris?: string[];
  /** Scopes of the pre-issued refresh token (default: everything the connector needs). */
  scopes?: string[];
  /** Client credentials and the admin's refresh token (default: generated), e.g. to keep them across restarts. */
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** The org admin who owns the pre-issued refresh token (default Patricia Boyle, patriciab@zillum.com). */
  admin?: { email: string; firstName?: string; lastName?: string; timeZone?: string };
  /** Where to report notable events (callback failures); default silent. */
  log?: (line: string) => void;
  /** Also report every request and its status to `log` (default false). */
  verbose?: boolean;
}

export const DEFAULT_SCOPES = [
  'ZohoCRM.modules.ALL',
  'ZohoCRM.settings.fields.ALL',
  'ZohoCRM.users.READ',
  'ZohoCRM.coql.READ',
  'ZohoCRM.notifications.ALL',
];

type Optional = 'startAt' | 'clientId' | 'clientSecret' | 'refreshToken';

export type ResolvedOptions = Required<Omit<ZohoSimulatorOptions, Optional | 'log'>> & Pick<ZohoSimulatorOptions, Optional> & { log: (line: string) => void };

export function resolveOptions(o: ZohoSimulatorOptions = {}): ResolvedOptions {
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    accountsPort: o.accountsPort ?? 0,
    timeZone: o.timeZone ?? 'America/Los_Angeles',
    startAt: o.startAt,
    creditsPerDay: o.creditsPerDay ?? 50_000,
    concurrency: o.concurrency ?? 20,
    heavyConcurrency: o.heavyConcurrency ?? 10,
    searchIndexDelayMs: o.searchIndexDelayMs ?? 0,
    deleteMode: o.deleteMode ?? 'recycle',
    unknownFields: o.unknownFields ?? 'reject',
    enforceApiUpdate: o.enforceApiUpdate ?? false,
    eventsUpsert: o.eventsUpsert ?? true,
    invalidTokenStatus: o.invalidTokenStatus ?? 401,
    callbackOperations: o.callbackOperations ?? 'insert-update-delete',
    callbackDelayMs: o.callbackDelayMs ?? 0,
    callbackTimeoutMs: o.callbackTimeoutMs ?? 5_000,
    accessTokenSeconds: o.accessTokenSeconds ?? 3600,
    maxAccessTokens: o.maxAccessTokens ?? 10,
    tokenRequestsPerWindow: o.tokenRequestsPerWindow ?? 10,
    coqlMaxLimit: o.coqlMaxLimit ?? 200,
    redirectUris: o.redirectUris ?? [],
    scopes: o.scopes ?? DEFAULT_SCOPES,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    refreshToken: o.refreshToken,
    admin: o.admin ?? { email: 'patriciab@zillum.com', firstName: 'Patricia', lastName: 'Boyle' },
    verbose: o.verbose ?? false,
    log: o.log ?? (() => {}),
  };
}
