/**
 * DynamoDB clients configured from the environment, built once per Lambda container so
 * connections (and their TLS sessions) are reused across invocations.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MARSHALL_OPTIONS } from '../../platform/dynamodb/wire-values';
import { ENDPOINT_ENV, LOCAL_CREDENTIALS } from './environment';

export { ENDPOINT_ENV, prefixedTableNames, tableEnv, tableNamesFromEnv, type TableNames } from './environment';

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

type Env = Record<string, string | undefined>;



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
export function newDynamoClients(config: DynamoDBClientConfig, instrument: <C extends object>(client: C) => C = (c) => c): DynamoClients {
  const client = instrument(new DynamoDBClient(config));
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { ...MARSHALL_OPTIONS } });
  return { client, doc };
}

let shared: DynamoClients | undefined;

/** The container-wide clients, configured from process.env on first use. */
export function createDynamoClients(): DynamoClients {
  shared ??= newDynamoClients(dynamoClientConfig());
  return shared;
}
