/**
 * A fresh, uniquely prefixed set of tables on the run's DynamoDB engine (started by
 * global-setup.ts), so test files can run in parallel without seeing each other's data.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, ListTablesCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTableInput, ensureTables } from '../../lambda/store/dynamodb/bootstrap';
import {
  ENDPOINT_ENV,
  dynamoClientConfig,
  newDynamoClients,
  type DynamoClients,
  prefixedTableNames,
  tableEnv,
  type TableNames,
} from '../../lambda/store/dynamodb/client';
import type { TableSpec } from '../../lambda/store/dynamodb/schema';

export interface TestTables extends DynamoClients {
  endpoint: string;
  tables: TableNames;
  /** Variables that point code reading the environment (createDynamoClients, tableNamesFromEnv) here. */
  env: Record<string, string>;
  /** Deletes the tables; matters on long-lived engines such as LocalStack. */
  drop(): Promise<void>;
}

export async function freshTables(): Promise<TestTables> {
  const endpoint = inject('dynamoEndpoint');
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const tables = prefixedTableNames(prefix);

  const clients = newDynamoClients(dynamoClientConfig({ ...process.env, [ENDPOINT_ENV]: endpoint }));
  await waitUntilAnswering(clients.client, endpoint);
  await ensureTables(clients.client, tables);
  const env = { [ENDPOINT_ENV]: endpoint, ...tableEnv(tables) };

  return {
    ...clients,
    endpoint,
    tables,
    env,
    async drop() {
      await Promise.all(
        Object.values(tables).map((TableName) => clients.client.send(new DeleteTableCommand({ TableName }))),
      );
      clients.client.destroy();
    },
  };
}

/** The engine may still be starting (global-setup.ts does not wait for it). */
async function waitUntilAnswering(client: DynamoDBClient, endpoint: string, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(
          `no DynamoDB engine answers at ${endpoint} (see the global setup's output for why): ${(err as Error).message}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * For a contract suite: a new table of `spec` per call (so each test's fixed keys start clean),
 * opened with `open`; every table is dropped after the file's last test.
 */
export function tablePerTest<T>(spec: TableSpec, open: (doc: TestTables['doc'], table: string) => T): () => Promise<T> {
  let t: TestTables;
  const made: string[] = [];
  beforeAll(async () => {
    t = await freshTables();
  });
  afterAll(async () => {
    await Promise.all(made.map((TableName) => t.client.send(new DeleteTableCommand({ TableName }))));
    await t?.drop();
  });
  return async () => {
    const name = `${t.tables[spec.logicalName]}-${made.length + 1}`;
    made.push(name);
    await t.client.send(new CreateTableCommand(createTableInput(spec, name)));
    await waitUntilTableExists({ client: t.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: name });
    return open(t.doc, name);
  };
}
