/**
 * `npm run bench:export`: the initial export on DynamoDB Local, as the scheduled
 * Lambda runs it: runExport with the handler's deadline (its 5-minute timeout less 30 s) on the
 * production stores, CRM and jobs table. 2,500 qualifying CRM events are bulk-loaded for one
 * user, so the plan takes the nearest 2,000 and leaves 500 out; each run exports them into a
 * fresh calendar (new calendar and jobs tables, same CRM), then one more run re-exports into the
 * last, already complete calendar (CalDAV enabled again the same day). See README.md.
 *
 *   npm run bench:export -- [--events 2500] [--runs 3] [--json]
 *
 * CALDAV_DYNAMODB_ENDPOINT set: that engine is used (fresh uniquely named tables, dropped after).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildApp } from '../lambda/app/build';
import { BuiltinCrm, crmUserOf } from '../lambda/crm/builtin';
import type { CrmUser } from '../lambda/crm/types';
import type { JobDeps } from '../lambda/jobs/deps';
import { runExport, type ExportRun } from '../lambda/jobs/export';
import { exportWindow } from '../lambda/jobs/window';
import type { TableNames } from '../lambda/store/dynamodb/client';
import { DynamoUserStore } from '../lambda/store/dynamodb/user-store';
import type { UserRecord } from '../lambda/store/types';
import { bulkLoadCrm, generateCrmEvents } from './crm-seed';
import { startEngine } from './engine';
import { percentile } from './measure';
import { DynamoMeter, total, type MeterSnapshot } from './meter';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '2500' },
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(args.events);
const RUNS = Number(args.runs);

/** lib/constructs/export-schedule.ts: the scheduled function's timeout. */
const FUNCTION_TIMEOUT_MS = 5 * 60_000;
/** lambda/handlers/scheduled.ts keeps 30 s back for the last batch and the lease release. */
const HANDLER_DEADLINE_MS = Math.max(FUNCTION_TIMEOUT_MS - 30_000, FUNCTION_TIMEOUT_MS / 2);
/** A Tuesday late morning in Berlin: the window is 1 October 00:00 to 26 November 00:00 local. */
const ENABLED_AT = '2026-11-25T10:00:00.000Z';
const EMAIL = 'seller@bench.example';

const log = (line = '') => console.log(line);

interface ExportTiming {
  name: string;
  run: ExportRun;
  totalMs: number;
  planMs: number;
  /** Wall time of each batch cycle: previous checkpoint and stop check, reads, mapping, import. */
  batchMs: number[];
  /** After the last batch: its checkpoint and the job's release. */
  finishMs: number;
  /** CPU time of this Node process (the export's own work; DynamoDB Local runs in its JVM). */
  cpuMs: number;
  /** Calendar objects created (sequence numbers the calendar advanced). */
  created: number;
  dynamo: MeterSnapshot;
}

interface World {
  env: NodeJS.ProcessEnv;
  doc: DynamoDBDocumentClient;
  meter: DynamoMeter;
  users: DynamoUserStore;
  crm: BuiltinCrm;
  crmTable: string;
  /** Creates the calendar and jobs tables of one run (the CRM, users and outbox are shared). */
  freshCalendar(): Promise<TableNames>;
  errors: string[];
}

async function startWorld(env: NodeJS.ProcessEnv): Promise<{ world: World; engine: string; stop: () => Promise<void> }> {
  const { engine, doc, meter, tables: shared, createTables, stop } = await startEngine(env, 'bexp');
  const users = new DynamoUserStore(doc, shared.users);
  let calendars = 0;
  const world: World = {
    env,
    doc,
    meter,
    users,
    crm: new BuiltinCrm(doc, { table: shared.crm, users }),
    crmTable: shared.crm,
    errors: [],
    async freshCalendar() {
      const n = calendars++;
      const names: TableNames = { ...shared, events: `${shared.events}-${n}`, sync: `${shared.sync}-${n}`, jobs: `${shared.jobs}-${n}` };
      await createTables(names);
      return names;
    },
  };
  return { world, engine, stop };
}

/** The scheduled job's dependencies as a Lambda container's App has them, on the metered client. */
function jobDeps(world: World, tables: TableNames, hooks: Pick<JobDeps, 'log' | 'afterBatch'>): JobDeps {
  const app = buildApp({ env: { ...world.env, CRM_CONNECTOR: 'builtin' }, doc: world.doc, tables, log: hooks.log });
  return { ...app.jobDeps!, afterBatch: hooks.afterBatch };
}

async function timedExport(name: string, world: World, tables: TableNames, user: CrmUser, enabledAt: string): Promise<ExportTiming> {
  let planned = 0;
  const batchEnds: number[] = [];
  const deps = jobDeps(world, tables, {
    log: (level, message, fields) => {
      if (message === 'export planned') planned = performance.now();
      if (level === 'error') world.errors.push(`${name}: ${message} ${JSON.stringify(fields)}`);
    },
    afterBatch: () => {
      batchEnds.push(performance.now());
    },
  });
  const seqBefore = (await deps.store.getCalendar(user.email)).seq;
  world.meter.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const run = await runExport(deps, user, enabledAt, { deadline: Date.now() + HANDLER_DEADLINE_MS });
  const ended = performance.now();
  const used = process.cpuUsage(cpu);
  const dynamo = world.meter.snapshot();
  const bounds = [planned, ...batchEnds];
  return {
    name,
    run,
    totalMs: ended - started,
    planMs: planned - started,
    batchMs: batchEnds.map((end, i) => end - bounds[i]!),
    finishMs: ended - (batchEnds.at(-1) ?? planned),
    cpuMs: (used.user + used.system) / 1000,
    created: (await deps.store.getCalendar(user.email)).seq - seqBefore,
    dynamo,
  };
}

