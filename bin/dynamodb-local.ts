/**
 * Runs AWS's DynamoDB Local, the jar shipped in the amplify-dynamodb-simulator package, on the
 * machine's Java. Used by the local server (data on disk) and by the test run (in memory).
 *
 * As a script: `tsx bin/dynamodb-local.ts [--port 8000] [--db-path ./data]` prints the endpoint
 * and runs until interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** TCP port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Directory for the database file; omitted keeps everything in memory. */
  dbPath?: string;
  /** How long to wait for the engine to answer, in ms. */
  startTimeoutMs?: number;
  /** Extra JVM options, e.g. QUICK_START_JVM_ARGS. */
  jvmArgs?: string[];
  /** Aborting kills the engine if it is still starting, and rejects the start. */
  signal?: AbortSignal;
}

export interface DynamoDbLocal {
  endpoint: string;
  /** The engine's JVM (the bench counts its CPU). */
  pid?: number;
  stop(): Promise<void>;
}

const JAVA_MISSING =
  'DynamoDB Local needs a Java runtime (17 or later) as `java` on PATH. ' +
  'On Debian/Ubuntu: apt-get install default-jre-headless';

/**
 * JIT and GC settings that cut the engine's start-up CPU by about 40%: for short-lived engines
 * (test runs) on small machines, where peak throughput does not matter.
 */
export const QUICK_START_JVM_ARGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** Kept short: enough of the engine's output to explain a failed start. */
const OUTPUT_LIMIT = 8 * 1024;

export function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('amplify-dynamodb-simulator/package.json');
  return join(dirname(pkg), 'emulator');
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const dir = emulatorDir();
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDBLocal.jar not found in ${dir}: run npm ci`);
  }
  const port = opts.port || (await freePort());
  const storage = opts.dbPath ? ['-dbPath', ensureDir(opts.dbPath)] : ['-inMemory'];
  const args = [
    ...(opts.jvmArgs ?? []),
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
    '-sharedDb',
    ...storage,
  ];
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(child, endpoint, opts.startTimeoutMs ?? 30_000, () => output, opts.signal);
  } catch (err) {
    process.removeListener('exit', killOnExit);
    child.kill('SIGKILL');
    throw err;
  }
  return {
    endpoint,
    pid: child.pid,
    async stop() {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    },
  };
}

function ensureDir(path: string): string {
  // Absolute, because the engine runs with the emulator directory as its working directory.
  const abs = resolve(path);
  mkdirSync(abs, { recursive: true });
  return abs;
}

/** A port the OS just handed out; tiny race with other processes, acceptable for local runs. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

async function waitUntilReady(
  child: ChildProcess,
  endpoint: string,
  timeoutMs: number,
  output: () => string,
  signal?: AbortSignal,
) {
  let exited: string | null = null;
  let spawnError: Error | null = null;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  child.once('error', (err) => (spawnError = err));

  const probe = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) {
        const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        throw new Error(missing ? JAVA_MISSING : `could not start java: ${(spawnError as Error).message}`);
      }
      if (exited) throw new Error(`DynamoDB Local ${exited} before answering:\n${output()}`);
      signal?.throwIfAborted();
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    probe.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

function parseArgs(argv: string[]): DynamoDbLocalOptions {
  const opts: DynamoDbLocalOptions = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') opts.port = Number(argv[++i]);
    else if (argv[i] === '--db-path') opts.dbPath = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (expected --port N, --db-path DIR)`);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const local = await startDynamoDbLocal(parseArgs(process.argv.slice(2)));
  console.log(`DynamoDB Local listening on ${local.endpoint} (Ctrl-C to stop)`);
  const shutdown = () => void local.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
