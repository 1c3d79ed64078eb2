/**
 * Creates the tables described in schema.ts when missing (local engines, first start of the
 * local server, tests). On AWS the CDK stack owns the tables; this is never run there.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from './client';
import { TABLES, type TableSpec } from './schema';
import { isNamed } from '../../platform/dynamodb/retry';

export interface BootstrapResult {
  /** Physical names of the tables this call created. */
  created: string[];
  /** Whether the engine keeps TTL on the sync table; local engines may not support it. */
  ttl: 'enabled' | 'unsupported';
}

const WAIT_SECONDS = 60;

/** Idempotent: safe to call at every start, and concurrently. */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<BootstrapResult> {
  const results = await Promise.all(TABLES.map((spec) => ensureTable(client, spec, names[spec.logicalName])));
  return {
    created: results.filter((r) => r.created).map((r) => r.tableName),
    ttl: results.every((r) => r.ttl) ? 'enabled' : 'unsupported',
  };
}

async function ensureTable(client: DynamoDBClient, spec: TableSpec, tableName: string) {
  let created = false;
  if (!(await tableExists(client, tableName))) {
    try {
      await client.send(new CreateTableCommand(createTableInput(spec, tableName)));
      created = true;
    } catch (err) {
      // Another process created it between our check and our create: fine.
      if (!isNamed(err, 'ResourceInUseException')) throw err;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: WAIT_SECONDS, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const ttl = spec.ttlAttribute ? await enableTtl(client, tableName, spec.ttlAttribute) : true;
  return { tableName, created, ttl };
}

async function tableExists(client: DynamoDBClient, tableName: string) {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (err) {
    if (isNamed(err, 'ResourceNotFoundException')) return false;
    throw err;
  }
}

export function createTableInput(spec: TableSpec, tableName: string) {
  const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
  const KeySchema: KeySchemaElement[] = keys.map((k, i) => ({
    AttributeName: k.name,
    KeyType: i === 0 ? 'HASH' : 'RANGE',
  }));
  const AttributeDefinitions: AttributeDefinition[] = keys.map((k) => ({
    AttributeName: k.name,
    AttributeType: k.type,
  }));
  return { TableName: tableName, KeySchema, AttributeDefinitions, BillingMode: 'PAY_PER_REQUEST' as const };
}

/** True when TTL is (being) enabled; false when the engine does not implement TTL. */
async function enableTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<boolean> {
  try {
    const { TimeToLiveDescription: d } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    if ((d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING') && d.AttributeName === attribute) {
      return true;
    }
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
      }),
    );
    return true;
  } catch (err) {
    if (isUnsupported(err)) return false;
    // Two concurrent bootstraps: the other one enabled it first.
    if (isNamed(err, 'ValidationException') && /already enabled/i.test(String((err as Error).message))) return true;
    throw err;
  }
}

function isUnsupported(err: unknown) {
  return (
    isNamed(err, 'UnknownOperationException') ||
    isNamed(err, 'NotImplementedException') ||
    isNamed(err, 'NotImplemented') ||
    /not (yet )?(supported|implemented)/i.test(String((err as Error | undefined)?.message))
  );
}
