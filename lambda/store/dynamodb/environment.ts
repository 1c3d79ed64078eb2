/**
 * Table names and where DynamoDB is, apart from the SDK's clients (client.ts): the functions that
 * reach DynamoDB over the lean wire alone (wireFromEnv) read them without loading the SDK.
 */
import { awsEndpoint, DynamoWire, type WireCredentials, type WireTarget } from '../../platform/dynamodb/wire';
import { TABLES, defaultTableName, tableEnvVar, type TableSpec } from './schema';

type Env = Record<string, string | undefined>;

/** Physical name of each table, by its logical name (schema.ts says what each holds). */
export type TableNames = Record<TableSpec['logicalName'], string>;

/** Every table named `<prefix>-<logical name>`. */
export const prefixedTableNames = (prefix?: string): TableNames =>
  Object.fromEntries(TABLES.map((spec) => [spec.logicalName, defaultTableName(spec, prefix)])) as TableNames;

/** Project override for the endpoint (DynamoDB Local, LocalStack); wins over the SDK's own. */
export const ENDPOINT_ENV = 'CALDAV_DYNAMODB_ENDPOINT';

/** Physical table names from EVENTS_TABLE, SYNC_TABLE, … (tableEnvVar), defaults when unset. */
export function tableNamesFromEnv(env: Env = process.env): TableNames {
  return Object.fromEntries(TABLES.map((spec) => [spec.logicalName, env[tableEnvVar(spec)] || defaultTableName(spec)])) as TableNames;
}

/** The variables that point tableNamesFromEnv at `names`. */
export const tableEnv = (names: TableNames): Record<string, string> =>
  Object.fromEntries(TABLES.map((spec) => [tableEnvVar(spec), names[spec.logicalName]]));

/** Local engines accept any key pair; they only need the request to be signed. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Where the lean wire goes and as whom, from the environment by client.ts's rules for the SDK's
 * client: CALDAV_DYNAMODB_ENDPOINT, then AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL, else the
 * region's endpoint; the credentials Lambda puts in the environment, or any pair for a local
 * engine. Throws what is missing.
 */
export function wireTargetFromEnv(env: Env = process.env): WireTarget {
  const custom = env[ENDPOINT_ENV] || env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (custom ? 'us-east-1' : undefined);
  if (!region) throw new Error('No AWS_REGION in the environment to reach DynamoDB in');
  let credentials: WireCredentials;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
  } else if (custom) {
    credentials = LOCAL_CREDENTIALS;
  } else {
    throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), as Lambda sets them');
  }
  return { url: new URL(custom || awsEndpoint('dynamodb', region)), region, credentials: async () => credentials };
}

/**
 * The lean wire on wireTargetFromEnv, for the functions that build no SDK client at all
 * (app/build-read-dav.ts); elsewhere the wire takes all of this from the SDK's client, whose
 * provider chain knows profiles and SSO too.
 */
export const wireFromEnv = (env: Env = process.env): DynamoWire => new DynamoWire(async () => wireTargetFromEnv(env));
