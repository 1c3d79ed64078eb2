/**
 * One bench run against one target: seed a calendar through PUT, make a few changes, then time
 * every request kind a syncing device makes. With a metered target (our server in this
 * process) each request's DynamoDB work is recorded too, and incremental sync is checked to
 * read only its changes.
 */
import { checkIncrementalSync, costOf, type RequestCost, type SyncCheck } from './accounting';
import { countResponses, syncTokenOf, type BenchClient } from './http';
import { editEvent, generateCalendar, type BenchEvent, type MixSummary } from './ics';
import { timeLoop, type LoopOptions, type Timing } from './measure';
import { cpuPerRequest } from './cpu';
import { total, type MeterSnapshot } from './meter';
import type { ScenarioResult } from './report';
import { scenarios, syncBody, type Scenario, type ScenarioState } from './scenarios';
import { etagAfterPut, putRequest, seed } from './seed';
import type { BenchTarget } from './target';

export interface BenchOptions {
  events: number;
  seedWriters: number;
  concurrency: number;
  budgetMs: number;
  warmup: number;
  /** Only the request kinds whose name contains one of these (all when absent). */
  only?: string[];
  /** Samples the CPU of the sequential loops only (bench/profile.ts), not the seeding. */
  profiler?: { start(): Promise<void>; pause(): Promise<void> };
  /** Progress lines; the results come back as data. */
  log(line: string): void;
}

export interface BenchRun {
  target: string;
  mix: MixSummary;
  seed: { timing: Timing; busy: number; dynamo?: MeterSnapshot; conflicts?: number };
  results: ScenarioResult[];
  /** Per request, with a metered target only. */
  costs?: RequestCost[];
  incrementalCheck?: SyncCheck;
}

/** Changes between the incremental sync's token and now. */
export const CHANGES = 10;

const callsOf = (cost: RequestCost) =>
  Object.entries(cost.dynamo)
    .map(([key, stats]) => `${stats.calls}× ${key}`)
    .sort()
    .join();
const DAY_MS = 24 * 3600 * 1000;

