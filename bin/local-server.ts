/**
 * `npm start`: the Lambda handlers behind a plain node:http(s) server, fed with the events API
 * Gateway would build, on an embedded DynamoDB Local whose data lives under the data directory.
 *
 *   tsx bin/local-server.ts [--host 127.0.0.1] [--port 5232] [--data-dir ./data]
 *                           [--tls-cert cert.pem --tls-key key.pem]
 *                           [--dynamodb-endpoint http://…] [--dynamodb-port N]
 *                           [--schedule-minutes 15]
 *
 * Environment: CALDAV_HOST, CALDAV_PORT, CALDAV_DATA_DIR, CALDAV_TLS_CERT, CALDAV_TLS_KEY,
 * CALDAV_DYNAMODB_ENDPOINT, CALDAV_SCHEDULE_MINUTES (flags win).
 *
 * Where AWS has an EventBridge rule invoking the scheduled Lambda (lib/constructs/
 * export-schedule.ts), the server has a timer invoking the same handler with the same event.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { ScheduledResult } from '../lambda/handlers/scheduled';
import { handlerFor } from '../lambda/handlers/routing';
import { dependenciesFromEnv, setDependencies, type Dependencies } from '../lambda/http/deps';
import { logLine } from '../lambda/app/log';
import { buildApiGatewayEvent, resultToHttp } from './lib/api-gateway-event';
import { acquireDynamoDb, type EngineLease } from './lib/dynamodb-engine';
import { lambdaContext } from './lib/lambda-context';

export interface LocalServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  dataDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Use this DynamoDB instead of starting DynamoDB Local on the data directory. */
  dynamodbEndpoint?: string;
  dynamodbPort?: number;
  /** Serve these stores instead of DynamoDB (tests). */
  dependencies?: Dependencies;
  /** Environment for the handlers' configuration (table names, limits); default process.env. */
  env?: Record<string, string | undefined>;
  /** Print the banner and one line per request. */
  verbose?: boolean;
  /**
   * Run the scheduled job (lambda/handlers/scheduled.ts: outbox replay, initial exports, CRM
   * reconciliation) every this many minutes; fractions allowed. Absent or 0: no timer. Needs the
   * DynamoDB stores, so not with `dependencies`. `npm start` defaults to 15.
   */
  scheduleMinutes?: number;
  /** Delay before the first run; default 5 s, so start-up is not slowed by an export. */
  scheduleFirstRunMs?: number;
  /** Time each run gets, as the Lambda's timeout; default that of the CDK function. */
  scheduleBudgetMs?: number;
}

/** The scheduled job's timing as the server applies it. */
export interface LocalSchedule {
  intervalMs: number;
  firstRunMs: number;
  budgetMs: number;
}

export interface LocalServer {
  url: string;
  /** The DynamoDB endpoint served, when not using `dependencies`. */
  dynamodbEndpoint?: string;
  /** Null when the scheduled job does not run. */
  schedule: LocalSchedule | null;
  /** Stops listening and the timer, waiting for a scheduled run in progress to finish. */
  stop(): Promise<void>;
}

export const DEFAULTS = { host: '127.0.0.1', port: 5232, dataDir: './data', scheduleMinutes: 15 } as const;

export const SCHEDULE_DEFAULTS = {
  firstRunMs: 5_000,
  /** lib/constructs/export-schedule.ts: min(5 minutes, the interval). */
  maxBudgetMs: 5 * 60_000,
} as const;

