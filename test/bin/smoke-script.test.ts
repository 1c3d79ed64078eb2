/** scripts/smoke-deployed.sh against the local server (same handlers as a deployment). */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInteropServer, type InteropServer, type TestUser } from '../helpers/server';

const run = promisify(execFile);
let server: InteropServer;
let real: TestUser;

beforeAll(async () => {
  server = await startInteropServer();
  real = await server.addUser('real@example.com');
});
afterAll(async () => {
  await server?.stop();
});

describe('smoke-deployed.sh', () => {
  it('as a throwaway user it creates and deletes, sends every DAV method to / and a deep path, one verdict per method', async () => {
    const before = (await server.users.listUsers()).map((u) => u.email);
    const { stdout } = await run('bash', ['scripts/smoke-deployed.sh', server.url], {
      cwd: new URL('../..', import.meta.url).pathname,
      // The CLI reaches this server's tables as `--aws` reaches a deployment's.
      env: { ...process.env, ...server.tables.env, SMOKE_CLI_FLAGS: '' },
    });
    const user = /Throwaway user (\S+)/.exec(stdout)?.[1] ?? '';
    expect(user).toMatch(/^smoke-.*@smoke\.invalid$/);
    const rows = stdout.split('\n').filter((l) => /^[A-Z]+ +\//.test(l)).map((l) => l.split(/\s+/));
    expect(rows.map(([m]) => m)).toEqual(expect.arrayContaining(['OPTIONS', 'PROPFIND', 'REPORT', 'PROPPATCH', 'MKCALENDAR', 'GET', 'HEAD', 'PUT', 'DELETE']));
    const status = (method: string, path: string) => rows.find(([m, p]) => m === method && p === path)?.[2];
    const deep = rows.find(([m]) => m === 'PUT')![1]!;
    expect(deep.startsWith(`/calendars/${user}/crm/`)).toBe(true);
    expect(status('PUT', deep)).toBe('201');
    expect(status('DELETE', deep)).toBe('204');
    expect(status('REPORT', `/calendars/${user}/crm/`)).toBe('207');
    expect(status('PROPFIND', '/.well-known/caldav')).toMatch(/^30[1278]$/);
    for (const [, , s] of rows) expect(Number(s)).toBeLessThan(500);
    const verdicts = stdout.split('\n').filter((l) => l.startsWith('verdict ')).map((l) => l.split(/\s+/).slice(1, 3));
    expect(verdicts).toEqual(['OPTIONS', 'PROPFIND', 'REPORT', 'PROPPATCH', 'MKCALENDAR', 'GET', 'HEAD', 'PUT', 'DELETE'].map((m) => [m, 'ok']));
    // Gone afterwards, and nobody else was touched.
    expect(await server.users.getUser(user)).toBeNull();
    expect((await server.users.listUsers()).map((u) => u.email)).toEqual(before);
    expect(await server.store.getCalendar(real.email)).toEqual({ seq: 0, props: {} });
    // The throwaway user's calendar went with it (its counter stays, a step on, refusing old sync tokens).
    expect([...(await server.store.listObjects(user))]).toEqual([]);
  }, 120_000);

  it('says which method the front door refused, and fails', async () => {
    // A stand-in front door that answers PROPFIND as API Gateway does without a route for it.
    const { createServer } = await import('node:http');
    const front = createServer((req, res) => {
      if (req.method === 'PROPFIND') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      const target = new URL(req.url ?? '/', server.url);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', async () => {
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const answer = await fetch(target, { method: req.method, headers: req.headers as Record<string, string>, body, redirect: 'manual' });
        res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((done) => front.listen(0, '127.0.0.1', done));
    const { port } = front.address() as { port: number };
    try {
      const outcome = await run('bash', ['scripts/smoke-deployed.sh', `http://127.0.0.1:${port}`], {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { ...process.env, ...server.tables.env, SMOKE_CLI_FLAGS: '' },
      }).then(
        () => ({ code: 0, stdout: '' }),
        (err: { code: number; stdout: string }) => err,
      );
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toMatch(/^verdict PROPFIND +REFUSED .*frontDoor=alb/m);
      expect(outcome.stdout).toMatch(/^verdict REPORT +ok /m);
    } finally {
      front.close();
    }
  }, 120_000);

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
