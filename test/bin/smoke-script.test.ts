/** scripts/smoke-deployed.sh against the local server (same handlers as a deployment). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInteropServer, type InteropServer, type TestUser } from '../helpers/server';

const run = promisify(execFile);
let server: InteropServer;
let user: TestUser;

beforeAll(async () => {
  server = await startInteropServer();
  user = await server.addUser('smoke@example.com');
});
afterAll(async () => {
  await server?.stop();
});

describe('smoke-deployed.sh', () => {
  it('sends every DAV method to / and a deep path, and passes when none gets a 5xx', async () => {
    const { stdout } = await run('bash', ['scripts/smoke-deployed.sh', server.url, user.email, user.password], { cwd: new URL('../..', import.meta.url).pathname });
    const rows = stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    expect(rows.map(([m]) => m)).toEqual(expect.arrayContaining(['OPTIONS', 'PROPFIND', 'REPORT', 'PROPPATCH', 'MKCALENDAR', 'GET', 'HEAD', 'PUT', 'DELETE']));
    const status = (method: string, path: string) => rows.find(([m, p]) => m === method && p === path)?.[2];
    const deep = rows.find(([m]) => m === 'PUT')![1]!;
    expect(status('PUT', deep)).toBe('201');
    expect(status('DELETE', deep)).toBe('204');
    expect(status('REPORT', `/calendars/${user.email}/crm/`)).toBe('207');
    expect(status('PROPFIND', '/.well-known/caldav')).toMatch(/^30[1278]$/);
    for (const [, , s] of rows) expect(Number(s)).toBeLessThan(500);
  });
});
