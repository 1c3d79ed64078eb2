/**
 * Which CRM the bridge talks to, from CRM_CONNECTOR: `builtin` (the default: the embedded CRM on
 * the crm and users tables), `none` (a plain CalDAV server) or the name of another connector.
 * Each connector is loaded only when chosen, so a deployment never initialises the ones it does
 * not use.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CrmConnector } from '../crm/types';

type Env = Record<string, string | undefined>;

export const CRM_CONNECTOR_ENV = 'CRM_CONNECTOR';

type Loader = (env: Env, doc: DynamoDBDocumentClient) => Promise<CrmConnector>;

/** The issue makes the built-in CRM the embedded default; `none` opts out explicitly. */
export const DEFAULT_CRM_CONNECTOR = 'builtin';

const LOADERS: Record<string, Loader> = {
  builtin: async (env, doc) => {
    const [{ BuiltinCrm }, { DynamoUserStore }, { tableNamesFromEnv }] = await Promise.all([
      import('../crm/builtin'),
      import('../store/dynamodb/user-store'),
      import('../store/dynamodb/client'),
    ]);
    const tables = tableNamesFromEnv(env);
    return new BuiltinCrm(doc, { table: tables.crm, users: new DynamoUserStore(doc, tables.users) });
  },
};

export async function crmConnectorFromEnv(env: Env, doc: DynamoDBDocumentClient): Promise<CrmConnector | null> {
  const name = (env[CRM_CONNECTOR_ENV] ?? DEFAULT_CRM_CONNECTOR).trim() || DEFAULT_CRM_CONNECTOR;
  if (name === 'none') return null;
  const load = LOADERS[name];
  if (!load) throw new Error(`${CRM_CONNECTOR_ENV} must be one of ${['none', ...Object.keys(LOADERS)].join(', ')}, got "${name}"`);
  return load(env, doc);
}
