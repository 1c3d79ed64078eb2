/**
 * Which CRM the bridge talks to, from CRM_CONNECTOR: `none` (the default: a plain CalDAV
 * server) or the name of a connector. Each connector is loaded only when chosen, so a
 * deployment never bundles or initialises the ones it does not use.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CrmConnector } from '../crm/types';

type Env = Record<string, string | undefined>;

export const CRM_CONNECTOR_ENV = 'CRM_CONNECTOR';

type Loader = (env: Env, doc: DynamoDBDocumentClient) => Promise<CrmConnector>;

const LOADERS: Record<string, Loader> = {};

export async function crmConnectorFromEnv(env: Env, doc: DynamoDBDocumentClient): Promise<CrmConnector | null> {
  const name = (env[CRM_CONNECTOR_ENV] ?? 'none').trim() || 'none';
  if (name === 'none') return null;
  const load = LOADERS[name];
  if (!load) throw new Error(`${CRM_CONNECTOR_ENV} must be one of ${['none', ...Object.keys(LOADERS)].join(', ')}, got "${name}"`);
  return load(env, doc);
}
