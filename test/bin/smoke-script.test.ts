/** scripts/smoke-deployed.sh against the local server (same handlers as a deployment). */
import { execFile, spawnSync } from 'node:child_process';
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

  it('reads method, path, target group and matched rule of its own requests from ALB access log lines', () => {
    const line = (agent: string, request: string, rule: number) =>
      `https 2026-12-02T21:40:00.123456Z app/crm-caldav/50dc6c 203.0.113.5:2817 - 0.001 0.048 0.000 207 207 412 1290 "${request}" "${agent}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/Test-AlbPro/73e2 "Root=1-5833-36d2" "caldav.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/abc" ${rule} 2026-12-02T21:40:00.074000Z "forward" "-" "-" "-" "-" "-" "-" TID_1`;
    const input = [
      line('crm-caldav-smoke/77 curl/8.5', 'PROPFIND https://caldav.example.com:443/calendars/pat@zillum.com/crm/ HTTP/1.1', 30),
      line('iOS/18.2 dataaccessd', 'GET https://caldav.example.com:443/ HTTP/1.1', 0),
      line('crm-caldav-smoke/77 curl/8.5', 'MKCALENDAR https://caldav.example.com:443/ HTTP/1.1', 0),
      'a truncated line',
    ].join('\n');
    const out = spawnSync('awk', ['-v', 'AGENT=crm-caldav-smoke/77', '-f', 'scripts/alb-log-routes.awk'], { input, encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
    expect(out.status).toBe(0);
    expect(out.stdout.trim().split('\n').map((l) => l.split('\t'))).toEqual([
      ['PROPFIND', '/calendars/pat@zillum.com/crm/', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/Test-AlbPro/73e2', '30', '207'],
      ['MKCALENDAR', '/', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/Test-AlbPro/73e2', '0', '207'],
    ]);
  });
});
