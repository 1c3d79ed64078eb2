/**
 * Delivering the outbox: for one dirty href, take its lease, push the object's current state to
 * the CRM, and remove the entry only if no write was recorded for it meanwhile (else push again:
 * the newer state is ours to deliver too). Every push is idempotent on the current state, and the
 * lease keeps two workers from pushing one href at once, so deliveries of an event reach the CRM
 * one after another, in the order of the writes, and a retried delivery never makes a second
 * event. Run by the in-process worker after each outbox-first write (outbox-worker.ts), by the
 * stream trigger on AWS (handlers/outbox-worker.ts), and for every entry by the scheduled replay
 * and `crm-caldav sync retry`.
 */
import { randomUUID } from 'node:crypto';
import type { CrmConnector } from '../crm/types';
import type { CalendarStore } from '../store/types';
import { errorText, type Logger } from '../platform/log';
import type { Outbox, OutboxKey } from './outbox';
import { pushCurrentState } from './phone-to-crm';
import { tasksOwnerOf, type TaskSync } from './task-sync';

export interface DeliveryDeps {
  /** The store, read directly: a delivery calls no change hook, so it records nothing for itself. */
  store: CalendarStore;
  crm: CrmConnector;
  outbox: Outbox;
  now?: () => Date;
  log?: Logger;
  /** How long a delivery holds an entry (default 60 s): longer than any one push takes. */
  leaseMs?: number;
  /** The tasks half (task-sync.ts); without it a tasks-list entry is left for a deliverer that has it. */
  tasks?: TaskSync;
}

/**
 * `not-claimed`: no entry, or another worker holds it (it delivers whatever is recorded before it
 * lets go). `superseded`: writes kept arriving while we pushed; the entry stays for the next run.
 */
export type DeliveryOutcome = 'delivered' | 'failed' | 'not-claimed' | 'superseded';

const DEFAULT_LEASE_MS = 60_000;
/** Pushes of newer states by the same holder before it leaves the rest to the next run. */
const MAX_ROUNDS = 5;

export async function deliver(deps: DeliveryDeps, key: OutboxKey): Promise<DeliveryOutcome> {
  const now = deps.now ?? (() => new Date());
  const holder = randomUUID();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const tasksOwner = tasksOwnerOf(key.owner);
    if (tasksOwner && !deps.tasks) return 'not-claimed';
    const at = now().getTime();
    const entry = await deps.outbox.claim(key, { holder, until: at + (deps.leaseMs ?? DEFAULT_LEASE_MS) }, at);
    if (!entry) return round === 0 ? 'not-claimed' : 'delivered';
    try {
      // An entry of a tasks list is keyed by the list's store key (crm-change-hook.ts keyOf).
      if (tasksOwner) await deps.tasks!.pushTaskState(deps.crm, deps.store, tasksOwner, entry.name, entry.uids);
      else await pushCurrentState(deps.crm, deps.store, entry.owner, entry.name, entry.uids);
    } catch (err) {
      await deps.outbox.noteFailure(entry, errorText(err), now().toISOString(), holder);
      deps.log?.('error', 'CRM delivery failed; it is retried', { owner: entry.owner, name: entry.name, attempts: entry.attempts + 1, error: errorText(err) });
      return 'failed';
    }
    if (await deps.outbox.remove(entry, entry.rev, holder)) return 'delivered';
  }
  return 'superseded';
}

export interface RetryReport {
  delivered: number;
  failed: number;
  /** Entries a concurrent write kept re-dirtying, or another worker held; the next run takes them. */
  superseded: number;
}

/** Delivers every pending entry (of one owner when given), oldest first. */
export async function retryPending(deps: DeliveryDeps, opts: { owner?: string } = {}): Promise<RetryReport> {
  const report: RetryReport = { delivered: 0, failed: 0, superseded: 0 };
  for (const entry of await deps.outbox.list(opts.owner)) {
    const outcome = await deliver(deps, entry);
    if (outcome === 'delivered') report.delivered++;
    else if (outcome === 'failed') report.failed++;
    else report.superseded++;
  }
  return report;
}
