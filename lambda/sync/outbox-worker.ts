/**
 * The outbox worker of a process that serves phone writes itself (the local server): each
 * outbox-first write kicks a delivery of its href at once, after the answer, one delivery per
 * href at a time; a failed one is tried again after growing delays and then left to the
 * scheduled replay. On AWS the outbox table's stream triggers the same delivery instead
 * (handlers/outbox-worker.ts), so a Lambda never works after its answer.
 */
import { errorText, type Logger } from '../platform/log';
import type { DeliveryOutcome } from './delivery';
import type { OutboxKey } from './outbox';

/** Waits before the next try of a failed delivery; after the last the scheduled replay takes over. */
export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

export interface OutboxKicker {
  /** Deliver this href soon; returns at once. */
  kick(key: OutboxKey): void;
}

export class InProcessOutboxWorker implements OutboxKicker {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(
    private readonly deliver: (key: OutboxKey) => Promise<DeliveryOutcome>,
    private readonly opts: { retryDelaysMs?: number[]; log?: Logger } = {},
  ) {}

  kick(key: OutboxKey): void {
    const id = `${key.owner.toLowerCase()}\n${key.name}`;
    const run = this.running.get(id);
    if (run) {
      run.again = true;
      return;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = this.run(key, state).finally(() => this.running.delete(id));
    this.running.set(id, state);
  }

  /** Resolves once every delivery started so far (and its retries) has ended. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async run(key: OutboxKey, state: { again: boolean }): Promise<void> {
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let failures = 0; ; ) {
      state.again = false;
      let outcome: DeliveryOutcome;
      try {
        outcome = await this.deliver(key);
      } catch (err) {
        // The outbox itself failed: the entry stays for the scheduled replay.
        this.opts.log?.('error', 'outbox delivery could not run; the scheduled replay retries it', { owner: key.owner, name: key.name, error: errorText(err) });
        return;
      }
      if (outcome === 'failed' || outcome === 'superseded') {
        if (failures >= delays.length) return;
        await new Promise((resolve) => setTimeout(resolve, delays[failures++]));
        continue;
      }
      // Another write came in while this one ran: deliver once more.
      if (!state.again) return;
    }
  }
}
