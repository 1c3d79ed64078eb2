/** Timing: run a request repeatedly (sequentially or with N in flight) and summarise latencies. */

export interface RunStats {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
}

export interface RunPlan {
  /** Requests to time (a time budget may stop earlier). */
  iterations: number;
  concurrency: number;
  /** Stop starting new requests after this many ms (at least `minIterations` still run). */
  budgetMs: number;
  minIterations: number;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  // Nearest rank: the value at or above p% of samples.
  const rank = Math.max(1, Math.ceil((p / 100) * sortedMs.length));
  return sortedMs[Math.min(rank, sortedMs.length) - 1];
}

/** `request(i)` performs the i-th request and throws on an unexpected answer. */
export async function timeRequests(plan: RunPlan, request: (i: number) => Promise<void>): Promise<RunStats> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + plan.budgetMs;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= plan.iterations) return;
      if (i >= plan.minIterations && performance.now() > deadline) return;
      const t0 = performance.now();
      await request(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
  };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
