/**
 * The Zoho connector's parts, built together for the App (app/build.ts, CRM_CONNECTOR=zoho): the
 * connector behind the port, its per-pass upkeep, the directory of users who may have CalDAV, the
 * webhook's handling, and the connection the admin console shows and changes. Phone writes reach
 * it outbox-first: Zoho is a network away and may be slow, throttled or down.
 */
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import type { KeyReader } from '../../platform/dynamodb/key-reader';
import type { ChangeAppliers } from '../types';
import { Budget } from './budget';
import type { ZohoConfig, ZohoCredentials } from './config';
import { ZohoConnector } from './connector';
import { ZohoHttp } from './http';
import { onZohoNotification, type NotifyOutcome } from './notify';
import { ZohoState } from './state';
import { TokenSource } from './tokens';
import { ZohoUpkeep } from './upkeep';

export { zohoConfigFromEnv, type ZohoConfig } from './config';
export { ZohoConnector } from './connector';

export interface ZohoParts {
  connector: ZohoConnector;
  upkeep: ZohoUpkeep;
  state: ZohoState;
  budget: Budget;
  /** CalDAV users must be active Zoho users. */
  directory: { findUser(email: string): Promise<{ email: string; name?: string; timeZone?: string } | null> };
  /** The webhook's work for a notification's body. */
  notify(body: string, apply: ChangeAppliers): Promise<NotifyOutcome>;
  /** The credentials in use: environment, secret, or what the console stored. */
  credentials(): Promise<ZohoCredentials | null>;
}

export interface ZohoBuildOptions {
  config: ZohoConfig;
  doc: DynamoDoc;
  /** The CRM connector's table (schema.ts CRM_TABLE). */
  table: string;
  reader: KeyReader;
  now?: () => Date;
  fetch?: typeof fetch;
}

/** A Secrets Manager secret of JSON `{ clientId, clientSecret, refreshToken, accountsUrl?, apiDomain? }`, read once per container. */
function secretCredentials(arn: string, config: ZohoConfig): () => Promise<ZohoCredentials> {
  let read: Promise<ZohoCredentials> | undefined;
  return () =>
    (read ??= import('@aws-sdk/client-secrets-manager').then(async ({ SecretsManagerClient, GetSecretValueCommand }) => {
      const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
      const json = JSON.parse(out.SecretString ?? '{}') as Partial<ZohoCredentials>;
      if (!json.clientId || !json.clientSecret || !json.refreshToken) throw new Error(`the secret ${arn} needs clientId, clientSecret and refreshToken`);
      return { accountsUrl: json.accountsUrl ?? config.accountsUrl, apiDomain: json.apiDomain ?? config.apiDomain, clientId: json.clientId, clientSecret: json.clientSecret, refreshToken: json.refreshToken };
    })).catch((err: unknown) => {
      read = undefined;
      throw err;
    });
}

export function buildZoho(opts: ZohoBuildOptions): ZohoParts {
  const { config } = opts;
  const now = opts.now ?? (() => new Date());
  const state = new ZohoState(opts.doc, opts.table, opts.reader);
  const fromSecret = config.secretArn ? secretCredentials(config.secretArn, config) : null;
  const credentials = async (): Promise<ZohoCredentials | null> => config.credentials ?? (fromSecret ? await fromSecret() : await state.connection());
  const tokens = new TokenSource({ state, credentials, fetch: opts.fetch, now: () => now().getTime(), timeoutMs: config.timeoutMs });
  const budget = new Budget(state, { dailyCredits: config.dailyCredits, concurrency: config.concurrency, now });
  const http = new ZohoHttp(tokens, budget, { timeoutMs: config.timeoutMs, fetch: opts.fetch });
  const connector = new ZohoConnector({ http, state, config, now });
  return {
    connector,
    upkeep: new ZohoUpkeep({ http, state, connector, notifyUrl: config.notifyUrl, now }),
    state,
    budget,
    directory: { findUser: (email) => connector.getUser(email) },
    notify: (body, apply) => onZohoNotification(body, { state, connector, apply }),
    credentials,
  };
}
