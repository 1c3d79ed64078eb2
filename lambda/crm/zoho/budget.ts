/**
 * Zoho's limits, kept on our side: API credits per day for the org (a count in the connector's
 * table every container adds to) and calls at once (a cap per container; across containers a
 * 429 makes every caller back off). Work has a priority: a phone's change waiting in the outbox
 * may use the whole budget, the reconcile and webhooks 90 % of it, exports 70 %, so bulk work
 * yields before the writes users are waiting for. A container checks the count as of its own last
 * call (no read per call), so containers running at once may each go a call over; Zoho's own 429
 * is the hard stop.
 */
import { CrmUnavailable } from '../types';
import type { ZohoState } from './state';

export type Priority = 'phone' | 'sync' | 'bulk';

const SHARE: Record<Priority, number> = { phone: 1, sync: 0.9, bulk: 0.7 };
const ORDER: Priority[] = ['phone', 'sync', 'bulk'];

/** The day credits are counted in (UTC; Zoho's window is a rolling 24 hours, this is the conservative reading). */
export const creditDay = (now: Date) => now.toISOString().slice(0, 10);

export class Budget {
  private running = 0;
  private readonly waiting: Record<Priority, Array<() => void>> = { phone: [], sync: [], bulk: [] };
  /** The day's count as this container last saw it. */
  private seen: { day: string; used: number } = { day: '', used: 0 };

  constructor(
    private readonly state: ZohoState,
    private readonly opts: { dailyCredits: number; concurrency: number; now?: () => Date },
  ) {}

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** A slot for one call; refused (CrmUnavailable) when the day's budget for this priority is spent. */
  async acquire(priority: Priority): Promise<() => void> {
    const day = creditDay(this.now());
    if (this.seen.day !== day) this.seen = { day, used: await this.state.creditsOn(day) };
    if (this.seen.used >= this.opts.dailyCredits * SHARE[priority]) {
      throw new CrmUnavailable(`the Zoho API credit budget for ${priority === 'phone' ? 'today' : `${priority} work today`} is spent (${this.seen.used} of ${this.opts.dailyCredits}); it resumes tomorrow`);
    }
    if (this.running >= this.opts.concurrency) await new Promise<void>((resolve) => this.waiting[priority].push(resolve));
    else this.running++;
    return () => this.release();
  }

  private release(): void {
    const next = ORDER.map((p) => this.waiting[p]).find((q) => q.length > 0)?.shift();
    // The slot passes straight to the next waiter, most urgent first.
    if (next) next();
    else this.running--;
  }

  /** Counts a call Zoho answered (a 429 costs nothing). */
  async spend(credits = 1): Promise<void> {
    const day = creditDay(this.now());
    const used = await this.state.spend(day, credits);
    this.seen = { day, used };
  }

  async usedToday(): Promise<number> {
    return this.state.creditsOn(creditDay(this.now()));
  }
}
