/**
 * Replays the outbox: for each dirty href, oldest first, pushes the object's current state to the
 * CRM and removes the entry only if no new failure was recorded for it meanwhile. Run by the
 * scheduled job and by `crm-caldav sync retry`; safe to run concurrently with itself and with
 * CalDAV writes, because every push is idempotent on the current state.
 */
import type { CrmConnector } from '../crm/types';
import type { CalendarStore } from '../store/types';
import { errorText, type Logger } from '../platform/log';
import type { Outbox } from './outbox';
import { pushCurrentState } from './phone-to-crm';

export interface RetryDeps {
  /** The store, read directly: a replay calls no change hook, so it records no outbox entries for itself. */
  store: CalendarStore;
  crm: CrmConnector;
  outbox: Outbox;
  now?: () => Date;
  log?: Logger;
}

export interface RetryReport {
  delivered: number;
  failed: number;
  /** Entries a concurrent write re-dirtied while they were replayed; the next run takes them. */
  superseded: number;
}

export async function retryPending(deps: RetryDeps, opts: { owner?: string } = {}): Promise<RetryReport> {
  const now = deps.now ?? (() => new Date());
  const report: RetryReport = { delivered: 0, failed: 0, superseded: 0 };
  for (const entry of await deps.outbox.list(opts.owner)) {
    try {
      await pushCurrentState(deps.crm, deps.store, entry.owner, entry.name, entry.uids);
    } catch (err) {
      report.failed++;
      await deps.outbox.noteFailure(entry, errorText(err), now().toISOString());
      deps.log?.('error', 'CRM replay failed', { owner: entry.owner, name: entry.name, error: errorText(err) });
      continue;
    }
    if (await deps.outbox.remove(entry, entry.rev)) report.delivered++;
    else report.superseded++;
  }
  return report;
}
