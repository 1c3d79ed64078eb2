/**
 * What the handlers need besides the request: stores, limits and a clock. Built once per Lambda
 * container from the environment on first use; tests and the local server may install their own.
 */
import { configFromEnv } from '../app/config';
import type { DavConfig, ObjectChangeHook } from '../core/types';
import type { CalendarStore, UserStore } from '../store/types';
import type { CrmApiBackend } from '../crm/api/types';
import type { JobStore } from '../jobs/job-store';
import type { CrmSync } from '../sync/wiring';

export interface Dependencies {
  store: CalendarStore;
  /** With a CRM configured, the bridge's hook: core calls it after each committed PUT or DELETE. */
  onObjectChange?: ObjectChangeHook;
  users: UserStore;
  config: DavConfig;
  now: () => Date;
  /** The CRM bridge, when a CRM connector is configured (CRM_CONNECTOR). */
  crm?: CrmSync;
  /** What the CRM REST API serves (the built-in CRM) and its admin token; loaded on first use. */
  crmApi?: () => Promise<CrmApiParts>;
  /** The scheduled jobs' state, read for export progress (the CRM API); only the jobs write it. */
  jobs?: JobStore;
}

export interface CrmApiParts {
  backend: CrmApiBackend;
  /** CRM_ADMIN_TOKEN; unset = no admin access through the API. */
  adminToken?: string;
}

type Env = Record<string, string | undefined>;

/** DynamoDB-backed dependencies; the SDK is loaded only here, so memory-store tests never pay for it. */
export async function dependenciesFromEnv(env: Env = process.env): Promise<Dependencies> {
  const [{ dynamoClientConfig, newDynamoClients, tableNamesFromEnv }, { DynamoCalendarStore }, { DynamoUserStore }, { crmConnectorFromEnv }, { DynamoJobStore }] = await Promise.all([
    import('../store/dynamodb/client'),
    import('../store/dynamodb/calendar-store'),
    import('../store/dynamodb/user-store'),
    import('../sync/connector-from-env'),
    import('../jobs/job-store-dynamodb'),
  ]);
  const config = configFromEnv(env);
  const now = () => new Date();
  // Own clients for `env` (not the SDK's process-wide ones): the local server and tests may point
  // successive instances at different endpoints. Still one set per container, via `current`.
  const { doc } = newDynamoClients(dynamoClientConfig(env));
  const tables = tableNamesFromEnv(env);
  const store = new DynamoCalendarStore(doc, { events: tables.events, sync: tables.sync }, {
    retentionSeconds: config.syncRetentionSeconds,
    now,
  });
  const users = new DynamoUserStore(doc, tables.users);
  let crmApi: Promise<CrmApiParts> | undefined;
  const base: Dependencies = {
    store,
    users,
    config,
    now,
    jobs: new DynamoJobStore(doc, tables.jobs),
    // The API's backend (with people and versions beyond the connector port) is built only when the CRM API handler asks.
    crmApi: () =>
      (crmApi ??= import('../crm/builtin').then(({ BuiltinCrm }) => ({
        backend: new BuiltinCrm(doc, { table: tables.crm, users, now }),
        adminToken: env.CRM_ADMIN_TOKEN || undefined,
      }))),
  };
  const connector = await crmConnectorFromEnv(env, doc);
  if (!connector) return base;
  const [{ wireCrmSync }, { DynamoOutbox }, { logLine }] = await Promise.all([
    import('../sync/wiring'),
    import('../sync/outbox-dynamodb'),
    import('../app/log'),
  ]);
  return { ...base, ...wireCrmSync(store, connector, new DynamoOutbox(doc, tables.outbox), { now, log: logLine }) };
}

let current: Promise<Dependencies> | undefined;

export function getDependencies(): Promise<Dependencies> {
  current ??= dependenciesFromEnv().catch((err: unknown) => {
    // A failed build (e.g. a bad env var) must not be cached for the container's lifetime.
    current = undefined;
    throw err;
  });
  return current;
}

/** Installs dependencies (tests, local server); `undefined` goes back to building from env. */
export function setDependencies(deps: Dependencies | undefined): void {
  current = deps ? Promise.resolve(deps) : undefined;
}
