/**
 * The system under test: DynamoDB Local in memory (or the engine at CALDAV_DYNAMODB_ENDPOINT),
 * fresh uniquely named tables, the local server in-process on a free port, one user.
 *
 * The server runs the production handlers behind the API Gateway v2 event path; only its stores
 * are built here instead of by lambda/http/deps.ts, so that their DynamoDB client carries the
 * meter. They are the same classes, configured the same way (by default no CRM connector: the CalDAV core; `--crm builtin` adds
 * the shipped default, the built-in CRM written on every CalDAV change).
 */
import { startLocalServer, type LocalServer } from '../bin/local-server';
import { configFromEnv } from '../lambda/app/config';
import { hashPassword } from '../lambda/http/passwords';
import { BuiltinCrm } from '../lambda/crm/builtin';
import { DynamoCalendarStore } from '../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../lambda/store/dynamodb/user-store';
import { DynamoOutbox } from '../lambda/sync/outbox-dynamodb';
import { wireCrmSync } from '../lambda/sync/wiring';
import { startEngine } from './engine';
import type { DynamoMeter } from './meter';

export interface BenchSystem {
  url: string;
  endpoint: string;
  /** 'DynamoDB Local (in memory, started by the bench)' or the given endpoint. */
  engine: string;
  meter: DynamoMeter;
  user: { email: string; authorization: string };
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
  const { endpoint, engine, doc, meter, tables, onStop, stop } = await startEngine(env, 'bench');
  try {
    const config = configFromEnv(env);
    const now = () => new Date();
    const users = new DynamoUserStore(doc, tables.users);
    const store = new DynamoCalendarStore(doc, { events: tables.events, sync: tables.sync }, {
      retentionSeconds: config.syncRetentionSeconds,
      now,
    });

    // Production scrypt cost: the server's verification cache makes it a first-request cost only.
    const email = 'bench@example.com';
    const password = 'bench-pass-word-0001';
    await users.putUser({ email, passwordHash: await hashPassword(password), enabled: true, createdAt: now().toISOString(), name: 'Bench User' });

    const base = { store, users, config, now };
    const dependencies = opts.crm === 'builtin' ? { ...base, ...wireCrmSync(store, new BuiltinCrm(doc, { table: tables.crm, users, now }), new DynamoOutbox(doc, tables.outbox), { now }) } : base;
    const server: LocalServer = await startLocalServer({ port: 0, dependencies });
    onStop(() => server.stop());
    return {
      url: server.url.replace(/\/$/, ''),
      endpoint,
      engine,
      meter,
      user: { email, authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
