/**
 * Timing loops: a warm-up, then iterations until a count or a time budget is reached, either one
 * at a time or from several concurrent workers sharing one iteration counter.
 */

export interface Timing {
  concurrency: number;
  iterations: number;
  /** Completed requests per second of wall time. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoopOptions {
  concurrency: number;
  /** Stop after this many iterations… */
  maxIterations: number;
  /** …or when this much wall time has passed, whichever is first (at least `minIterations`). */
  budgetMs: number;
  minIterations: number;
}

/** `run(i)` performs iteration i and returns its latency in ms (the request's own wall time). */
export async function timeLoop(run: (i: number) => Promise<number>, opts: LoopOptions): Promise<Timing> {
  const latencies: number[] = [];
  let nextIndex = 0;
  const started = performance.now();
  const more = () =>
    nextIndex < opts.maxIterations && (nextIndex < opts.minIterations || performance.now() - started < opts.budgetMs);
  const worker = async () => {
    while (more()) {
      const i = nextIndex++;
      latencies.push(await run(i));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsed = performance.now() - started;
  return summarize(latencies, elapsed, opts.concurrency);
}

export function summarize(latencies: number[], elapsedMs: number, concurrency: number): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    concurrency,
    iterations: sorted.length,
    rps: sorted.length / (elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