/** API Gateway's payload limit; bigger requests never reach the Lambda there either. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

class PayloadTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        fail(new PayloadTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer, isHead: boolean) {
  // A HEAD answer may announce the GET size; everything else says what is actually sent.
  const length = isHead && headers['content-length'] !== undefined ? headers['content-length'] : String(body.length);
  res.writeHead(status, { ...headers, 'content-length': length });
  res.end(isHead ? undefined : body);
}

async function serve(req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https'): Promise<void> {
  const isHead = req.method === 'HEAD';
  try {
    const body = await readBody(req);
    const headers: Record<string, string[]> = { ...req.headersDistinct } as Record<string, string[]>;
    // What API Gateway adds in front of the integration.
    headers['x-forwarded-for'] = [req.socket.remoteAddress ?? '127.0.0.1'];
    headers['x-forwarded-proto'] = [scheme];
    headers['x-forwarded-port'] = [String(req.socket.localPort ?? '')];
    const event = buildApiGatewayEvent({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${req.httpVersion}`,
    });
    const handler = handlerFor(event.requestContext.http.method, event.rawPath);
    const result = resultToHttp(await handler(event, lambdaContext(event.requestContext.requestId)));
    send(res, result.status, result.headers, result.body, isHead);
  } catch (err) {
    if (err instanceof PayloadTooLarge) {
      send(res, 413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }, Buffer.from('Payload Too Large\n'), isHead);
      return;
    }
    logLine('error', 'Local server failure', { error: err instanceof Error ? err.stack : String(err) });
    if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, Buffer.from('Internal Server Error\n'), isHead);
    else res.destroy();
  }
}

/** Validated schedule options; null when the timer is off. */
export function scheduleOf(opts: Pick<LocalServerOptions, 'scheduleMinutes' | 'scheduleFirstRunMs' | 'scheduleBudgetMs' | 'dependencies'>): LocalSchedule | null {
  const minutes = opts.scheduleMinutes ?? 0;
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`the schedule interval must be a number of minutes ≥ 0 (0 = off), got ${minutes}`);
  if (minutes === 0) return null;
  if (opts.dependencies) throw new Error('the scheduled job runs on the DynamoDB stores: a schedule cannot be combined with injected dependencies');
  const intervalMs = minutes * 60_000;
  const firstRunMs = opts.scheduleFirstRunMs ?? SCHEDULE_DEFAULTS.firstRunMs;
  const budgetMs = opts.scheduleBudgetMs ?? Math.min(SCHEDULE_DEFAULTS.maxBudgetMs, intervalMs);
  if (!(firstRunMs >= 0) || !(budgetMs > 0)) throw new Error(`invalid schedule timing: first run after ${firstRunMs} ms, ${budgetMs} ms per run`);
  return { intervalMs, firstRunMs, budgetMs };
}

/** The event an EventBridge rate() rule sends (AWS docs, "Scheduled Event"); `time` has no milliseconds. */
export function scheduledEvent(id: string, at: Date): EventBridgeEvent<'Scheduled Event', Record<string, never>> {
  return {
    version: '0',
    id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: ['arn:aws:events:local:000000000000:rule/crm-caldav-local-schedule'],
    detail: {},
  };
}

