/**
 * `npm start`: the Lambda handlers behind a plain node:http(s) server, fed with the events API
 * Gateway would build, on an embedded DynamoDB Local whose data lives under the data directory,
 * with a timer in place of the EventBridge rule. See `npm start -- --help` (bin/lib/server-args.ts).
 *
 * The pieces: bin/lib/local-app.ts (engine and App), bin/lib/http-bridge.ts (HTTP to Lambda
 * events), bin/lib/schedule-timer.ts (the scheduled handler on a timer).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '../lambda/app/app';
import { fixedApp } from '../lambda/app/container';
import { errorText, logLine } from '../lambda/platform/log';
import type { ConsoleAssets } from '../lambda/console/assets';
import { createRouter, type Router } from '../lambda/handlers/routing';
import { scheduledHandler } from '../lambda/handlers/scheduled';
import { httpBridge } from './lib/http-bridge';
import { openLocalApp, type LocalApp } from './lib/local-app';
import { registerServer } from './lib/server-registry';
import { connectorName } from '../lambda/app/build';
import { SCHEDULE_MINUTES_ENV } from '../lambda/platform/env';
import { invokeScheduled, repeatWithoutOverlap, scheduleOf, type LocalSchedule } from './lib/schedule-timer';
import { DEFAULTS, USAGE, banner, serverArgs, type ServerArgs } from './lib/server-args';

export { DEFAULTS } from './lib/server-args';
export { SCHEDULE_DEFAULTS, repeatWithoutOverlap, scheduleOf, scheduledEvent, type LocalSchedule } from './lib/schedule-timer';

export interface LocalServerOptions extends ServerArgs {
  /** 0 picks a free port. */
  port?: number;
  /** Serve this App instead of building one on DynamoDB (tests, the bench's metered client). */
  app?: App;
  /** Wraps the router (the bench measures each handler's CPU this way). */
  instrument?: (route: Router) => Router;
  /** Environment the App is configured from (table names, limits, CRM_CONNECTOR); default process.env. */
  env?: Record<string, string | undefined>;
  /** Told each step of the start-up (`npm start` prints them), before the server listens. */
  onProgress?: (step: string) => void;
}

export interface LocalServer {
  url: string;
  /** The DynamoDB endpoint served, when the server built its own App. */
  dynamodbEndpoint?: string;
  /** The App behind the handlers. */
  app: App;
  /** Null when the scheduled job does not run. */
  schedule: LocalSchedule | null;
  /** Stops listening and the timer, waiting for a scheduled run in progress to finish. */
  stop(): Promise<void>;
}

/** A refused port, said with the flag that changes it. */
function portError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE') return new Error(`${host}:${port} is already in use (another crm-caldav server?): choose another port with --port N (or CALDAV_PORT)`);
  if (err.code === 'EACCES') return new Error(`not allowed to listen on ${host}:${port}: choose a port above 1023 with --port N (or CALDAV_PORT)`);
  return err;
}

function listen(server: Server | NetServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((done, fail) => {
    const refused = (err: NodeJS.ErrnoException) => fail(portError(err, host, port));
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      done(server.address() as AddressInfo);
    });
  });
}

/**
 * Whether the port can be had, known at once instead of after the engine's seconds of start-up;
 * the server itself listens only once it can answer, so no request waits on a half-started one.
 */
async function probePort(port: number, host: string): Promise<void> {
  const probe = createNetServer();
  await listen(probe, port, host);
  await new Promise<void>((done) => probe.close(() => done()));
}

/** The admin console, built from its sources (esbuild, a development dependency); without it, no console. */
async function consoleFiles(): Promise<ConsoleAssets | undefined> {
  try {
    const { buildConsole } = await import('./lib/console-build');
    return await buildConsole();
  } catch (err) {
    logLine('error', 'the admin console could not be built; /crm/admin/ answers 404', { error: errorText(err) });
    return undefined;
  }
}

export async function startLocalServer(opts: LocalServerOptions = {}): Promise<LocalServer> {
  const host = opts.host ?? DEFAULTS.host;
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new Error('TLS needs both a certificate and a key');
  const tls = opts.tlsCert && opts.tlsKey ? { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) } : null;
  const schedule = scheduleOf(opts);

  // `npm start` logs each request unless CALDAV_ACCESS_LOG says otherwise (0 turns it off).
  if (opts.verbose) process.env.CALDAV_ACCESS_LOG ??= '1';

  const port = opts.port ?? DEFAULTS.port;
  const progress = opts.onProgress ?? (() => {});
  if (port !== 0) await probePort(port, host);
  const dataDir = resolve(opts.dataDir ?? DEFAULTS.dataDir);
  let local: LocalApp;
  if (opts.app) {
    local = { app: opts.app, endpoint: '', close: async () => {} };
  } else {
    const assets = await consoleFiles();
    if (assets) progress('Admin console built');
    local = await openLocalApp({ env: { ...(opts.env ?? process.env), [SCHEDULE_MINUTES_ENV]: String(opts.scheduleMinutes ?? 0) }, endpoint: opts.dynamodbEndpoint, dataDir, role: 'server', dynamodbPort: opts.dynamodbPort, console: assets, onProgress: progress });
  }
  const { app } = local;
  const scheme = tls ? 'https' : 'http';
  const router = createRouter(fixedApp(app));
  const onRequest = httpBridge(opts.instrument ? opts.instrument(router) : router, scheme, app.log);
  const server = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
  let address: AddressInfo;
  try {
    address = await listen(server, port, host);
  } catch (err) {
    await local.close();
    throw err;
  }
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${scheme}://${urlHost}:${address.port}/`;
  // So the CLI finds this server's database from any directory (bin/lib/server-registry.ts).
  const unregister = opts.app ? () => {} : registerServer({ url, crm: connectorName(opts.env ?? process.env), ...(opts.dynamodbEndpoint ? { endpoint: opts.dynamodbEndpoint } : { dataDir }) });

  const scheduled = scheduledHandler(fixedApp(app));
  const timer = schedule ? repeatWithoutOverlap(() => invokeScheduled(scheduled, schedule.budgetMs, app.log), schedule) : null;

  let stopping: Promise<void> | undefined;
  return {
    url,
    dynamodbEndpoint: local.endpoint || undefined,
    app,
    schedule,
    stop: () =>
      (stopping ??= (async () => {
        unregister();
        const scheduleStopped = timer?.stop();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        // A run in progress finishes its batch and checkpoint before the engine goes away.
        await scheduleStopped;
        await local.close();
      })()),
  };
}

async function main() {
  // Node 20 runs the pinned SDK fine; its notice about 2027 releases is noise in a dev server's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = serverArgs(process.argv.slice(2), process.env);
  if (!args) {
    console.log(USAGE);
    return;
  }
  console.log('crm-caldav starting…');
  const server = await startLocalServer({ ...args, onProgress: (step) => console.log(`  ${step}`) });
  // For anything in this process that reads the endpoint the way the handlers do on AWS.
  if (server.dynamodbEndpoint) process.env.CALDAV_DYNAMODB_ENDPOINT = server.dynamodbEndpoint;
  console.log(banner(args, server));
  const shutdown = (signal: string) => {
    console.log(`\n${signal}: stopping…`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
