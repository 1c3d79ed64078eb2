/**
 * The App on DynamoDB, configured from the environment exactly as on AWS: table names, limits,
 * CRM_CONNECTOR (`builtin`, the default, or `none`) and CRM_ADMIN_TOKEN. One built-in CRM
 * instance serves both the bridge and the CRM REST API, on the same clock.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import { readConsoleAssets, type ConsoleAssets } from '../console/assets';
import { BuiltinCrm } from '../crm/builtin';
import { buildZoho, zohoConfigFromEnv } from '../crm/zoho';
import { ZohoConnection } from '../crm/zoho/connection';
import { zohoCallbackMount, zohoNotifyMount } from './zoho-mount';
import type { CrmConnector } from '../crm/types';
import { DynamoActivityStore } from '../accounts/activity-store-dynamodb';
import { DynamoAdminStore } from '../accounts/admin-store-dynamodb';
import { DynamoAuditStore } from '../accounts/audit-store-dynamodb';
import { DynamoThrottleStore } from '../accounts/throttle-store-dynamodb';
import { auditRetentionDays } from '../accounts/audit';
import { ALLOWLIST_ENV, parseAllowlist } from '../api/allowlist';
import { DynamoJobStore } from '../jobs/job-store-dynamodb';
import { dynamoClientConfig, newDynamoClients, tableNamesFromEnv, type TableNames } from '../store/dynamodb/client';
import { DynamoCalendarStore } from '../store/dynamodb/calendar-store';
import { KeyReader } from '../platform/dynamodb/key-reader';
import { ListingCache } from '../store/listing-cache';
import { DynamoUserStore } from '../store/dynamodb/user-store';
import { DynamoOutbox } from '../sync/outbox-dynamodb';
import { composeApp, type App } from './app';
import { configFromEnv } from './config';
import { aboutFromEnv } from '../platform/env';
import { SCHEDULED_FUNCTION_ENV, invokeScheduled } from '../platform/export-now';
import { logLine, type Logger } from '../platform/log';
import { externalSchedulingFromEnv } from '../imip/config';

type Env = Record<string, string | undefined>;

export const CRM_CONNECTOR_ENV = 'CRM_CONNECTOR';
/** The built-in CRM is the embedded default; `none` opts out explicitly; `zoho` syncs with Zoho CRM. */
export const DEFAULT_CRM_CONNECTOR = 'builtin';
const CONNECTORS = ['none', 'builtin', 'zoho'] as const;
type ConnectorName = (typeof CONNECTORS)[number];

export function connectorName(env: Env): ConnectorName {
  const name = (env[CRM_CONNECTOR_ENV] ?? DEFAULT_CRM_CONNECTOR).trim() || DEFAULT_CRM_CONNECTOR;
  if (!(CONNECTORS as readonly string[]).includes(name)) throw new Error(`${CRM_CONNECTOR_ENV} must be one of ${CONNECTORS.join(', ')}, got "${name}"`);
  return name as ConnectorName;
}

export interface DynamoAppOptions {
  env?: Env;
  /** A client of the caller's (the bench's metered one); default new clients from `env`, closed with the App. */
  doc?: DynamoDBDocumentClient;
  /** Default: from `env` (EVENTS_TABLE, …). */
  tables?: TableNames;
  now?: () => Date;
  log?: Logger;
  /** The admin console's files; default: `console/` beside the function's code on Lambda, else none. */
  console?: ConsoleAssets;
  /**
   * A CRM reached over the network instead of the one CRM_CONNECTOR names (tests give a memory
   * CRM standing in for one): phone writes reach it outbox-first.
   */
  hostedCrm?: CrmConnector;
  /** Outbox-first deliveries in this process: waits between failed tries (default outbox-worker.ts's). */
  retryDelaysMs?: number[];
  /** Whether this process delivers outbox-first changes itself; default everywhere but on Lambda (the stream's trigger does). */
  deliverInProcess?: boolean;
  /** How the Zoho connector reaches Zoho (tests count or fault calls); default global fetch. */
  fetch?: typeof fetch;
}

/** Whether the CRM mails its participants itself (then never we too): a hosted connector's flag. */
const sendsInvitations = (connector: CrmConnector | null) => connector?.sendsInvitations === true;

