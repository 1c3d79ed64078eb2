/**
 * `npm run bench:warm`: CPU per request of the deployed bundles, warm, measured as a Lambda
 * would: each handler bundled as the CDK bundles it (bench/bundles.ts), loaded in its own fresh
 * Node process with a Lambda's environment, and called with API Gateway events in a loop, with
 * `process.cpuUsage` around each call. Nothing else runs in that process: no HTTP bridge, no
 * bench client, no transpiler. DynamoDB Local (in memory, started here) holds one user's
 * calendar, seeded through the same handlers with the built-in CRM (the shipped default).
 *
 *   npm run bench:warm -- [--events 500] [--requests 300] [--only get,put] [--profile DIR]
 *                         [--against CHECKOUT] [--rounds 3]
 *
 * --profile: the bundles unminified and each process under `node --cpu-prof` (sampling every
 * --profile-interval µs, 200 by default) into DIR (read with
 * `npx tsx bench/profile-top.ts DIR/*.cpuprofile --bundle <the bundle>`, kept in DIR/<handler>/).
 *
 * --against: an A/B in one run. The same handlers bundled from another checkout of the project
 * (`git worktree add /tmp/base <rev>`, its node_modules linked), each row run alternately from
 * both trees `--rounds` times on the same seeded calendar; the table gives the range of each
 * side's medians and the ratio of their middles. Alternating in the same minutes is what keeps a
 * comparison honest on a machine whose speed drifts by a third within the hour.
 *
 * What a row measures is what the issue's targets name: handler CPU per request, median and p90.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { buildApp } from '../lambda/app/build';
import { fixedApp } from '../lambda/app/container';
import { generateAppPassword, hashGeneratedPassword } from '../lambda/accounts/passwords';
import { methodHandler } from '../lambda/handlers/routing';
import { buildApiGatewayEvent, type HttpRequestInput } from '../lambda/http/api-gateway-event';
import { ENDPOINT_ENV, tableEnv } from '../lambda/store/dynamodb/client';
import { bundle, bundleDir, LAMBDA_ENV } from './bundles';
import { startEngine } from './engine';
import { editEvent, generateCalendar } from './ics';
import { multigetBody, pollBody, propfindBody, syncBody } from './scenarios';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '500' },
    requests: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    only: { type: 'string' },
    profile: { type: 'string' },
    against: { type: 'string' },
    'profile-interval': { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
  },
});

const EMAIL = 'bench@example.com';
const CALENDAR = `/calendars/${EMAIL}/crm/`;

/** Runs in the fresh process: the bundle, its events in a loop, the CPU of each call. */
const PROBE = `
import { readFileSync } from 'node:fs';
const { handler } = await import(process.env.BENCH_BUNDLE);
const plan = JSON.parse(readFileSync(process.env.BENCH_PLAN, 'utf8'));
const context = { awsRequestId: 'warm', functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 10000 };
// A PUT sends each object its next revision (never a text sent before), If-Match its last ETag, as a phone edits.
const etags = new Map(plan.puts?.map((p) => [p.path, p.etag]) ?? []);
const eventAt = (i) => {
  if (!plan.puts) return plan.events[i % plan.events.length];
  const p = plan.puts[i % plan.puts.length];
  const text = p.texts[Math.floor(i / plan.puts.length) % p.texts.length];
  return { ...p.event, headers: { ...p.event.headers, 'if-match': etags.get(p.path) }, body: text };
};
const total = [], user = [];
for (let i = 0; i < plan.warmup + plan.requests; i++) {
  const event = eventAt(i);
  const start = process.cpuUsage();
  const result = await handler(event, context);
  const used = process.cpuUsage(start);
  if (result.statusCode >= 300 && result.statusCode !== 404) throw new Error(event.requestContext.http.method + ' ' + event.rawPath + ': ' + result.statusCode + ' ' + result.body);
  if (plan.puts) etags.set(event.rawPath, result.headers?.etag);
  if (i >= plan.warmup) { total.push((used.user + used.system) / 1000); user.push(used.user / 1000); }
}
const q = (xs, f) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * f)];
process.stderr.write(JSON.stringify({ median: q(total, 0.5), p90: q(total, 0.9), user: q(user, 0.5) }) + '\\n');
`;