/** A Lambda context whose remaining time counts down from `budgetMs`, as the function timeout does. */
function scheduledContext(id: string, budgetMs: number): Context {
  const deadline = Date.now() + budgetMs;
  return { ...lambdaContext(id, 'crm-caldav-scheduled-local'), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

/** One line for the console: counts and outcomes, no event contents (as the handler logs). */
function runSummary(result: ScheduledResult): string {
  if ('skipped' in result) return `skipped: ${result.skipped}`;
  const exports = result.exports.map((e) => ('error' in e ? `${e.email} failed (${e.error})` : `${e.email} ${e.outcome} ${e.exported}/${e.total}`));
  const r = result.reconcile;
  const reconcile = 'error' in r ? `failed (${r.error})` : !r.ran ? 'not run (lease held elsewhere)' : r.started ? 'started at the feed\'s end' : `${r.applied} of ${r.examined} changes applied`;
  const retry = 'error' in result.retry ? `failed (${result.retry.error})` : `${result.retry.delivered} delivered`;
  return [`exports: ${exports.join(', ') || 'none due'}`, result.cancelled.length ? `cancelled: ${result.cancelled.join(', ')}` : '', `reconciliation: ${reconcile}`, `outbox: ${retry}`]
    .filter(Boolean)
    .join('; ');
}

/** Invokes the scheduled Lambda handler once, as EventBridge would; never throws. */
async function invokeScheduled(budgetMs: number): Promise<void> {
  const id = randomUUID();
  const started = new Date();
  try {
    const { handler } = await import('../lambda/handlers/scheduled');
    const result = await handler(scheduledEvent(id, started), scheduledContext(id, budgetMs));
    logLine('info', `schedule timer: ${runSummary(result)}`, { requestId: id, ms: Date.now() - started.getTime() });
  } catch (err) {
    logLine('error', 'scheduled run failed; the next run resumes from the checkpoints', { requestId: id, error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Calls `run` after `firstRunMs`, then `intervalMs` after each start. A run that outlasts the
 * interval delays the next instead of overlapping it (the Lambda's timeout guarantees as much
 * on AWS). stop() cancels what is pending and waits for a run in progress.
 */
export function repeatWithoutOverlap(run: () => Promise<void>, timing: Pick<LocalSchedule, 'firstRunMs' | 'intervalMs'>): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const arm = (ms: number) => {
    // Unref'd: a forgotten timer must not keep a process (or a test worker) alive.
    timer = setTimeout(tick, ms).unref();
  };
  function tick() {
    const started = Date.now();
    running = run()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (!stopped) arm(Math.max(0, started + timing.intervalMs - Date.now()));
      });
  }
  arm(timing.firstRunMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

async function prepareDynamoDb(opts: LocalServerOptions, dataDir: string): Promise<{ endpoint: string; lease?: EngineLease }> {
  if (opts.dynamodbEndpoint) return { endpoint: opts.dynamodbEndpoint };
  const lease = await acquireDynamoDb({ dataDir, role: 'server', port: opts.dynamodbPort });
  return { endpoint: lease.endpoint, lease };
}

/** Creates missing tables, then installs DynamoDB-backed dependencies built as on AWS from `env`. */
async function useDynamoDb(env: Record<string, string | undefined>): Promise<void> {
  const [{ dynamoClientConfig, newDynamoClients, tableNamesFromEnv }, { ensureTables }] = await Promise.all([
    import('../lambda/store/dynamodb/client'),
    import('../lambda/store/dynamodb/bootstrap'),
  ]);
  const { client } = newDynamoClients(dynamoClientConfig(env));
  try {
    await ensureTables(client, tableNamesFromEnv(env));
  } finally {
    client.destroy();
  }
  setDependencies(await dependenciesFromEnv(env));
}

async function useJobDependencies(env: Record<string, string | undefined>): Promise<void> {
  const { jobDepsFromEnv, setJobDependencies } = await import('../lambda/jobs/from-env');
  setJobDependencies(await jobDepsFromEnv(env));
}

async function resetJobDependencies(): Promise<void> {
  const { setJobDependencies } = await import('../lambda/jobs/from-env');
  setJobDependencies(undefined);
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done(server.address() as AddressInfo);
    });
  });
}

export async function startLocalServer(opts: LocalServerOptions = {}): Promise<LocalServer> {
  const host = opts.host ?? DEFAULTS.host;
  const dataDir = resolve(opts.dataDir ?? DEFAULTS.dataDir);
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new Error('TLS needs both a certificate and a key');
  const tls = opts.tlsCert && opts.tlsKey ? { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) } : null;

  const schedule = scheduleOf(opts);

  let lease: EngineLease | undefined;
  let dynamodbEndpoint: string | undefined;
  if (opts.dependencies) {
    setDependencies(opts.dependencies);
  } else {
    ({ endpoint: dynamodbEndpoint, lease } = await prepareDynamoDb(opts, dataDir));
    const env = { ...(opts.env ?? process.env), CALDAV_DYNAMODB_ENDPOINT: dynamodbEndpoint };
    try {
      await useDynamoDb(env);
      // The job's stores from the same environment as the handlers', so on this DynamoDB.
      if (schedule) await useJobDependencies(env);
    } catch (err) {
      await lease?.release();
      throw err;
    }
  }
  if (opts.verbose) process.env.CALDAV_ACCESS_LOG = '1';

  const scheme = tls ? 'https' : 'http';
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void serve(req, res, scheme);
  const server = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
  let address: AddressInfo;
  try {
    address = await listen(server, opts.port ?? DEFAULTS.port, host);
  } catch (err) {
    if (schedule) await resetJobDependencies();
    await lease?.release();
    throw err;
  }
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${scheme}://${urlHost}:${address.port}/`;

  const timer = schedule ? repeatWithoutOverlap(() => invokeScheduled(schedule.budgetMs), schedule) : null;

  let stopping: Promise<void> | undefined;
  return {
    url,
    dynamodbEndpoint,
    schedule,
    stop: () =>
      (stopping ??= (async () => {
        const scheduleStopped = timer?.stop();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        // A run in progress finishes its batch and checkpoint before the engine goes away.
        await scheduleStopped;
        if (schedule) await resetJobDependencies();
        setDependencies(undefined);
        await lease?.release();
      })()),
  };
}

