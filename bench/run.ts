/**
 * `npm run bench`: seeds a calendar through the HTTP write path and measures the requests a
 * syncing device makes, on DynamoDB Local and the local server in this process. See README.md.
 *
 *   npm run bench -- [--events 2000] [--seed-writers 16] [--concurrency 4] [--seconds 8] [--json]
 *                    [--crm none|builtin]   (builtin: every write also goes to the built-in CRM)
 *
 * CALDAV_DYNAMODB_ENDPOINT set: that engine is used (fresh uniquely named tables, dropped after).
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSyncToken, parseSyncToken } from '../lambda/core/sync-token';
import { checkIncrementalSync, costOf, type RequestCost } from './accounting';
import { BenchClient, countResponses, syncTokenOf } from './http';
import { editEvent, generateCalendar, type BenchEvent } from './ics';
import { timeLoop, type LoopOptions } from './measure';
import { total } from './meter';
import { costTable, seedTable, timingTable, type ScenarioResult } from './report';
import { scenarios, syncBody, type Scenario, type ScenarioState } from './scenarios';
import { calendarPath, putRequest, seed } from './seed';
import { startSystem, type BenchSystem } from './setup';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    'seed-writers': { type: 'string', default: '16' },
    concurrency: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    crm: { type: 'string', default: 'none' },
  },
});
const EVENTS = Number(args.events);
const SEED_WRITERS = Number(args['seed-writers']);
const CONCURRENCY = Number(args.concurrency);
const BUDGET_MS = Number(args.seconds) * 1000;
const WARMUP = Number(args.warmup);
if (args.crm !== 'none' && args.crm !== 'builtin') throw new Error(`--crm must be none or builtin, got ${args.crm}`);
const CRM = args.crm;
/** Changes between the incremental sync's token and now. */
const CHANGES = 10;

const log = (line = '') => console.log(line);
const DAY_MS = 24 * 3600 * 1000;

async function currentToken(client: BenchClient, email: string): Promise<string> {
  const reply = await client.expect(
    {
      method: 'PROPFIND',
      path: calendarPath(email),
      headers: { depth: '0', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><A:propfind xmlns:A="DAV:"><A:prop><A:sync-token/></A:prop></A:propfind>',
    },
    207,
  );
  return syncTokenOf(reply.text);
}

/** CHANGES changes as a device makes them: edits, one deletion, one creation. */
async function makeChanges(client: BenchClient, state: ScenarioState, extra: BenchEvent): Promise<void> {
  const names = [...state.current.keys()].slice(-CHANGES);
  for (const name of names.slice(0, CHANGES - 2)) {
    const cur = state.current.get(name)!;
    const ics = editEvent(cur.ics, 1, state.now);
    const reply = await client.expect(putRequest(state.email, { name, ics }, { 'if-match': cur.etag }), 204);
    state.current.set(name, { ics, etag: reply.headers.get('etag') ?? '' });
  }
  const doomed = names[CHANGES - 2];
  await client.expect(
    { method: 'DELETE', path: calendarPath(state.email) + doomed, headers: { 'if-match': state.current.get(doomed)!.etag } },
    204,
  );
  state.current.delete(doomed);
  const created = await client.expect(putRequest(state.email, extra, { 'if-none-match': '*' }), 201);
  state.current.set(extra.name, { ics: extra.ics, etag: created.headers.get('etag') ?? '' });
}

async function measure(client: BenchClient, scenario: Scenario): Promise<ScenarioResult> {
  let responses = 0;
  client.busy = 0;
  const once = async (i: number) => {
    const reply = await client.expect(scenario.request(i), scenario.expected);
    scenario.after?.(reply, i);
    responses = countResponses(reply.text);
    return reply.ms;
  };
  for (let i = 0; i < WARMUP; i++) await once(i);
  const loop = (concurrency: number, maxIterations: number): LoopOptions => ({
    concurrency,
    maxIterations,
    budgetMs: BUDGET_MS,
    minIterations: 10 * concurrency,
  });
  // Distinct iteration ranges, so the PUT scenario never edits an object twice at once.
  const sequential = await timeLoop((i) => once(WARMUP + i), loop(1, 500));
  const concurrent = await timeLoop((i) => once(100_000 + i), loop(CONCURRENCY, 1000));
  return { name: scenario.name, responses, busy: client.busy, sequential, concurrent };
}

function machine(system: BenchSystem): string {
  return [
    `CPU: ${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown'} (bench client, server and DynamoDB Local share them)`,
    `Node ${process.version}, ${process.platform}/${process.arch}`,
    `DynamoDB: ${system.engine}`,
    `CRM: ${CRM === 'builtin' ? 'built-in CRM written on every CalDAV change (the shipped default)' : 'none (the CalDAV core alone)'}`,
  ].join('\n');
}

function writeJson(result: unknown): string {
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  // Results are per machine and run: only the README's numbers are committed.
  if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), '*\n');
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  return file;
}

