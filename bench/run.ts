/**
 * `npm run bench`: seeds a calendar through the HTTP write path and measures the requests a
 * syncing device makes. See README.md.
 *
 *   npm run bench -- [--events 2000] [--seed-writers 16] [--concurrency 4] [--seconds 8] [--json]
 *                    [--crm none|builtin]   (builtin: every write also goes to the built-in CRM)
 *                    [--url URL --user U --password P]   (any CalDAV server instead of ours)
 *                    [--only 'GET one,idle poll']   (only these request kinds; no DynamoDB accounting)
 *                    [--profile FILE.cpuprofile]   (the sequential loops sampled, for bench/profile-top.ts)
 *
 * Without --url: our server in this process on DynamoDB Local (or the engine at
 * CALDAV_DYNAMODB_ENDPOINT), with every DynamoDB call counted. `npm run bench:compare` runs
 * both against sabre/dav in one go.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench, type BenchRun } from './bench';
import { costTable, cpuTable, seedTable, timingTable } from './report';
import { httpTarget, localTarget, type BenchTarget } from './target';
import { stretchProfiler } from './profile';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    'seed-writers': { type: 'string', default: '16' },
    concurrency: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    crm: { type: 'string', default: 'none' },
    url: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});
if (args.crm !== 'none' && args.crm !== 'builtin') throw new Error(`--crm must be none or builtin, got ${args.crm}`);
if (args.url && (!args.user || args.password === undefined)) throw new Error('--url needs --user and --password');

const log = (line = '') => console.log(line);

export const machine = () =>
  [`CPU: ${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown'} (bench client and servers share them)`, `Node ${process.version}, ${process.platform}/${process.arch}`].join('\n');

function writeJson(result: unknown): string {
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  // Results are per machine and run: only the README's numbers are committed.
  if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), '*\n');
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  return file;
}

function print(run: BenchRun, events: number): void {
  const { mix } = run;
  log(
    `Calendar: ${events} events over the 90 days around today: ${mix.recurring} recurring (${mix.openEnded} open-ended, ` +
      `${mix.withExdate} with EXDATE, ${mix.withOverride} with an overridden instance), ${mix.allDay} all-day, ` +
      `${mix.withAlarm} with alarms, ${mix.withAttendees} with attendees`,
  );
  log(`\n${seedTable(events, run.seed.timing, run.seed.conflicts, run.seed.busy)}\n`);
  log(`${timingTable(run.results)}\n`);
  if (run.results.some((r) => r.cpu)) log(`CPU per request (sequential):\n\n${cpuTable(run.results)}\n`);
  if (run.costs) log(`${costTable(run.costs)}\n`);
  if (run.incrementalCheck) log(`Incremental sync reads only the changes:\n${run.incrementalCheck.lines.join('\n')}`);
}

async function main() {
  const startedAt = performance.now();
  const events = Number(args.events);
  log(args.url ? `Connecting to ${args.url}…` : 'Starting DynamoDB and the local server…');
  const target: BenchTarget = args.url
    ? await httpTarget(args.url, args.user!, args.password!)
    : await localTarget(process.env, { crm: args.crm as 'none' | 'builtin' });
  const profiler = args.profile ? stretchProfiler(args.profile) : undefined;
  try {
    log(`${machine()}\nServer: ${target.label}\n`);
    const run = await runBench(target, {
      events,
      seedWriters: Number(args['seed-writers']),
      concurrency: Number(args.concurrency),
      budgetMs: Number(args.seconds) * 1000,
      warmup: Number(args.warmup),
      only: args.only?.split(','),
      profiler,
      log,
    });
    await profiler?.save();
    print(run, events);
    log(`\nTotal run time ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
    if (args.json) log(`Results written to ${writeJson({ date: new Date().toISOString(), machine: machine(), options: args, ...run })}`);
    if (run.incrementalCheck && !run.incrementalCheck.ok) process.exitCode = 1;
  } finally {
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
