/**
 * Reconciliation: applies every CRM change since the stored cursor to the owners'
 * calendars, so changes that reached the CRM without its API (imports, other integrations,
 * direct writes through the CRM's store) still reach the phone. Changes made through the API
 * were applied already by its listener; applying them again writes nothing (the listener only
 * writes when the iCalendar would change).
 *
 * One run at a time: the cursor is held under a lease and only advanced by its holder, so two
 * overlapping runs never both apply a batch. The first run ever starts at the feed's end: the
 * past is the initial export's job, within its bounds. Those bounds hold afterwards too: an event
 * not in its owner's calendar arrives only when it changed after the owner's CalDAV was enabled,
 * so a feed still holding pre-enable writes never delivers what the export left out (outside
 * its window, or beyond its 2,000).
 */
import { randomUUID } from 'node:crypto';
import { uidForCrmId } from '../crm/mapping';
import type { CrmEvent } from '../crm/types';
import { errorText } from '../platform/log';
import { caldavUidOf } from '../sync/crm-to-caldav';
import { DEFAULT_LEASE_MS, type JobDeps } from './deps';
import type { Lease } from './job-store';

export interface ReconcileReport {
  /** False when another run held the lease. */
  ran: boolean;
  /** Changed or deleted CRM events read from the feed. */
  examined: number;
  /** Of those, the ones that changed a calendar. */
  applied: number;
  /** Left alone because a phone change to the same object is waiting for the CRM. */
  deferred: number;
  failed: number;
  cursor: string | null;
  /** Set on the first run, which only records where the feed ends. */
  started?: boolean;
  /** Set when the run stopped early (deadline, lost lease, unreadable feed). */
  stoppedBecause?: string;
}

/** Bound on feed pages per run, so a flood of changes cannot pin one invocation. */
const MAX_PAGES = 500;

export async function runReconciliation(deps: JobDeps, opts: { deadline?: number } = {}): Promise<ReconcileReport> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const lease: Lease = { holder: randomUUID(), until: deps.now().getTime() + leaseMs };
  const report: ReconcileReport = { ran: false, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null };
  const state = await deps.jobs.claimReconcile(lease, deps.now());
  if (!state) return report;
  report.ran = true;
  report.cursor = state.cursor;
  try {
    if (state.cursor === null) {
      report.cursor = await deps.crm.latestCursor();
      report.started = true;
      if (!(await deps.jobs.advanceReconcile(lease, report.cursor))) report.stoppedBecause = 'lease lost';
      return report;
    }
    const apply = applier(deps);
    for (let page = 0; page < MAX_PAGES; page++) {
      if (opts.deadline !== undefined && deps.now().getTime() >= opts.deadline) {
        report.stoppedBecause = 'deadline';
        break;
      }
      const batch = await deps.crm.listChangesSince(report.cursor);
      if (batch.events.length === 0 && batch.deletedIds.length === 0) break;
      await apply.page(report, batch.events, batch.deletedIds);
      if (batch.nextCursor === report.cursor) break;
      lease.until = deps.now().getTime() + leaseMs;
      if (!(await deps.jobs.advanceReconcile(lease, batch.nextCursor))) {
        report.stoppedBecause = 'lease lost';
        return report;
      }
      report.cursor = batch.nextCursor;
      if (batch.more === false) break;
    }
  } catch (err) {
    report.stoppedBecause = errorText(err);
    deps.log?.('error', 'reconciliation stopped; the next run resumes from the cursor', { error: report.stoppedBecause });
  } finally {
    await deps.jobs.releaseReconcile(lease, { at: deps.now().toISOString(), applied: report.applied });
  }
  return report;
}

/**
 * Applies CRM changes the CRM told us of outside the feed (a hosted CRM's notification, with the
 * records re-read by id) exactly as a reconciliation page: the same export bounds, the same
 * deferral to a phone change waiting in the outbox, the same moves between owners.
 */
export async function applyCrmChanges(deps: JobDeps, events: CrmEvent[], deletedIds: string[]): Promise<Pick<ReconcileReport, 'examined' | 'applied' | 'deferred' | 'failed'>> {
  const report: ReconcileReport = { ran: true, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null };
  await applier(deps).page(report, events, deletedIds);
  return { examined: report.examined, applied: report.applied, deferred: report.deferred, failed: report.failed };
}