async function main() {
  const startedAt = performance.now();
  log(`Starting DynamoDB and the local server…`);
  const system = await startSystem(process.env, { crm: CRM });
  try {
    const { meter, user } = system;
    const client = new BenchClient(system.url, user.authorization);
    log(machine(system));
    log(`Server: ${system.url}\n`);

    const now = new Date();
    const { events, mix } = generateCalendar(EVENTS + 1, now, user.email);
    const extra = events.pop()!;
    log(
      `Calendar: ${EVENTS} events over the 90 days around today: ${mix.recurring} recurring (${mix.openEnded} open-ended, ` +
        `${mix.withExdate} with EXDATE, ${mix.withOverride} with an overridden instance), ${mix.allDay} all-day, ` +
        `${mix.withAlarm} with alarms, ${mix.withAttendees} with attendees; ` +
        `${Math.round(events.reduce((n, e) => n + e.ics.length, 0) / events.length)} bytes on average`,
    );

    // Signs the user in once: the first request pays the scrypt verification.
    await currentToken(client, user.email);
    meter.reset();
    client.busy = 0;
    const seeded = await seed(client, user.email, events, SEED_WRITERS);
    const seedStats = meter.snapshot();
    const seedBusy = client.busy;
    const conflicts = total(seedStats, (k) => k.startsWith('TransactWriteItems')).errors;
    const seedMd = seedTable(EVENTS, seeded.timing, conflicts, seedBusy);
    log(`\n${seedMd}\n`);

    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const state: ScenarioState = {
      email: user.email,
      events,
      current: new Map(events.map((e) => [e.name, { ics: e.ics, etag: seeded.etags.get(e.name)! }])),
      incrementalToken: await currentToken(client, user.email),
      month: { start: new Date(today - 15 * DAY_MS), end: new Date(today + 15 * DAY_MS) },
      now,
    };
    await makeChanges(client, state, extra);
    const list = scenarios(state);
    const reads = list.filter((s) => s.request(0).method !== 'PUT');
    const writes = list.filter((s) => s.request(0).method === 'PUT');

    // DynamoDB cost of one request each, before timing (PUT last: it adds changes).
    log('DynamoDB work per request…');
    const costs: RequestCost[] = [];
    for (const s of reads) costs.push(await costOf(client, meter, s.name, s.request(0), s.expected));
    const seq = parseSyncToken(user.email, await currentToken(client, user.email)) ?? 0;
    const incremental = [{ changes: CHANGES, cost: costs[2] }];
    for (const changes of [100, 1000].filter((n) => n < seq)) {
      const req = { method: 'REPORT', path: calendarPath(user.email), headers: { depth: '0' }, body: syncBody(formatSyncToken(user.email, seq - changes)) };
      const cost = await costOf(client, meter, `sync-collection, incremental (${changes} changes)`, req, 207);
      incremental.push({ changes, cost });
      costs.push(cost);
    }
    const check = checkIncrementalSync(incremental, costs[1], state.current.size);

    const results: ScenarioResult[] = [];
    for (const s of [...reads, ...writes]) {
      log(`Timing: ${s.name}…`);
      results.push(await measure(client, s));
    }
    for (const s of writes) costs.push(await costOf(client, meter, s.name, s.request(999_999), s.expected));

    const timingMd = timingTable(results);
    const costMd = costTable(costs);
    log(`\n${timingMd}\n\n${costMd}\n`);
    log(`Incremental sync reads only the changes:\n${check.lines.join('\n')}`);
    log(`\nTotal run time ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);

    if (args.json) {
      const file = writeJson({
        date: new Date().toISOString(),
        machine: machine(system),
        options: { events: EVENTS, seedWriters: SEED_WRITERS, concurrency: CONCURRENCY, seconds: BUDGET_MS / 1000, warmup: WARMUP },
        mix,
        seed: { timing: seeded.timing, busy: seedBusy, dynamo: seedStats },
        results,
        costs,
        incrementalCheck: check,
      });
      log(`Results written to ${file}`);
    }
    if (!check.ok) process.exitCode = 1;
  } finally {
    await system.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
