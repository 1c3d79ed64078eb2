/**
 * The parts every App on DynamoDB with a CRM shares, configured from the environment exactly as
 * on AWS: the base (dynamo-base.ts: tables, limits, the key reader, users, activity), the
 * calendar store whose writes commit the CRM's part and, with CRM_CONNECTOR `builtin` (the
 * default), the built-in CRM and its outbox. buildApp (build.ts, on the SDK's client) and
 * buildDavApp (build-dav.ts, on a wire from the environment) both start here, each giving the
 * DynamoDB it reaches.
 */
import { BuiltinCrm } from '../crm/builtin';
import { buildZoho, zohoConfigFromEnv } from '../crm/zoho';
import type { CrmConnector } from '../crm/types';
import { DynamoOutbox } from '../sync/outbox-dynamodb';
import type { Env } from '../platform/env';
import { logLine, type Logger } from '../platform/log';
import { externalSchedulingFromEnv } from '../imip/config';
import type { DynamoDoc } from '../platform/dynamodb/wire';
import { calendarStore, dynamoBase, type DynamoBase, type DynamoBaseOptions } from './dynamo-base';
import type { DavAppParts } from './dav-app';

export const CRM_CONNECTOR_ENV = 'CRM_CONNECTOR';
/** The built-in CRM is the embedded default; `none` opts out explicitly. */
export const DEFAULT_CRM_CONNECTOR = 'builtin';
const CONNECTORS = ['none', 'builtin', 'zoho'] as const;
type ConnectorName = (typeof CONNECTORS)[number];

export function connectorName(env: Env): ConnectorName {
  const name = (env[CRM_CONNECTOR_ENV] ?? DEFAULT_CRM_CONNECTOR).trim() || DEFAULT_CRM_CONNECTOR;
  if (!(CONNECTORS as readonly string[]).includes(name)) throw new Error(`${CRM_CONNECTOR_ENV} must be one of ${CONNECTORS.join(', ')}, got "${name}"`);
  return name as ConnectorName;
}

export interface DynamoAppOptions extends DynamoBaseOptions {
  env?: Env;
  log?: Logger;
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

/** The DynamoDB the parts reach (the SDK's document client, or a wire of its own) and how to let it go. */
export interface DynamoConnection {
  doc: DynamoDoc;
  close: () => void;
}

export interface DynamoParts extends Omit<DavAppParts, keyof DynamoBase>, DynamoBase {
  /** The built-in CRM when it is the CRM (CRM_CONNECTOR=builtin), else null. */
  builtin: BuiltinCrm | null;
  /** The Zoho connector and its configuration when Zoho is the CRM (CRM_CONNECTOR=zoho), else null. */
  zoho: { parts: ReturnType<typeof buildZoho>; config: ReturnType<typeof zohoConfigFromEnv> } | null;
  connector: ConnectorName;
}

/** Whether the CRM mails its participants itself (then never we too): a hosted connector's flag. */
const sendsInvitations = (connector: CrmConnector | null) => connector?.sendsInvitations === true;

/** Builds without contacting DynamoDB; a bad variable throws here, before any request. */
export function dynamoParts(opts: DynamoAppOptions, env: Env, { doc, close }: DynamoConnection): DynamoParts {
  const connector = connectorName(env);
  const base = dynamoBase(doc, opts, env, close);
  const { tables, reader, users, now } = base;
  const outbox = new DynamoOutbox(doc, tables.outbox);
  // The built-in CRM only when it is the CRM: with `none` or a hosted CRM nothing of it is wired.
  const builtin = connector === 'builtin' && !opts.hostedCrm ? new BuiltinCrm(doc, { table: tables.crm, users, reader, now }) : null;
  // Zoho reads its configuration here, so a bad variable fails the build, before any request.
  const zohoConfig = connector === 'zoho' && !opts.hostedCrm ? zohoConfigFromEnv(env) : null;
  const zoho = zohoConfig ? buildZoho({ config: zohoConfig, doc, table: tables.crm, reader, now, fetch: opts.fetch }) : null;
  const hosted = opts.hostedCrm ?? zoho?.connector ?? null;
  // What commits with each phone write: the built-in CRM's records (it shares the calendar's
  // DynamoDB), or for a CRM elsewhere the outbox entry its worker delivers.
  const participant = builtin ? builtin.participant(opts.log ?? logLine) : hosted ? outbox.participant(now) : undefined;
  // On Lambda the outbox table's stream delivers; elsewhere (the local server) this process does.
  const inProcess = (opts.deliverInProcess ?? !env.LAMBDA_TASK_ROOT) ? { retryDelaysMs: opts.retryDelaysMs } : undefined;
  return {
    ...base,
    log: opts.log,
    store: calendarStore(base, participant),
    builtin,
    zoho: zoho && zohoConfig ? { parts: zoho, config: zohoConfig } : null,
    connector,
    bridge: builtin
      ? { connector: builtin, outbox, delivery: 'in-transaction' }
      : hosted
        ? { connector: hosted, outbox, delivery: 'outbox-first', inProcess }
        : undefined,
    // Invitations outside the deployment are ours (SCHEDULE_EMAIL) unless the CRM mails its participants itself.
    scheduling: externalSchedulingFromEnv(env, { crmSendsInvitations: sendsInvitations(builtin ?? hosted) }),
  };
}
