import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLocalTarget, registerServer, runningServers, type RunningServer } from '../../../bin/lib/server-registry';

const server = (pid: number, rest: Partial<RunningServer>): RunningServer => ({ pid, url: `http://127.0.0.1:${pid}/`, ...rest });
const noData = () => false;

describe('findLocalTarget (the CLI told no --data-dir)', () => {
  it('uses ./data when a server runs on it or it holds data', () => {
    const here = resolve('./data');
    expect(findLocalTarget('./data', [server(1, { dataDir: here }), server(2, { dataDir: '/elsewhere' })], noData)).toEqual({ dataDir: here, url: 'http://127.0.0.1:1/' });
    expect(findLocalTarget('./data', [server(2, { dataDir: '/elsewhere' })], (dir) => dir === here)).toEqual({ dataDir: here });
  });

  it('otherwise uses the one running server, saying so', () => {
    expect(findLocalTarget('./data', [server(2, { dataDir: '/srv/data' })], noData)).toEqual({
      dataDir: '/srv/data',
      url: 'http://127.0.0.1:2/',
      note: 'Using the running server http://127.0.0.1:2/ (--data-dir /srv/data).',
    });
    expect(findLocalTarget('./data', [server(3, { endpoint: 'http://localhost:4566' })], noData)).toMatchObject({ endpoint: 'http://localhost:4566' });
  });

  it('tells which CRM the chosen server syncs with', () => {
    expect(findLocalTarget('./data', [server(2, { dataDir: '/srv/data', crm: 'zoho' })], noData)).toMatchObject({ dataDir: '/srv/data', crm: 'zoho' });
    expect(findLocalTarget('./data', [server(1, { dataDir: resolve('./data'), crm: 'builtin' })], noData)).toMatchObject({ crm: 'builtin' });
  });

  it('refuses rather than start an empty database: none running, or several', () => {
    expect(() => findLocalTarget('./data', [], noData)).toThrow(/no local server runs and .*data holds no data: start one with `npm start`, or pass --data-dir DIR/);
    expect(() => findLocalTarget('./data', [server(2, { dataDir: '/a' }), server(3, { dataDir: '/b' })], noData)).toThrow(
      /several local servers run; say which one with --data-dir or --dynamodb-endpoint:\n  http:\/\/127\.0\.0\.1:2\/ \(--data-dir \/a\)\n  http:\/\/127\.0\.0\.1:3\/ \(--data-dir \/b\)/,
    );
  });
});

describe('registerServer / runningServers', () => {
  it('lists this process while registered and forgets records of dead processes', () => {
    const remove = registerServer({ url: 'http://127.0.0.1:1/', dataDir: '/x' });
    expect(runningServers()).toContainEqual({ pid: process.pid, url: 'http://127.0.0.1:1/', dataDir: '/x' });
    remove();
    expect(runningServers().some((s) => s.pid === process.pid)).toBe(false);
  });
});
