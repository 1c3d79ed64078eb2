/**
 * `npm start`: the Lambda handlers behind a plain node:http(s) server, fed with the events API
 * Gateway would build, on an embedded DynamoDB Local whose data lives under the data directory.
 *
 *   tsx bin/local-server.ts [--host 127.0.0.1] [--port 5232] [--data-dir ./data]
 *                           [--tls-cert cert.pem --tls-key key.pem]
 *                           [--dynamodb-endpoint http://…] [--dynamodb-port N]
 *
 * Environment: CALDAV_HOST, CALDAV_PORT, CALDAV_DATA_DIR, CALDAV_TLS_CERT, CALDAV_TLS_KEY,
 * CALDAV_DYNAMODB_ENDPOINT (flags win).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { handlerFor } from '../lambda/handlers/routing';
import { dependenciesFromEnv, setDependencies, type Dependencies } from '../lambda/http/deps';
import { logLine } from '../lambda/http/middleware';
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
}

export interface LocalServer {
  url: string;
  /** The DynamoDB endpoint served, when not using `dependencies`. */
  dynamodbEndpoint?: string;
  stop(): Promise<void>;
}

export const DEFAULTS = { host: '127.0.0.1', port: 5232, dataDir: './data' } as const;

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

  let lease: EngineLease | undefined;
  let dynamodbEndpoint: string | undefined;
  if (opts.dependencies) {
    setDependencies(opts.dependencies);
  } else {
    ({ endpoint: dynamodbEndpoint, lease } = await prepareDynamoDb(opts, dataDir));
    try {
      await useDynamoDb({ ...(opts.env ?? process.env), CALDAV_DYNAMODB_ENDPOINT: dynamodbEndpoint });
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
    await lease?.release();
    throw err;
  }
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${scheme}://${urlHost}:${address.port}/`;

  let stopping: Promise<void> | undefined;
  return {
    url,
    dynamodbEndpoint,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
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
  --dynamodb-port PORT        port for the embedded DynamoDB Local (default: any free port)`;

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = values.port ?? env.CALDAV_PORT;
  const dynamodbPort = values['dynamodb-port'];
  return {
    host: values.host ?? env.CALDAV_HOST,
    port: port !== undefined ? Number(port) : undefined,
    dataDir: values['data-dir'] ?? env.CALDAV_DATA_DIR,
    tlsCert: values['tls-cert'] ?? env.CALDAV_TLS_CERT,
    tlsKey: values['tls-key'] ?? env.CALDAV_TLS_KEY,
    dynamodbEndpoint: values['dynamodb-endpoint'] ?? env.CALDAV_DYNAMODB_ENDPOINT,
    dynamodbPort: dynamodbPort !== undefined ? Number(dynamodbPort) : undefined,
    verbose: true,
  };
}

async function main() {
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
