/**
 * The simulator's sense of time. Token lifetimes, the credit window, channel expiry, page-token
 * expiry and the search-index delay all read this clock, so tests move time forward instead of
 * sleeping.
 */
export interface SimClock {
  /** Milliseconds since the epoch, as the simulated Zoho sees it. */
  now(): number;
  /** Moves simulated time forward (or back, with a negative value). */
  advance(ms: number): void;
  /** Sets simulated time to an absolute instant. */
  set(ms: number): void;
}

/** Real time plus an adjustable offset: untouched, it is just the wall clock. */
export function createClock(startAt?: number): SimClock {
  let offset = startAt === undefined ? 0 : startAt - Date.now();
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    set: (ms) => {
      offset = ms - Date.now();
    },
  };
}