/** Builds without contacting DynamoDB; a bad variable throws here, before any request. */
export function buildApp(opts: DynamoAppOptions = {}): App {
  const env = opts.env ?? process.env;
  const config = configFromEnv(env);
  const connector = connectorName(env);
  const now = opts.now ?? (() => new Date());
  // Own clients for `env` (not the SDK's process-wide ones): the local server and tests point
  // successive Apps at different endpoints. Still one set per container: the App is built once.
  const own = opts.doc ? null : newDynamoClients(dynamoClientConfig(env));
  const doc = opts.doc ?? own!.doc;
  const tables = opts.tables ?? tableNamesFromEnv(env);
  // One reader for both stores: a request's user and its data are read in one BatchGetItem.
  const reader = new KeyReader(doc);
  const users = new DynamoUserStore(doc, tables.users, reader);
  const outbox = new DynamoOutbox(doc, tables.outbox);
  // The built-in CRM only when it is the CRM: with `none` or a hosted CRM nothing of it is wired.
  const builtin = connector === 'builtin' && !opts.hostedCrm ? new BuiltinCrm(doc, { table: tables.crm, users, reader, now }) : null;
  // Zoho reads its configuration here, so a bad variable fails the build, before any request.
  const zohoConfig = connector === 'zoho' && !opts.hostedCrm ? zohoConfigFromEnv(env) : null;
  const zoho = zohoConfig ? buildZoho({ config: zohoConfig, doc, table: tables.crm, reader, now, fetch: opts.fetch }) : null;
  const hosted = opts.hostedCrm ?? zoho?.connector ?? null;
  const jobs = new DynamoJobStore(doc, tables.jobs);
  const zohoConnection =
    zoho && zohoConfig ? new ZohoConnection({ ...zoho, config: zohoConfig, lastReconcileAt: async () => (await jobs.getReconcile()).lastRunAt ?? null, now, fetch: opts.fetch }) : null;
  // What commits with each phone write: the built-in CRM's records (it shares the calendar's
  // DynamoDB), or for a CRM elsewhere the outbox entry its worker delivers.
  const participant = builtin ? builtin.participant(opts.log ?? logLine) : hosted ? outbox.participant(now) : undefined;
  // Listings and query candidates from memory, checked against the counter each request reads.
  const store = new ListingCache(
    new DynamoCalendarStore(doc, { events: tables.events, sync: tables.sync }, { retentionSeconds: config.syncRetentionSeconds, now, reader, participant }),
  );
  // On Lambda the outbox table's stream delivers; elsewhere (the local server) this process does.
  const inProcess = (opts.deliverInProcess ?? !env.LAMBDA_TASK_ROOT) ? { retryDelaysMs: opts.retryDelaysMs } : undefined;
  return composeApp({
    config,
    now,
    log: opts.log,
    users,
    store,
    jobs,
    bridge: builtin
      ? { connector: builtin, outbox, delivery: 'in-transaction' }
      : hosted
        ? { connector: hosted, outbox, delivery: 'outbox-first', inProcess }
        : undefined,
    builtinCrmApi: builtin ?? undefined,
    crmName: opts.hostedCrm ? 'hosted' : connector,
    directory: zoho?.directory,
    upkeep: zoho?.upkeep,
    connection: zohoConnection ?? undefined,
    mounts: zoho && zohoConnection ? (apply) => [zohoNotifyMount(zoho, apply), zohoCallbackMount(zohoConnection, opts.log ?? logLine)] : undefined,
    adminToken: env.CRM_ADMIN_TOKEN || undefined,
    exportTrigger: env[SCHEDULED_FUNCTION_ENV] ? invokeScheduled(env[SCHEDULED_FUNCTION_ENV], env) : undefined,
    about: aboutFromEnv(env),
    admins: new DynamoAdminStore(doc, tables.admins, reader),
    activity: new DynamoActivityStore(doc, tables.activity),
    audit: new DynamoAuditStore(doc, tables.audit, auditRetentionDays(env), now),
    throttle: new DynamoThrottleStore(doc, tables.admins, reader),
    allowlist: parseAllowlist(env[ALLOWLIST_ENV]),
    console: opts.console ?? (env.LAMBDA_TASK_ROOT ? readConsoleAssets(join(env.LAMBDA_TASK_ROOT, 'console')) : undefined),
    // Invitations outside the deployment are ours (SCHEDULE_EMAIL) unless the CRM mails its participants itself.
    scheduling: externalSchedulingFromEnv(env, { crmSendsInvitations: sendsInvitations(builtin ?? hosted) }),
    close: () => own?.client.destroy(),
  });
}