const fixed = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function timingTable(results: ExportTiming[]): string {
  return table(
    ['Run', 'outcome', 'exported / planned', 'created', 'total s', 'Node CPU s', 'plan ms', 'batches', 'batch p50 ms', 'batch p95 ms', 'batch max ms', 'events/s', 'DynamoDB calls'],
    results.map((r) => {
      const sorted = [...r.batchMs].sort((a, b) => a - b);
      return [
        r.name,
        r.run.outcome,
        `${r.run.exported} / ${r.run.total}`,
        String(r.created),
        (r.totalMs / 1000).toFixed(1),
        (r.cpuMs / 1000).toFixed(1),
        fixed(r.planMs),
        String(r.batchMs.length),
        fixed(percentile(sorted, 50)),
        fixed(percentile(sorted, 95)),
        fixed(sorted.at(-1) ?? 0),
        fixed(r.run.total / (r.totalMs / 1000)),
        String(total(r.dynamo).calls),
      ];
    }),
  );
}

/** DynamoDB calls per command and table, one column per run shown. */
function callsTable(results: ExportTiming[]): string {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.dynamo)))].sort();
  return table(
    ['DynamoDB call', ...results.map((r) => `${r.name}: calls (items read)`)],
    keys.map((key) => [key, ...results.map((r) => (r.dynamo[key] ? `${r.dynamo[key]!.calls} (${r.dynamo[key]!.scanned})${r.dynamo[key]!.errors ? `, ${r.dynamo[key]!.errors} failed` : ''}` : '–'))]),
  );
}

function writeJson(result: unknown): string {
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), '*\n');
  const file = join(dir, `export-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  return file;
}

async function main() {
  const startedAt = performance.now();
  log('Starting DynamoDB…');
  const { world, engine, stop } = await startWorld(process.env);
  try {
    const machine = [
      `CPU: ${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown'} (bench and DynamoDB Local share them)`,
      `Node ${process.version}, ${process.platform}/${process.arch}`,
      `DynamoDB: ${engine}`,
    ].join('\n');
    log(machine);

    const record: UserRecord = { email: EMAIL, passwordHash: '', enabled: true, createdAt: '2026-01-05T08:00:00.000Z', enabledAt: ENABLED_AT, name: 'Bench Seller', timeZone: 'Europe/Berlin' };
    await world.users.putUser(record);
    const owner = crmUserOf(record);
    const window = exportWindow(ENABLED_AT, owner.timeZone);
    const { drafts, mix } = generateCrmEvents(owner, EVENTS, window.start, window.end);
    const seedStarted = performance.now();
    await bulkLoadCrm(world.doc, world.crmTable, owner, drafts, new Date('2026-11-20T08:00:00.000Z'));
    const seedMs = performance.now() - seedStarted;
    const bytes = Math.round(drafts.reduce((n, d) => n + JSON.stringify(d).length, 0) / drafts.length);
    log(
      `\nCRM: ${EVENTS} events of ${EMAIL} starting in the export window ${new Date(window.start).toISOString()} .. ${new Date(window.end).toISOString()}: ` +
        `${mix.recurring} weekly series, ${mix.allDay} all-day, ${mix.withParticipants} with participants, ${mix.withReminder} with a reminder; ` +
        `${bytes} bytes of JSON on average; bulk-loaded in ${(seedMs / 1000).toFixed(1)} s`,
    );

    const results: ExportTiming[] = [];
    let last: Awaited<ReturnType<World['freshCalendar']>> | undefined;
    for (let r = 1; r <= RUNS; r++) {
      last = await world.freshCalendar();
      log(`Export ${r} of ${RUNS} into a fresh calendar…`);
      results.push(await timedExport(`fresh ${r}`, world, last, owner, ENABLED_AT));
    }
    // CalDAV enabled again later that day: a new job plans again and finds everything in place.
    const again = new Date(Date.parse(ENABLED_AT) + 60 * 60_000).toISOString();
    await world.users.putUser({ ...record, enabledAt: again });
    log('Export again into the complete calendar…');
    results.push(await timedExport('re-run', world, last!, owner, again));

    const job = await jobDeps(world, last!, {}).jobs.getExport(EMAIL);
    const timingMd = timingTable(results);
    const callsMd = callsTable([results[0]!, results.at(-1)!]);
    log(`\n${timingMd}\n\n${callsMd}\n`);
    const fresh = results.slice(0, RUNS).map((r) => r.totalMs).sort((a, b) => a - b);
    const worst = fresh.at(-1)!;
    log(
      `Slowest fresh export: ${(worst / 1000).toFixed(1)} s = ${((100 * worst) / FUNCTION_TIMEOUT_MS).toFixed(1)}% of the scheduled function's ` +
        `${FUNCTION_TIMEOUT_MS / 60_000}-minute timeout (handler deadline ${HANDLER_DEADLINE_MS / 1000} s). Job after the re-run: ` +
        `${job?.status}, ${job?.exported} exported, ${job?.skipped} skipped, ${job?.leftOut} left out beyond the limit.`,
    );
    if (world.errors.length) log(`\nErrors logged by the export:\n${world.errors.slice(0, 10).join('\n')}`);
    log(`\nTotal run time ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);

    const ok = results.every((r) => r.run.outcome === 'done' && r.run.total === Math.min(EVENTS, 2000)) && results.at(-1)!.created === 0 && world.errors.length === 0;
    if (!ok) {
      log('\nUNEXPECTED: every run should be done with the full plan, and the re-run should create nothing.');
      process.exitCode = 1;
    }
    if (args.json) {
      log(`Results written to ${writeJson({ date: new Date().toISOString(), machine, options: { events: EVENTS, runs: RUNS }, mix, seedMs, results, job })}`);
    }
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
