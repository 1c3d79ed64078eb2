/**
 * Running local servers, one small file each under the temp directory, so a CLI started in
 * another directory (or without the server's --data-dir) finds the database the server uses
 * instead of starting an empty one of its own.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { dbPath, processAlive } from './dynamodb-engine';

export interface RunningServer {
  pid: number;
  url: string;
  /** The data directory whose DynamoDB Local the server holds (absolute), or… */
  dataDir?: string;
  /** …the DynamoDB it was pointed at. */
  endpoint?: string;
  /** The CRM it syncs with (CRM_CONNECTOR), so a CLI configured for another one can say so. */
  crm?: string;
}

/** Per OS user, so two people on one machine do not see each other's servers. */
export const registryDir = () => join(tmpdir(), `crm-caldav-${userInfo().uid}`, 'servers');

/** Records this process's server; the returned function removes the record again. */
export function registerServer(entry: Omit<RunningServer, 'pid'>): () => void {
  const dir = registryDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${process.pid}.json`);
  writeFileSync(path, JSON.stringify({ pid: process.pid, ...entry }));
  return () => {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
}

/** Servers whose process still runs; records of dead ones are removed on the way. */
export function runningServers(): RunningServer[] {
  let names: string[];
  try {
    names = readdirSync(registryDir()).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const found: RunningServer[] = [];
  for (const name of names) {
    const path = join(registryDir(), name);
    try {
      const entry = JSON.parse(readFileSync(path, 'utf8')) as RunningServer;
      if (typeof entry.pid === 'number' && processAlive(entry.pid)) found.push(entry);
      else unlinkSync(path);
    } catch {
      // Half-written or removed meanwhile: not a server to use.
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** Where to connect; `url` and `note` when a running server was chosen. */
export type LocalTarget = ({ dataDir: string } | { endpoint: string }) & { url?: string; note?: string; crm?: string };

/**
 * Where a CLI command without --data-dir or an endpoint should look: the default directory when
 * its server runs or it holds data, else the one running server, else nowhere (an error saying
 * what to do, rather than a new empty database whose passwords no server would accept).
 */
export function findLocalTarget(defaultDataDir: string, servers = runningServers(), hasData = (dir: string) => existsSync(dbPath(dir))): LocalTarget {
  const here = resolve(defaultDataDir);
  const local = servers.find((s) => s.dataDir === here);
  if (local || hasData(here)) return { dataDir: here, ...(local ? { url: local.url, crm: local.crm } : {}) };
  const describe = (s: RunningServer) => `${s.url} (${s.dataDir ? `--data-dir ${s.dataDir}` : `--dynamodb-endpoint ${s.endpoint}`})`;
  if (servers.length === 1) {
    const [only] = servers;
    const note = `Using the running server ${describe(only!)}.`;
    return { ...(only!.dataDir ? { dataDir: only!.dataDir } : { endpoint: only!.endpoint! }), url: only!.url, note, crm: only!.crm };
  }
  if (servers.length > 1) {
    throw new Error(`several local servers run; say which one with --data-dir or --dynamodb-endpoint:\n${servers.map((s) => `  ${describe(s)}`).join('\n')}`);
  }
  throw new Error(`no local server runs and ${here} holds no data: start one with \`npm start\`, or pass --data-dir DIR (or --dynamodb-endpoint URL, or --aws)`);
}
