/**
 * The scheduled job's dependencies on DynamoDB, from the environment (the same variables the
 * CalDAV handlers read). Null when no CRM connector is configured: there is nothing to export
 * from or reconcile with.
 */
import type { JobDeps } from './deps';

type Env = Record<string, string | undefined>;

export async function jobDepsFromEnv(env: Env = process.env): Promise<JobDeps | null> {
  const [client, { DynamoCalendarStore }, { DynamoUserStore }, { crmConnectorFromEnv }, { DynamoOutbox }, { crmToCaldav }, { retryPending }, { DynamoJobStore }, { configFromEnv }, { logLine }] =
    await Promise.all([
      import('../store/dynamodb/client'),
      import('../store/dynamodb/calendar-store'),
      import('../store/dynamodb/user-store'),
      import('../sync/connector-from-env'),
      import('../sync/outbox-dynamodb'),
      import('../sync/crm-to-caldav'),
      import('../sync/retry'),
      import('./job-store-dynamodb'),
      import('../app/config'),
      import('../app/log'),
    ]);
  const { doc } = client.newDynamoClients(client.dynamoClientConfig(env));
  const tables = client.tableNamesFromEnv(env);
  const crm = await crmConnectorFromEnv(env, doc);
  if (!crm) return null;
  const now = () => new Date();
  const store = new DynamoCalendarStore(doc, { events: tables.events, sync: tables.sync }, { retentionSeconds: configFromEnv(env).syncRetentionSeconds, now });
  const outbox = new DynamoOutbox(doc, tables.outbox);
  const sync = { store, crm, outbox, now, log: logLine };
  return {
    ...sync,
    users: new DynamoUserStore(doc, tables.users),
    listener: crmToCaldav(sync),
    retry: () => retryPending(sync),
    jobs: new DynamoJobStore(doc, tables.jobs),
  };
}

let current: Promise<JobDeps | null> | undefined;

export function getJobDependencies(): Promise<JobDeps | null> {
  current ??= jobDepsFromEnv().catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** Installs dependencies (local server, tests); `undefined` goes back to building from env. */
export function setJobDependencies(deps: JobDeps | null | undefined): void {
  current = deps === undefined ? undefined : Promise.resolve(deps);
}