const USAGE = `Usage: npm start -- [options]

  --host HOST                 listen address (CALDAV_HOST, default ${DEFAULTS.host})
  --port PORT                 listen port (CALDAV_PORT, default ${DEFAULTS.port})
  --data-dir DIR              DynamoDB Local data (CALDAV_DATA_DIR, default ${DEFAULTS.dataDir})
  --tls-cert FILE --tls-key FILE
                              serve HTTPS (CALDAV_TLS_CERT, CALDAV_TLS_KEY)
  --dynamodb-endpoint URL     use this DynamoDB, start no engine (CALDAV_DYNAMODB_ENDPOINT)
  --dynamodb-port PORT        port for the embedded DynamoDB Local (default: any free port)
  --schedule-minutes N        run the scheduled job (initial exports, CRM reconciliation, outbox
                              retries) every N minutes, first run ${SCHEDULE_DEFAULTS.firstRunMs / 1000} s after start; 0 = off
                              (CALDAV_SCHEDULE_MINUTES, default ${DEFAULTS.scheduleMinutes})`;

function optionsFromCli(argv: string[], env: NodeJS.ProcessEnv): LocalServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'schedule-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = values.port ?? env.CALDAV_PORT;
  const dynamodbPort = values['dynamodb-port'];
  const scheduleMinutes = Number(values['schedule-minutes'] ?? (env.CALDAV_SCHEDULE_MINUTES || undefined) ?? DEFAULTS.scheduleMinutes);
  if (!Number.isFinite(scheduleMinutes) || scheduleMinutes < 0) throw new Error(`--schedule-minutes wants a number of minutes ≥ 0 (0 = off)\n\n${USAGE}`);
  return {
    host: values.host ?? env.CALDAV_HOST,
    port: port !== undefined ? Number(port) : undefined,
    dataDir: values['data-dir'] ?? env.CALDAV_DATA_DIR,
    tlsCert: values['tls-cert'] ?? env.CALDAV_TLS_CERT,
    tlsKey: values['tls-key'] ?? env.CALDAV_TLS_KEY,
    dynamodbEndpoint: values['dynamodb-endpoint'] ?? env.CALDAV_DYNAMODB_ENDPOINT,
    dynamodbPort: dynamodbPort !== undefined ? Number(dynamodbPort) : undefined,
    scheduleMinutes,
    verbose: true,
  };
}

const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

function scheduleBanner(schedule: LocalSchedule | null): string {
  if (!schedule) return 'Scheduled job (initial exports, CRM reconciliation): off (--schedule-minutes N turns it on)';
  return (
    `Scheduled job (initial exports, CRM reconciliation): every ${+(schedule.intervalMs / 60_000).toFixed(2)} min, ` +
    `first run in ${seconds(schedule.firstRunMs)}, ${seconds(schedule.budgetMs)} per run (--schedule-minutes, 0 = off)`
  );
}

async function main() {
  // Node 20 runs the pinned SDK fine; its notice about 2027 releases is noise in a dev server's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const opts = optionsFromCli(process.argv.slice(2), process.env);
  const server = await startLocalServer(opts);
  // For anything in this process that reads the endpoint the way the handlers do on AWS.
  if (server.dynamodbEndpoint) process.env.CALDAV_DYNAMODB_ENDPOINT = server.dynamodbEndpoint;
  const dataDir = opts.dataDir ?? DEFAULTS.dataDir;
  const cliTarget = opts.dynamodbEndpoint
    ? ` --dynamodb-endpoint ${opts.dynamodbEndpoint}`
    : resolve(dataDir) !== resolve(DEFAULTS.dataDir)
      ? ` --data-dir ${dataDir}`
      : '';
  console.log(
    [
      `crm-caldav listening on ${server.url}`,
      opts.dynamodbEndpoint ? `DynamoDB: ${server.dynamodbEndpoint}` : `DynamoDB Local: ${server.dynamodbEndpoint} (data in ${resolve(dataDir)})`,
      scheduleBanner(server.schedule),
      '',
      'Create a user (prints the app password to enter on the device):',
      `  npx crm-caldav user add you@example.com --name "Your Name"${cliTarget}`,
      `Then add a CalDAV account with server ${server.url}, that e-mail and the app password.`,
      'Ctrl-C stops the server.',
    ].join('\n'),
  );
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
