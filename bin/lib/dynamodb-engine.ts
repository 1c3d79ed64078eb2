/**
 * One DynamoDB Local per data directory, shared by the local server and the CLI.
 *
 * Two engines on the same -dbPath would corrupt each other's SQLite file, so whoever starts the
 * engine first records it in `<dataDir>/endpoint.json` ({pid, role, endpoint}), created with an
 * exclusive open. Others then reuse that engine (the CLI while a server runs), wait for it to go
 * away (anyone while a CLI command holds it), or refuse (a second server). A record whose process
 * is gone, or whose endpoint no longer answers, is stale and removed.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDynamoDbLocal } from '../dynamodb-local';

export type EngineRole = 'server' | 'cli';

interface LockRecord {
  pid: number;
  role: EngineRole;
  /** Null while the owner is still starting the engine. */
  endpoint: string | null;
}

export interface EngineLease {
  endpoint: string;
  /** True when this process started the engine and must stop it. */
  owned: boolean;
  release(): Promise<void>;
}

export interface AcquireOptions {
  dataDir: string;
  role: EngineRole;
  /** Port for an engine we start; omitted picks a free one. */
  port?: number;
  /** How long to wait for another process's short-lived hold (a CLI command, a starting engine). */
  waitMs?: number;
}

export const lockPath = (dataDir: string) => join(resolve(dataDir), 'endpoint.json');
export const dbPath = (dataDir: string) => join(resolve(dataDir), 'dynamodb');

function parseLock(raw: string | null): LockRecord | null {
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<LockRecord>;
    if (typeof value.pid !== 'number' || (value.role !== 'server' && value.role !== 'cli')) return null;
    return { pid: value.pid, role: value.role, endpoint: typeof value.endpoint === 'string' ? value.endpoint : null };
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function endpointAnswers(endpoint: string, timeoutMs = 2000): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

const tempPath = (path: string) => `${path}.${process.pid}.tmp`;

/** Written aside then hard-linked into place: the lock never appears half-written, and link fails if it exists. */
function tryCreateLock(path: string, record: LockRecord): boolean {
  const tmp = tempPath(path);
  writeFileSync(tmp, JSON.stringify(record));
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function updateLock(path: string, record: LockRecord): void {
  const tmp = tempPath(path);
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, path);
}

/** Removes the lock only if it still says what we judged stale (another process may have replaced it). */
function removeStale(path: string, seen: string | null): void {
  try {
    if (readFileSync(path, 'utf8') === seen) unlinkSync(path);
  } catch {
    // Gone already.
  }
}

function rawLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function removeLockIfOurs(path: string): void {
  if (parseLock(rawLock(path))?.pid === process.pid) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Finds or starts the engine for `dataDir` according to the rules above. */
export async function acquireDynamoDb(opts: AcquireOptions): Promise<EngineLease> {
  const path = lockPath(opts.dataDir);
  mkdirSync(resolve(opts.dataDir), { recursive: true });
  const deadline = Date.now() + (opts.waitMs ?? 20_000);

  for (;;) {
    const raw = rawLock(path);
    const held = parseLock(raw);
    if (held && processAlive(held.pid)) {
      const live = held.endpoint !== null && (await endpointAnswers(held.endpoint));
      if (live && held.role === 'server' && opts.role === 'cli') {
        return { endpoint: held.endpoint!, owned: false, release: async () => undefined };
      }
      if (live && held.role === 'server') {
        throw new Error(`A local server (pid ${held.pid}) already uses ${opts.dataDir}, its DynamoDB at ${held.endpoint}`);
      }
      if (live || held.endpoint === null) {
        // A CLI command or a starting engine: both are brief.
        if (Date.now() > deadline) {
          throw new Error(`${path} is held by pid ${held.pid} (${held.role}); remove it if that process is not ours`);
        }
        await sleep(250);
        continue;
      }
    }
    // Stale (dead owner or dead engine) or unreadable: clear it and race for a fresh lock.
    if (raw !== null) removeStale(path, raw);
    if (tryCreateLock(path, { pid: process.pid, role: opts.role, endpoint: null })) break;
  }

  try {
    const engine = await startDynamoDbLocal({ port: opts.port, dbPath: dbPath(opts.dataDir) });
    updateLock(path, { pid: process.pid, role: opts.role, endpoint: engine.endpoint });
    return {
      endpoint: engine.endpoint,
      owned: true,
      async release() {
        await engine.stop();
        removeLockIfOurs(path);
      },
    };
  } catch (err) {
    removeLockIfOurs(path);
    throw err;
  }
}
