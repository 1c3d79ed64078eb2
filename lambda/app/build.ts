/**
 * The App on DynamoDB, configured from the environment exactly as on AWS: table names, limits,
 * CRM_CONNECTOR (`builtin`, the default, `zoho` or `none`) and CRM_ADMIN_TOKEN. One built-in CRM
 * instance serves both the bridge and the CRM REST API, on the same clock. Its CalDAV side is
 * built from the same parts (dynamo-parts.ts) as a CalDAV function's (build-dav.ts).
 */
import { join } from 'node:path';
import { readConsoleAssets, type ConsoleAssets } from '../console/assets';
import { ZohoConnection } from '../crm/zoho/connection';
import { zohoCallbackMount, zohoNotifyMount } from './zoho-mount';
import { DynamoAdminStore } from '../accounts/admin-store-dynamodb';
import { DynamoAuditStore } from '../accounts/audit-store-dynamodb';
import { DynamoThrottleStore } from '../accounts/throttle-store-dynamodb';
import { auditRetentionDays } from '../accounts/audit';
import { ALLOWLIST_ENV, parseAllowlist } from '../api/allowlist';
import { DynamoJobStore } from '../jobs/job-store-dynamodb';
import { composeApp, type App } from './app';
import { aboutFromEnv } from '../platform/env';
import { SCHEDULED_FUNCTION_ENV, invokeScheduled } from '../platform/export-now';
import { logLine } from '../platform/log';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { wireFor, type WireHook } from '../platform/dynamodb/wire';
import { dynamoClientConfig, newDynamoClients } from '../store/dynamodb/client';
import { dynamoParts, type DynamoAppOptions as PartsOptions } from './dynamo-parts';
import { withTasks } from './task-parts';

export { CRM_CONNECTOR_ENV, DEFAULT_CRM_CONNECTOR, connectorName } from './dynamo-parts';

export interface DynamoAppOptions extends PartsOptions {
  /** The admin console's files; default: `console/` beside the function's code on Lambda, else none. */
  console?: ConsoleAssets;
  /** A client of the caller's (the bench's metered one); default new clients from `env`, closed with the App. */
  doc?: DynamoDBDocumentClient;
  /** Wraps the DynamoDB client made here (the X-Ray Tracer's capture, where it pays). */
  instrument?: <C extends object>(client: C) => C;
  /** Around every call the stores make over the wire beside that client (X-Ray's subsegments, with `instrument`). */
  traceWire?: WireHook;
}


/** Builds without contacting DynamoDB; a bad variable throws here, before any request. */
export function buildApp(opts: DynamoAppOptions = {}): App {
  const env = opts.env ?? process.env;
  // Own clients for `env` (not the SDK's process-wide ones): the local server and tests point
  // successive Apps at different endpoints. Still one set per container: the App is built once.
  // The SDK's client, whose provider chain knows profiles and SSO, for the CLI and the local server.
  const own = opts.doc ? null : newDynamoClients(dynamoClientConfig(env), opts.instrument);
  const doc = opts.doc ?? own!.doc;
  if (own && opts.traceWire) wireFor(own.doc).use(opts.traceWire);
  const close = () => {
    if (!own) return;
    wireFor(own.doc).destroy();
    own.client.destroy();
  };
  // With CRM tasks (task-parts.ts): the CalDAV functions' App (build-dav.ts) goes without.
  const parts = withTasks(dynamoParts(opts, env, { doc, close }));
  const { tables, builtin, zoho, now, reader } = parts;
  const jobs = new DynamoJobStore(doc, tables.jobs);
  const zohoConnection = zoho
    ? new ZohoConnection({ ...zoho.parts, config: zoho.config, lastReconcileAt: async () => (await jobs.getReconcile()).lastRunAt ?? null, now, fetch: opts.fetch })
    : null;
  return composeApp({
    ...parts,
    jobs,
    builtinCrmApi: builtin ?? undefined,
    crmName: opts.hostedCrm ? 'hosted' : parts.connector,
    directory: zoho?.parts.directory,
    upkeep: zoho?.parts.upkeep,
    connection: zohoConnection ?? undefined,
    mounts: zoho && zohoConnection ? (apply) => [zohoNotifyMount(zoho.parts, apply), zohoCallbackMount(zohoConnection, opts.log ?? logLine)] : undefined,
    adminToken: env.CRM_ADMIN_TOKEN || undefined,
    exportTrigger: env[SCHEDULED_FUNCTION_ENV] ? invokeScheduled(env[SCHEDULED_FUNCTION_ENV], env) : undefined,
    about: aboutFromEnv(env),
    admins: new DynamoAdminStore(doc, tables.admins, reader),
    audit: new DynamoAuditStore(doc, tables.audit, auditRetentionDays(env), now),
    throttle: new DynamoThrottleStore(doc, tables.admins, reader),
    allowlist: parseAllowlist(env[ALLOWLIST_ENV]),
    console: opts.console ?? (env.LAMBDA_TASK_ROOT ? readConsoleAssets(join(env.LAMBDA_TASK_ROOT, 'console')) : undefined),
  });
}