type Outcome = 'applied' | 'unchanged' | 'deferred';

/** An event that was not in its owner's calendar before this run applied it. */
interface Arrival {
  event: CrmEvent;
  uid: string;
  name: string;
}

/** Per-run caches of the users and their pending phone changes, and how a page is applied. */
function applier(deps: JobDeps) {
  let enabledUsers: Promise<Map<string, number>> | undefined;
  const pending = new Map<string, Promise<Set<string>>>();

  /** The users with CalDAV access (the calendars there are), each with when it was enabled (epoch ms). */
  const enabledSince = () =>
    (enabledUsers ??= deps.users
      .listUsers()
      .then((records) => new Map(records.filter((r) => r.enabled).map((r) => [r.email.toLowerCase(), Date.parse(r.enabledAt ?? r.createdAt)] as const))));
  const enabled = async () => [...(await enabledSince()).keys()];
  const pendingUids = (owner: string) => {
    let uids = pending.get(owner);
    if (!uids) pending.set(owner, (uids = deps.outbox.list(owner).then((entries) => new Set(entries.flatMap((e) => e.uids)))));
    return uids;
  };

  async function saved(event: CrmEvent, arrivals: Arrival[]): Promise<Outcome> {
    const owner = event.Owner.email.toLowerCase();
    const uid = caldavUidOf(event);
    if ((await pendingUids(owner)).has(uid)) return 'deferred';
    const since = (await enabledSince()).get(owner);
    const had = since !== undefined ? await deps.store.findNameByUid(owner, uid) : null;
    if (!had) arrivals.push({ event, uid, name: event.caldav?.name ?? `${uid}.ics` });
    if (since === undefined) return 'unchanged';
    // Not in the calendar and unchanged since enablement: the initial export's to decide.
    if (!had && !(Date.parse(event.Modified_Time) > since)) return 'unchanged';
    // Read from the CRM for this page just now: the listener need not read it again.
    return (await deps.listener.eventSaved(event, null, { fresh: true })) ? 'applied' : 'unchanged';
  }

  /**
   * Events that arrived in a calendar (or belong to a user without CalDAV) may have been moved
   * from another user outside the API: that user's calendar must let go of them. One batch read
   * per enabled user and page, rather than a lookup per event and user.
   */
  async function releaseMoved(arrivals: Arrival[]): Promise<Set<string>> {
    const moved = new Set<string>();
    if (arrivals.length === 0) return moved;
    for (const user of await enabled()) {
      const candidates = arrivals.filter((a) => a.event.Owner.email.toLowerCase() !== user);
      if (candidates.length === 0) continue;
      const held = await deps.store.getObjects(user, [...new Set(candidates.map((a) => a.name))]);
      for (const a of candidates) {
        if (held.some((o) => o.name === a.name && o.uid === a.uid) && (await deps.listener.removeUid(user, a.uid))) moved.add(a.event.id);
      }
    }
    return moved;
  }

  async function deleted(id: string): Promise<Outcome> {
    const record = await deps.crm.getEvent(id);
    if (record) return (await deps.listener.eventDeleted(record)) ? 'applied' : 'unchanged';
    // Hard-deleted: only the id is left; a CRM-made event carries it in its UID.
    let removed = false;
    for (const user of await enabled()) removed = (await deps.listener.removeUid(user, uidForCrmId(id))) || removed;
    return removed ? 'applied' : 'unchanged';
  }

  /** Applies one feed page; a failure stops the run before the cursor passes the page. */
  async function page(report: ReconcileReport, events: CrmEvent[], deletedIds: string[]): Promise<void> {
    const outcomes = new Map<string, Outcome>();
    const arrivals: Arrival[] = [];
    try {
      for (const event of events) outcomes.set(event.id, await saved(event, arrivals));
      for (const id of deletedIds) outcomes.set(id, await deleted(id));
      for (const id of await releaseMoved(arrivals)) outcomes.set(id, 'applied');
    } catch (err) {
      // The cursor stays before this page, so the next run tries it again: a change the phone
      // never got is worse than one applied twice (applying is idempotent).
      report.failed++;
      throw err;
    } finally {
      report.examined += outcomes.size;
      for (const o of outcomes.values()) {
        if (o === 'applied') report.applied++;
        else if (o === 'deferred') report.deferred++;
      }
    }
  }

  return { page };
}