/** The calendar's sync token; undefined for a server without RFC 6578 (sabre/dav 1.8). */
async function currentToken(client: BenchClient, calendar: string): Promise<string | undefined> {
  const reply = await client.expect(
    {
      method: 'PROPFIND',
      path: calendar,
      headers: { depth: '0', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><A:propfind xmlns:A="DAV:"><A:prop><A:sync-token/></A:prop></A:propfind>',
    },
    207,
  );
  return /<(?:\w+:)?sync-token\s*\/>/.test(reply.text) ? undefined : syncTokenOf(reply.text);
}

/** ETag per resource name from one Depth 1 listing: for servers that answer a PUT without one. */
async function listEtags(client: BenchClient, calendar: string): Promise<Map<string, string>> {
  const reply = await client.expect(
    { method: 'PROPFIND', path: calendar, headers: { depth: '1', 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><A:propfind xmlns:A="DAV:"><A:prop><A:getetag/></A:prop></A:propfind>' },
    207,
  );
  const etags = new Map<string, string>();
  for (const [, href, etag] of reply.text.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>[\s\S]*?<(?:\w+:)?getetag>([^<]+)<\/(?:\w+:)?getetag>/g)) {
    etags.set(decodeURIComponent(href!.split('/').pop()!), etag!.replaceAll('&quot;', '"'));
  }
  return etags;
}

/** CHANGES changes as a device makes them: edits, one deletion, one creation. */
async function makeChanges(client: BenchClient, state: ScenarioState, extra: BenchEvent): Promise<void> {
  const names = [...state.current.keys()].slice(-CHANGES);
  for (const name of names.slice(0, CHANGES - 2)) {
    const cur = state.current.get(name)!;
    const ics = editEvent(cur.ics, 1, state.now);
    const reply = await client.expect(putRequest(state.calendar, { name, ics }, { 'if-match': cur.etag }), [200, 204]);
    state.current.set(name, { ics, etag: await etagAfterPut(client, state.calendar + name, reply) });
  }
  const doomed = names[CHANGES - 2]!;
  await client.expect({ method: 'DELETE', path: state.calendar + doomed, headers: { 'if-match': state.current.get(doomed)!.etag } }, [200, 204]);
  state.current.delete(doomed);
  const created = await client.expect(putRequest(state.calendar, extra, { 'if-none-match': '*' }), 201);
  state.current.set(extra.name, { ics: extra.ics, etag: await etagAfterPut(client, state.calendar + extra.name, created) });
}

async function measure(target: BenchTarget, scenario: Scenario, opts: BenchOptions): Promise<ScenarioResult> {
  const { client } = target;
  let responses = 0;
  client.busy = 0;
  const once = async (i: number) => {
    const reply = await client.expect(scenario.request(i), scenario.expected);
    await scenario.after?.(reply, i, client);
    responses = countResponses(reply.text);
    return reply.ms;
  };
  for (let i = 0; i < opts.warmup; i++) await once(i);
  const loop = (concurrency: number, maxIterations: number): LoopOptions => ({ concurrency, maxIterations, budgetMs: opts.budgetMs, minIterations: 10 * concurrency });
  // Distinct iteration ranges, so the PUT scenario never edits an object twice at once. CPU is
  // counted over the sequential requests: one at a time, nothing else runs in the handler's time.
  let sequential: Timing | undefined;
  const sequentialLoop = async () => {
    sequential = await timeLoop((i) => once(opts.warmup + i), loop(1, 500));
    return sequential.iterations;
  };
  await opts.profiler?.start();
  const cpu = target.cpu ? await cpuPerRequest(target.cpu, sequentialLoop) : (await sequentialLoop(), undefined);
  await opts.profiler?.pause();
  const concurrent = await timeLoop((i) => once(100_000 + i), loop(opts.concurrency, 1000));
  return { name: scenario.name, responses, busy: client.busy, sequential: sequential!, concurrent, cpu };
}

export async function runBench(target: BenchTarget, opts: BenchOptions): Promise<BenchRun> {
  const { client, calendar, meter } = target;
  const now = new Date();
  const { events, mix } = generateCalendar(opts.events + 1, now, 'bench@example.com');
  const extra = events.pop()!;

  // Signs in once: the first request pays for the password check.
  await currentToken(client, calendar);
  meter?.reset();
  client.busy = 0;
  const seeded = await seed(client, calendar, events, opts.seedWriters);
  const seedStats = meter?.snapshot();
  const seedBusy = client.busy;
  if ([...seeded.etags.values()].some((e) => !e)) {
    const listed = await listEtags(client, calendar);
    for (const [name, etag] of seeded.etags) if (!etag) seeded.etags.set(name, listed.get(name) ?? '');
  }

  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const state: ScenarioState = {
    calendar,
    events,
    current: new Map(events.map((e) => [e.name, { ics: e.ics, etag: seeded.etags.get(e.name)! }])),
    incrementalToken: await currentToken(client, calendar),
    month: { start: new Date(today - 15 * DAY_MS), end: new Date(today + 15 * DAY_MS) },
    now,
  };
  await makeChanges(client, state, extra);
  const list = scenarios(state).filter((s) => !opts.only || opts.only.some((part) => s.name.includes(part)));
  const reads = list.filter((s) => s.request(0).method !== 'PUT');
  const writes = list.filter((s) => s.request(0).method === 'PUT');

  let costs: RequestCost[] | undefined;
  let check: SyncCheck | undefined;
  // A run of only some kinds (--only) is for profiling: no DynamoDB accounting.
  if (meter && !opts.only) {
    // DynamoDB cost of one request each, before timing (PUT last: it adds changes).
    opts.log('DynamoDB work per request…');
    costs = [];
    // Twice each: the first may fill the server's per-container caches (store/listing-cache.ts);
    // where it cost more than the second, both rows are shown.
    for (const s of reads) {
      const first = await costOf(client, meter, `${s.name} (first)`, s.request(0), s.expected);
      const again = await costOf(client, meter, s.name, s.request(0), s.expected);
      if (callsOf(first) !== callsOf(again)) costs.push(first);
      costs.push(again);
    }
    // A query in a container that has not listed the calendar: the summaries, then the month's objects.
    const query = reads.find((s) => s.name.startsWith('calendar-query'));
    if (query && target.coldClient) costs.push(await costOf(await target.coldClient(), meter, `${query.name} (cold container)`, query.request(0), query.expected));
    const byName = (prefix: string) => costs!.find((c) => c.name.startsWith(prefix))!;
    const incremental = [{ changes: CHANGES, cost: byName('sync-collection, incremental') }];
    const token = await currentToken(client, calendar);
    for (const changes of [100, 1000]) {
      const before = token && target.tokenBefore?.(token, changes);
      if (!before) continue;
      const req = { method: 'REPORT', path: calendar, headers: { depth: '0' }, body: syncBody(before) };
      const cost = await costOf(client, meter, `sync-collection, incremental (${changes} changes)`, req, 207);
      incremental.push({ changes, cost });
      costs.push(cost);
    }
    check = checkIncrementalSync(incremental, byName('sync-collection, full'), state.current.size);
  }

  const results: ScenarioResult[] = [];
  for (const s of [...reads, ...writes]) {
    opts.log(`Timing: ${s.name}…`);
    results.push(await measure(target, s, opts));
  }
  if (meter && costs && !opts.only) for (const s of writes) costs.push(await costOf(client, meter, s.name, s.request(999_999), s.expected));

  const conflicts = seedStats ? total(seedStats, (k) => k.startsWith('TransactWriteItems')).errors : undefined;
  return {
    target: target.label,
    mix,
    seed: { timing: seeded.timing, busy: seedBusy, dynamo: seedStats, conflicts },
    results,
    costs,
    incrementalCheck: check,
  };
}


