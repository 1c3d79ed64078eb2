/**
 * The DynamoDB side of every bench: DynamoDB Local in memory (or the engine at
 * CALDAV_DYNAMODB_ENDPOINT), uniquely prefixed tables dropped at the end, and one client whose
 * calls are counted per logical table by the meter.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../bin/dynamodb-local';
import { ensureTables } from '../lambda/store/dynamodb/bootstrap';
import { ENDPOINT_ENV, dynamoClientConfig, newDynamoClients, prefixedTableNames, type TableNames } from '../lambda/store/dynamodb/client';
import { DynamoMeter } from './meter';

export interface BenchEngine {
  endpoint: string;
  /** DynamoDB Local's JVM when the bench started it. */
  pid?: number;
  /** For the report: which engine, and who started it. */
  engine: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  meter: DynamoMeter;
  /** Every table, created. */
  tables: TableNames;
  /** Creates more tables (dropped at stop), counted under their logical names. */
  createTables(names: TableNames): Promise<void>;
  /** Runs at stop, before the tables and the engine go (last registered first). */
  onStop(cleanup: () => Promise<unknown>): void;
  stop(): Promise<void>;
}

export async function startEngine(env: NodeJS.ProcessEnv, prefix: string): Promise<BenchEngine> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup:', err));
  };
  try {
    let endpoint = env[ENDPOINT_ENV];
    let engine = `${endpoint} (${ENDPOINT_ENV})`;
    let pid: number | undefined;
    if (!endpoint) {
      // Default JVM flags: the quick-start ones trade peak throughput for start-up time.
      const local = await startDynamoDbLocal({});
      cleanups.push(() => local.stop());
      endpoint = local.endpoint;
      pid = local.pid;
      engine = 'DynamoDB Local 1.25 (-inMemory, started by the bench)';
    }
    const labels = new Map<string, string>();
    const meter = new DynamoMeter((physical) => labels.get(physical) ?? physical);
    const { client, doc } = newDynamoClients(dynamoClientConfig({ ...env, [ENDPOINT_ENV]: endpoint }));
    cleanups.push(async () => client.destroy());
    const created = new Set<string>();
    cleanups.push(() => Promise.all([...created].map((TableName) => client.send(new DeleteTableCommand({ TableName })))));
    const createTables = async (names: TableNames) => {
      await ensureTables(client, names);
      for (const [logical, physical] of Object.entries(names)) {
        created.add(physical);
        labels.set(physical, logical);
      }
    };
    const unique = `${prefix}${randomUUID().slice(0, 6)}`;
    const tables = prefixedTableNames(unique);
    await createTables(tables);
    meter.attach(client, doc);
    return { endpoint, pid, engine, client, doc, meter, tables, createTables, onStop: (c) => cleanups.push(c), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
