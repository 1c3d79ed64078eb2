/**
 * Per-org API budgets (facts §9): credits over a rolling 24 hours, concurrent calls, and the
 * sub-concurrency of heavy calls. Exhausting any of them gives HTTP 429 `TOO_MANY_REQUESTS`.
 * Zoho documents no Retry-After header, so none is sent.
 */
import type { SimClock } from './clock';
import { zohoError } from './errors';

const DAY_MS = 24 * 60 * 60_000;

export const TOO_MANY_REQUESTS = zohoError(
  'TOO_MANY_REQUESTS',
  'Number of API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded',
);

export class Credits {
  private spent: Array<{ at: number; credits: number }> = [];

  constructor(
    private readonly clock: SimClock,
    readonly perDay: number,
  ) {}

  /** Credits spent in the last 24 hours. */
  used(): number {
    const since = this.clock.now() - DAY_MS;
    this.spent = this.spent.filter((s) => s.at > since);
    return this.spent.reduce((sum, s) => sum + s.credits, 0);
  }

  /** Spends `credits` if the window has room; false (nothing spent) when it has not. */
  take(credits: number): boolean {
    if (this.used() + credits > this.perDay) return false;
    this.spent.push({ at: this.clock.now(), credits });
    return true;
  }
}

/** Counts calls in flight; `enter` refuses past the cap and the caller must `leave` once. */
export class Concurrency {
  private inFlight = 0;
  private heavyInFlight = 0;

  constructor(
    private readonly cap: number,
    private readonly heavyCap: number,
  ) {}

  enter(heavy: boolean): (() => void) | null {
    if (this.inFlight >= this.cap || (heavy && this.heavyInFlight >= this.heavyCap)) return null;
    this.inFlight++;
    if (heavy) this.heavyInFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight--;
      if (heavy) this.heavyInFlight--;
    };
  }

  current(): number {
    return this.inFlight;
  }
}

/**
 * What a call costs: 1 credit, and writes 1 per 10 records (facts §9, from Zoho's API-limits
 * page as quoted by a third party).
 */
export function creditCost(method: string, path: string, body: unknown): number {
  if ((method === 'POST' || method === 'PUT') && /^\/crm\/v8\/[^/]+(\/upsert|\/\d+)?$/.test(path)) {
    const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
    if (Array.isArray(data)) return Math.max(1, Math.ceil(data.length / 10));
  }
  return 1;
}
