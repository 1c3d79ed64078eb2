import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDynamoDb, endpointAnswers, lockPath } from '../../../bin/lib/dynamodb-engine';

// Stands in for a running DynamoDB Local: answers ListTables.
let fake: Server;
let endpoint: string;
const dirs: string[] = [];

beforeAll(async () => {
  fake = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end('{"TableNames":[]}');
  });
  await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
});
afterAll(() => {
  fake.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDirWithLock(record: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'crm-caldav-lock-'));
  dirs.push(dir);
  writeFileSync(lockPath(dir), JSON.stringify(record));
  return dir;
}

describe('acquireDynamoDb', () => {
  it('lets the CLI reuse a running server engine without owning it', async () => {
    const dataDir = dataDirWithLock({ pid: process.pid, role: 'server', endpoint });
    const lease = await acquireDynamoDb({ dataDir, role: 'cli' });
    expect(lease).toMatchObject({ endpoint, owned: false });
    await lease.release();
  });

  it('refuses a second server on the same data directory', async () => {
    const dataDir = dataDirWithLock({ pid: process.pid, role: 'server', endpoint });
    await expect(acquireDynamoDb({ dataDir, role: 'server' })).rejects.toThrow(/already uses/);
  });

  it('waits for a CLI-held engine, then gives up instead of starting a second engine', async () => {
    const dataDir = dataDirWithLock({ pid: process.pid, role: 'cli', endpoint });
    await expect(acquireDynamoDb({ dataDir, role: 'server', waitMs: 300 })).rejects.toThrow(/held by pid/);
  });

  it('probes endpoints', async () => {
    expect(await endpointAnswers(endpoint)).toBe(true);
    expect(await endpointAnswers('http://127.0.0.1:1', 500)).toBe(false);
  });
});
