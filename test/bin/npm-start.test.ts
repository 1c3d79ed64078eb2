/** `npm start` as people run it: stopping the npm process stops the server it started. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../bin/lib/dynamodb-engine';
import { runningServers } from '../../bin/lib/server-registry';
import { freshTables, type TestTables } from '../helpers/dynamo';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(() => t?.drop());

const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !what(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('npm start', () => {
  it('stops the server (no orphan) when the npm process gets SIGTERM', async () => {
    const npm = spawn('npm', ['start', '--', '--port', '0', '--dynamodb-endpoint', t.endpoint, '--schedule-minutes', '0'], {
      env: { ...process.env, ...t.env, CALDAV_ACCESS_LOG: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /listening on (http:\S+)/.test(out), 30_000);
    const url = /listening on (http:\S+)/.exec(out)![1];
    // Start-up said what it was doing before it said it listens.
    const order = ['crm-caldav starting…', `Using DynamoDB at ${t.endpoint}`, 'Tables ready', 'listening on'].map((line) => out.indexOf(line));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), out).toBe(true);
    const server = runningServers().find((s) => s.url === url);
    expect(server, out).toBeDefined();
    expect(server!.pid).not.toBe(npm.pid);

    npm.kill('SIGTERM');
    await until(() => !processAlive(server!.pid), 15_000);
    expect(runningServers().some((s) => s.url === url)).toBe(false);
  }, 60_000);
});
