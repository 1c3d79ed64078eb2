/**
 * Engine start-up for the local entry points (server, CLI): DynamoDB Local on the data directory
 * (or the given endpoint), the tables created when missing, and the App built on it from the
 * environment exactly as a Lambda container builds it.
 */
import { join, resolve } from 'node:path';
import { SCHEDULE_MAIL_DIR_ENV } from '../../lambda/imip/config';
import type { App } from '../../lambda/app/app';
import { buildApp } from '../../lambda/app/build';
import type { Logger } from '../../lambda/platform/log';
import type { ConsoleAssets } from '../../lambda/console/assets';
import { ensureTables } from '../../lambda/store/dynamodb/bootstrap';
import { ENDPOINT_ENV, dynamoClientConfig, newDynamoClients, tableNamesFromEnv } from '../../lambda/store/dynamodb/client';
import { acquireDynamoDb, type EngineLease } from './dynamodb-engine';
import { VERSION_ENV } from '../../lambda/platform/env';
import { PACKAGE_VERSION } from '../../lib/package-version';

type Env = Record<string, string | undefined>;

export interface LocalAppOptions {
  env: Env;
  /** Use this DynamoDB; otherwise DynamoDB Local is started (or shared) on `dataDir`. */
  endpoint?: string;
  dataDir: string;
  /** Who holds the engine (the server keeps it running for a CLI that joins it). */
  role: 'server' | 'cli';
  dynamodbPort?: number;
  /** Default: the JSON line logger (lambda/app/log.ts). */
  log?: Logger;
  /** The admin console's files (the server's; the CLI serves none). */
  console?: ConsoleAssets;
  /** Told each step of the start (engine starting, engine ready, tables ready), for people waiting. */
  onProgress?: (step: string) => void;
}

export interface LocalApp {
  app: App;
  endpoint: string;
  /** Closes the App's clients and gives the engine back. */
  close(): Promise<void>;
}

export async function openLocalApp(opts: LocalAppOptions): Promise<LocalApp> {
  const progress = opts.onProgress ?? (() => {});
  let lease: EngineLease | undefined;
  let endpoint = opts.endpoint;
  if (!endpoint) {
    progress(`Starting the DynamoDB engine (DynamoDB Local on Java, data in ${resolve(opts.dataDir)}); the first start can take some seconds…`);
    const started = Date.now();
    lease = await acquireDynamoDb({ dataDir: resolve(opts.dataDir), role: opts.role, port: opts.dynamodbPort });
    endpoint = lease.endpoint;
    progress(`DynamoDB engine ${lease.owned ? 'ready' : 'shared with the running server'} at ${endpoint} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else {
    progress(`Using DynamoDB at ${endpoint}`);
  }
  // With SCHEDULE_EMAIL=on and no relay, invitations land as .eml files beside the data.
  const mailDir = { [SCHEDULE_MAIL_DIR_ENV]: join(resolve(opts.dataDir), 'mail') };
  const env = { [VERSION_ENV]: PACKAGE_VERSION, ...mailDir, ...opts.env, [ENDPOINT_ENV]: endpoint };
  // One client for the bootstrap and the App, closed with it.
  const { client, doc } = newDynamoClients(dynamoClientConfig(env));
  try {
    const tables = await ensureTables(client, tableNamesFromEnv(env));
    progress(tables.created.length ? `Tables ready (created ${tables.created.length})` : 'Tables ready');
    const app = buildApp({ env, doc, log: opts.log, console: opts.console });
    return {
      app,
      endpoint,
      async close() {
        await app.close();
        client.destroy();
        await lease?.release();
      },
    };
  } catch (err) {
    client.destroy();
    await lease?.release();
    throw err;
  }
}
