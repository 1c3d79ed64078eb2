/**
 * DynamoDB clients configured from the environment, built once per Lambda container so
 * connections (and their TLS sessions) are reused across invocations.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CRM_TABLE, EVENTS_TABLE, JOBS_TABLE, OUTBOX_TABLE, SYNC_TABLE, USERS_TABLE, defaultTableName, tableEnvVar } from './schema';

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

export interface TableNames {
  events: string;
  sync: string;
  users: string;
  outbox: string;
  /** The built-in CRM (lambda/crm/builtin). */
  crm: string;
  /** Scheduled export and reconciliation state (lambda/jobs). */
  jobs: string;
}

type Env = Record<string, string | undefined>;

/** Project override for the endpoint (DynamoDB Local, LocalStack); wins over the SDK's own. */
export const ENDPOINT_ENV = 'CALDAV_DYNAMODB_ENDPOINT';

/** Local engines accept any key pair; they only need the request to be signed. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function dynamoClientConfig(env: Env = process.env): DynamoDBClientConfig {
  const ownEndpoint = env[ENDPOINT_ENV];
  // AWS_ENDPOINT_URL(_DYNAMODB) is read by the SDK itself, so it is only noted here, not passed.
  const customEndpoint = ownEndpoint || env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  // On AWS without a region variable (the CLI with AWS_PROFILE), the SDK's own chain reads the
  // profile's region; local engines accept any region, so they get a fixed one.
  const config: DynamoDBClientConfig = region ? { region } : customEndpoint ? { region: 'us-east-1' } : {};
  if (ownEndpoint) config.endpoint = ownEndpoint;
  if (customEndpoint && !hasCredentialsInEnv(env)) config.credentials = LOCAL_CREDENTIALS;
  return config;
}

function hasCredentialsInEnv(env: Env) {
  return Boolean(
    env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      env.AWS_WEB_IDENTITY_TOKEN_FILE ||
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
      env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
}

/** New clients for an explicit configuration (tests, tools talking to several endpoints). */
export function newDynamoClients(config: DynamoDBClientConfig): DynamoClients {
  const client = new DynamoDBClient(config);
  const doc = DynamoDBDocumentClient.from(client, {
    // Optional fields (e.g. a user's timeZone) are simply left off the item.
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc };
}

let shared: DynamoClients | undefined;

/** The container-wide clients, configured from process.env on first use. */
export function createDynamoClients(): DynamoClients {
  shared ??= newDynamoClients(dynamoClientConfig());
  return shared;
}

/** Physical table names from EVENTS_TABLE / SYNC_TABLE / USERS_TABLE / OUTBOX_TABLE / CRM_TABLE / JOBS_TABLE, defaults when unset. */
export function tableNamesFromEnv(env: Env = process.env): TableNames {
  const name = (spec: typeof EVENTS_TABLE) => env[tableEnvVar(spec)] || defaultTableName(spec);
  return { events: name(EVENTS_TABLE), sync: name(SYNC_TABLE), users: name(USERS_TABLE), outbox: name(OUTBOX_TABLE), crm: name(CRM_TABLE), jobs: name(JOBS_TABLE) };
}