interface Row {
  name: string;
  handler: string;
  plan: { events?: unknown[]; puts?: unknown[] };
}

interface Measurement {
  median: number;
  p90: number;
  user: number;
}

const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const ctx = { awsRequestId: 'seed', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

async function main() {
  const count = Number(args.events);
  const engine = await startEngine(process.env, 'warm');
  const outDir = bundleDir('warm');
  try {
    const env = { ...process.env, CRM_CONNECTOR: 'builtin', [ENDPOINT_ENV]: engine.endpoint, ...tableEnv(engine.tables) };
    const app = buildApp({ env, doc: engine.doc, tables: engine.tables });
    const password = generateAppPassword();
    await app.users.putUser({ email: EMAIL, passwordHash: hashGeneratedPassword(password), enabled: true, createdAt: new Date().toISOString(), name: 'Bench User' });
    const authorization = `Basic ${Buffer.from(`${EMAIL}:${password}`).toString('base64')}`;
    const event = (input: HttpRequestInput) => buildApiGatewayEvent({ ...input, headers: { authorization, 'user-agent': 'iOS/18.1 (22B83) dataaccessd/1.0', ...input.headers } });
    const send = (input: HttpRequestInput) => methodHandler(input.method, fixedApp(app))(event(input), ctx);

    // The calendar, through the handlers: four writers, as a phone's first sync.
    const now = new Date();
    const { events } = generateCalendar(count, now, EMAIL);
    const etags = new Map<string, string>();
    let token = '';
    const put = async (e: (typeof events)[number]) => {
      const reply = await send({ method: 'PUT', url: CALENDAR + e.name, headers: { 'content-type': 'text/calendar', 'if-none-match': '*' }, body: e.ics });
      if (reply.statusCode !== 201) throw new Error(`seeding ${e.name}: ${reply.statusCode} ${reply.body}`);
      etags.set(e.name, String(reply.headers?.etag ?? ''));
    };
    const first = events.slice(0, -10);
    for (let i = 0; i < first.length; i += 4) await Promise.all(first.slice(i, i + 4).map(put));
    const poll = await send({ method: 'PROPFIND', url: CALENDAR, headers: { depth: '0', 'content-type': 'application/xml' }, body: pollBody() });
    token = /<d:sync-token>([^<]+)</.exec(String(poll.body))?.[1] ?? '';
    for (const e of events.slice(-10)) await put(e);
    const names = events.map((e) => e.name);

    const editable = events.slice(0, 50).filter((e) => etags.get(e.name));
    const revisions = Math.ceil((Number(args.warmup) + Number(args.requests)) / editable.length);
    const rows: Row[] = [
      { name: 'PROPFIND Depth 0 (getctag, sync-token): idle poll', handler: 'propfind', plan: { events: [event({ method: 'PROPFIND', url: CALENDAR, headers: { depth: '0', 'content-type': 'application/xml' }, body: pollBody() })] } },
      { name: `PROPFIND Depth 1 (getetag, getcontenttype), ${count} objects`, handler: 'propfind', plan: { events: [event({ method: 'PROPFIND', url: CALENDAR, headers: { depth: '1', 'content-type': 'application/xml' }, body: propfindBody() })] } },
      {
        name: 'sync-collection, incremental (10 changes)',
        handler: 'report',
        // A phone's token changes every sync, so its body is never one seen before: 100 bodies whose
        // tokens name the same position in different spellings (leading zeros), none repeated within
        // the parse cache's 64, as a phone's are not.
        plan: { events: Array.from({ length: 100 }, (_, i) => event({ method: 'REPORT', url: CALENDAR, headers: { depth: '0', 'content-type': 'application/xml' }, body: syncBody(token.replace(/:(\d+)$/, (_m, seq: string) => `:${'0'.repeat(i)}${seq}`)) })) },
      },
      { name: 'calendar-multiget, 100 hrefs', handler: 'report', plan: { events: [event({ method: 'REPORT', url: CALENDAR, headers: { depth: '1', 'content-type': 'application/xml' }, body: multigetBody(names.slice(0, 100).map((n) => CALENDAR + n)) })] } },
      { name: 'GET one object', handler: 'get', plan: { events: names.slice(0, 100).map((n) => event({ method: 'GET', url: CALENDAR + n })) } },
      { name: 'HEAD one object', handler: 'head', plan: { events: names.slice(0, 100).map((n) => event({ method: 'HEAD', url: CALENDAR + n })) } },
      {
        name: 'PUT update (If-Match), built-in CRM',
        handler: 'put',
        plan: {
          puts: editable.map((e) => ({
            path: CALENDAR + e.name,
            etag: etags.get(e.name),
            event: event({ method: 'PUT', url: CALENDAR + e.name, headers: { 'content-type': 'text/calendar' }, body: '' }),
            texts: Array.from({ length: revisions }, (_, r) => editEvent(e.ics, r + 1, now)),
          })),
        },
      },
    ].filter((r) => !args.only || args.only.split(',').some((o) => r.handler === o || r.name.includes(o)));

    console.log(`Node ${process.version}; each handler's bundle in a fresh process, ${args.warmup} warm-up calls, then ${args.requests} measured; CPU ms per call (user + system)\n`);
    const f = (n: number) => (n >= 10 ? n.toFixed(1) : n.toFixed(2));
    if (args.against) {
      console.log(`A/B: this tree against ${args.against}, alternated ${args.rounds} times; the range of each side's medians\n`);
      console.log('| Request | handler | this tree | against | ratio |');
      console.log('| --- | --- | ---: | ---: | ---: |');
    } else {
      console.log('| Request | handler | median | p90 | user mode (median) |');
      console.log('| --- | --- | ---: | ---: | ---: |');
    }
    const bundles = new Map<string, string>();
    const bundled = async (handler: string, from?: string) => {
      const key = `${from ?? ''}:${handler}`;
      const dir = from ? join(args.profile ?? outDir, 'against') : (args.profile ?? outDir);
      if (!bundles.has(key)) bundles.set(key, await bundle(handler, dir, args.profile ? false : undefined, from));
      return bundles.get(key)!;
    };
    const measure = async (row: Row, file: string): Promise<Measurement> => {
      const planFile = join(outDir, `${row.handler}-${rows.indexOf(row)}.json`);
      writeFileSync(planFile, JSON.stringify({ ...row.plan, warmup: Number(args.warmup), requests: Number(args.requests) }));
      const flags = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`, `--cpu-prof-interval=${args['profile-interval']}`] : [];
      const { stderr } = await run(process.execPath, [...flags, '--input-type=module', '-e', PROBE], {
        env: { ...LAMBDA_ENV, BENCH_BUNDLE: file, BENCH_PLAN: planFile, CRM_CONNECTOR: 'builtin', [ENDPOINT_ENV]: engine.endpoint, ...tableEnv(engine.tables) },
        maxBuffer: 64 * 1024 * 1024,
      });
      const line = stderr.split('\n').find((l) => l.startsWith('{"median"'));
      if (!line) throw new Error(`${row.name}: no measurement\n${stderr.slice(-2000)}`);
      return JSON.parse(line) as Measurement;
    };
    for (const row of rows) {
      if (!args.against) {
        const m = await measure(row, await bundled(row.handler));
        console.log(`| ${row.name} | ${row.handler} | ${f(m.median)} | ${f(m.p90)} | ${f(m.user)} |`);
        continue;
      }
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let round = 0; round < Number(args.rounds); round++) {
        ours.push((await measure(row, await bundled(row.handler))).median);
        theirs.push((await measure(row, await bundled(row.handler, args.against))).median);
      }
      const range = (xs: number[]) => `${f(Math.min(...xs))}-${f(Math.max(...xs))}`;
      console.log(`| ${row.name} | ${row.handler} | ${range(ours)} | ${range(theirs)} | ${(middle(ours) / middle(theirs)).toFixed(2)}x |`);
    }
    await app.close();
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    await engine.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
