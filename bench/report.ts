/** Markdown tables of a benchmark run, as pasted into bench/README.md. */
import type { RequestCost } from './accounting';
import type { Timing } from './measure';
import { total } from './meter';
import type { CpuPerRequest } from './cpu';

export interface ScenarioResult {
  name: string;
  responses: number;
  /** 503 answers retried during the timed requests (write contention). */
  busy: number;
  sequential: Timing;
  concurrent: Timing;
  /** CPU per sequential request, where the target can measure it. */
  cpu?: CpuPerRequest;
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const rps = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** `conflicts`: transactions that lost the counter compare-and-set; `busy`: 503s the client retried. */
export function seedTable(events: number, t: Timing, conflicts: number | undefined, busy: number): string {
  const races = conflicts === undefined ? 'not measured' : `${conflicts} (${(conflicts / events).toFixed(2)}/PUT)`;
  return table(
    ['Seed', 'writers', 'events/s', 'p50 ms', 'p95 ms', 'p99 ms', 'lost counter races', '503 retried'],
    [[`${events} × PUT If-None-Match: *`, String(t.concurrency), rps(t.rps), ms(t.p50), ms(t.p95), ms(t.p99), races, String(busy)]],
  );
}

export function timingTable(results: ScenarioResult[]): string {
  const c = results[0]?.concurrent.concurrency ?? 4;
  return table(
    ['Request', 'responses', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', `req/s ×${c}`, `p50 ms ×${c}`, `p95 ms ×${c}`, `p99 ms ×${c}`],
    results.map((r) => [
      r.busy ? `${r.name} (${r.busy} × 503 retried)` : r.name,
      String(r.responses),
      rps(r.sequential.rps),
      ms(r.sequential.p50),
      ms(r.sequential.p95),
      ms(r.sequential.p99),
      rps(r.concurrent.rps),
      ms(r.concurrent.p50),
      ms(r.concurrent.p95),
      ms(r.concurrent.p99),
    ]),
  );
}

/** One row per request: every DynamoDB call it made, and what the engine read for it. */
export function costTable(costs: RequestCost[]): string {
  return table(
    ['Request', 'DynamoDB calls', 'round trips', 'Scan', 'items read', 'items returned', 'capacity units', 'ms in DynamoDB / request ms'],
    costs.map((c) => {
      const t = total(c.dynamo);
      const calls = Object.entries(c.dynamo)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, s]) => `${s.calls}× ${key}`)
        .join(', ');
      const scans = total(c.dynamo, (k) => k.startsWith('Scan ')).calls;
      return [c.name, calls, String(c.busy.roundTrips), String(scans), String(t.scanned), String(t.items), units(t.capacity), `${c.busy.ms.toFixed(1)} / ${c.ms.toFixed(1)}`];
    }),
  );
}

interface Compared {
  events: number;
  peer: { seed: { timing: Timing }; results: ScenarioResult[] };
  ours: { seed: { timing: Timing }; results: ScenarioResult[] };
}

/**
 * Sequential req/s of each request kind on both servers, per calendar size, with our ratio to
 * the peer (above 1: we are faster); and each server's scaling from the first size to the last.
 */
export function comparisonTable(runs: Compared[]): string {
  const rows = (r: Compared['peer']) => [
    { name: `PUT create (${r.seed.timing.concurrency} writers)`, rps: r.seed.timing.rps },
    ...r.results.map((x) => ({ name: x.name, rps: x.sequential.rps })),
  ];
  const names = rows(runs[0]!.ours).map((r) => r.name);
  const find = (r: Compared['peer'], name: string) => rows(r).find((x) => x.name === name)?.rps;
  const cell = (n: number | undefined) => (n === undefined ? 'n/a' : rps(n));
  const ratio = (ours: number | undefined, peer: number | undefined) => (ours === undefined || peer === undefined ? 'n/a' : `${(ours / peer).toFixed(2)}x`);
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  const header = ['Request', ...runs.flatMap((r) => [`sabre/dav ${r.events}`, `crm-caldav ${r.events}`, `ratio ${r.events}`])];
  if (runs.length > 1) header.push(`sabre ${last.events}/${first.events}`, `ours ${last.events}/${first.events}`);
  return table(
    header,
    names.map((name) => {
      const cells = runs.flatMap((r) => [cell(find(r.peer, name)), cell(find(r.ours, name)), ratio(find(r.ours, name), find(r.peer, name))]);
      if (runs.length > 1) cells.push(ratio(find(last.peer, name), find(first.peer, name)), ratio(find(last.ours, name), find(first.ours, name)));
      return [name, ...cells];
    }),
  );
}

const cpuMs = (n: number | undefined) => (n === undefined ? 'n/a' : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** CPU per request of one server: inside the handler (median), its process(es), its database engine. */
export function cpuTable(results: ScenarioResult[]): string {
  return table(
    ['Request', 'handler CPU ms (median)', 'of it user mode', 'server process CPU ms', 'DynamoDB Local CPU ms'],
    results.map((r) => [r.name, cpuMs(r.cpu?.handlerMs), cpuMs(r.cpu?.handlerUserMs), cpuMs(r.cpu?.serverMs), cpuMs(r.cpu?.engineMs)]),
  );
}

/**
 * CPU per request side by side: sabre/dav's PHP processes against our handler (median, as
 * measured inside the Lambda handler) with the ratio (the target is at most 0.25), then our
 * whole Node process (the bench client included) and DynamoDB Local's JVM.
 */
export function cpuComparisonTable(runs: Compared[]): string {
  const header = ['Request', ...runs.flatMap((r) => [`sabre/dav ${r.events}`, `handler ${r.events}`, `ratio ${r.events}`, `handler user mode ${r.events}`, `node process ${r.events}`, `DynamoDB Local ${r.events}`])];
  const names = runs[0]!.ours.results.map((r) => r.name);
  return table(
    header,
    names.map((name) => [
      name,
      ...runs.flatMap((r) => {
        const peer = r.peer.results.find((x) => x.name === name)?.cpu;
        const ours = r.ours.results.find((x) => x.name === name)?.cpu;
        const ratio = peer?.serverMs && ours?.handlerMs !== undefined ? `${(ours.handlerMs / peer.serverMs).toFixed(2)}x` : 'n/a';
        return [cpuMs(peer?.serverMs), cpuMs(ours?.handlerMs), ratio, cpuMs(ours?.handlerUserMs), cpuMs(ours?.serverMs), cpuMs(ours?.engineMs)];
      }),
    ]),
  );
}
