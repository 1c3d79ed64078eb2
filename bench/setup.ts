/**
 * The system under test: DynamoDB Local in memory (or the engine at CALDAV_DYNAMODB_ENDPOINT),
 * fresh uniquely named tables, the local server in-process on a free port, one user.
 *
 * The server runs the production handlers behind the API Gateway v2 event path on the App
 * buildApp makes in a Lambda container; only its DynamoDB client is the bench's, so that it
 * carries the meter (by default no CRM connector: the CalDAV core; `--crm builtin` adds the
 * shipped default, the built-in CRM written on every CalDAV change).
 */
import { startLocalServer, type LocalServer } from '../bin/local-server';
import { buildApp } from '../lambda/app/build';
import { generateAppPassword, hashGeneratedPassword } from '../lambda/accounts/passwords';
import { startEngine } from './engine';
import type { DynamoMeter } from './meter';
import { HandlerCpu, ownCpuMs, processCpuMs, type CpuProbe } from './cpu';

export interface BenchSystem {
  url: string;
  endpoint: string;
  /** 'DynamoDB Local (in memory, started by the bench)' or the given endpoint. */
  engine: string;
  meter: DynamoMeter;
  cpu: CpuProbe;
  user: { email: string; authorization: string };
  /** A second server on a fresh App (a Lambda container that has seen nothing): its URL. */
  coldServer(): Promise<string>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /**
   * `builtin`: the shipped default, every CalDAV write also written to the built-in CRM (as
   * `CRM_CONNECTOR=builtin` wires it); `none`: the CalDAV core alone.
   */
  crm?: 'none' | 'builtin';
}

export async function startSystem(env: NodeJS.ProcessEnv = process.env, opts: SystemOptions = {}): Promise<BenchSystem> {
  const { endpoint, pid, engine, doc, meter, tables, onStop, stop } = await startEngine(env, 'bench');
  const handler = new HandlerCpu();
  try {
    // The App as a Lambda container builds it, on the bench's metered client and tables.
    const container = () => buildApp({ env: { ...env, CRM_CONNECTOR: opts.crm ?? 'none' }, doc, tables });
    const app = container();

    // As `user add` makes it: a generated app password, checked on every request.
    const email = 'bench@example.com';
    const password = generateAppPassword();
    await app.users.putUser({ email, passwordHash: hashGeneratedPassword(password), enabled: true, createdAt: new Date().toISOString(), name: 'Bench User' });

    const server: LocalServer = await startLocalServer({ port: 0, app, instrument: handler.instrument });
    onStop(() => server.stop());
    return {
      url: server.url.replace(/\/$/, ''),
      endpoint,
      engine,
      meter,
      cpu: { server: ownCpuMs, engine: pid ? () => processCpuMs(pid) : undefined, handler },
      user: { email, authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` },
      async coldServer() {
        const cold = await startLocalServer({ port: 0, app: container() });
        onStop(() => cold.stop());
        return cold.url.replace(/\/$/, '');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
