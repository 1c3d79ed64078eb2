/**
 * Reconciliation (issue #4): applies every CRM change since the stored cursor to the owners'
 * calendars, so changes that reached the CRM without its API (imports, other integrations,
 * direct writes through the CRM's store) still reach the phone. Changes made through the API
 * were applied already by its listener; applying them again writes nothing (the listener only
 * writes when the iCalendar would change).
 *
 * One run at a time: the cursor is held under a lease and only advanced by its holder, so two
 * overlapping runs never both apply a batch. The first run ever starts at the feed's end: the
 * past is the initial export's job, within its bounds.
 */
import { randomUUID } from 'node:crypto';
import { uidForCrmId } from '../crm/mapping';
import { userRefOf } from '../crm/builtin/users';
import type { CrmEvent, CrmUser } from '../crm/types';
import { NotFound, PreconditionFailed } from '../store/types';
import { errorText } from '../sync/crm-syncing-store';
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
      for (const event of batch.events) await apply.count(report, () => apply.saved(event));
      for (const id of batch.deletedIds) await apply.count(report, () => apply.deleted(id));
      if (batch.nextCursor === report.cursor) break;
      lease.until = deps.now().getTime() + leaseMs;
      if (!(await deps.jobs.advanceReconcile(lease, batch.nextCursor))) {
        report.stoppedBecause = 'lease lost';
        return report;
      }
      report.cursor = batch.nextCursor;
    }
  } catch (err) {
    report.stoppedBecause = errorText(err);
    deps.log?.('error', 'reconciliation stopped; the next run resumes from the cursor', { error: report.stoppedBecause });
  } finally {
    await deps.jobs.releaseReconcile(lease, { at: deps.now().toISOString(), applied: report.applied });
  }
  return report;
}

type Outcome = 'applied' | 'unchanged' | 'deferred';

/** Per-run caches of the users and their pending phone changes, and the two ways to apply. */
function applier(deps: JobDeps) {
  let enabledUsers: Promise<CrmUser[]> | undefined;
  const pending = new Map<string, Promise<Set<string>>>();

  const enabled = () =>
    (enabledUsers ??= deps.users.listUsers().then(async (records) => {
      const users = await Promise.all(records.filter((r) => r.enabled).map((r) => deps.crm.getUser(r.email)));
      return users.filter((u): u is CrmUser => !!u?.caldavEnabled);
    }));
  const pendingUids = (owner: string) => {
    let uids = pending.get(owner);
    if (!uids) pending.set(owner, (uids = deps.outbox.list(owner).then((entries) => new Set(entries.flatMap((e) => e.uids)))));
    return uids;
  };
  const seqOf = async (owner: string) => (await deps.store.getCalendar(owner)).seq;

  /** Removes `uid` from `owner`'s calendar; true when something was removed. */
  async function removeUid(owner: string, uid: string): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const name = await deps.store.findNameByUid(owner, uid);
      const obj = name ? await deps.store.getObject(owner, name) : null;
      if (!obj) return false;
      try {
        await deps.store.deleteObject(owner, obj.name, { ifMatch: obj.etag });
        return true;
      } catch (err) {
        if (err instanceof NotFound) return false;
        if (!(err instanceof PreconditionFailed)) throw err;
      }
    }
    throw new Error(`could not remove ${uid} from ${owner}: it kept changing`);
  }

  async function saved(event: CrmEvent): Promise<Outcome> {
    const owner = event.Owner.email.toLowerCase();
    const uid = caldavUidOf(event);
    if ((await pendingUids(owner)).has(uid)) return 'deferred';
    const users = await enabled();
    const ownerEnabled = users.some((u) => u.email === owner);
    const had = ownerEnabled ? await deps.store.findNameByUid(owner, uid) : null;
    const before = ownerEnabled ? await seqOf(owner) : 0;
    await deps.listener.eventSaved(event, null);
    let changed = ownerEnabled && (await seqOf(owner)) !== before;
    if (!had) {
      // Not in its owner's calendar before: possibly moved from another user outside the API,
      // whose calendar must let go of it. Rare (API writes were applied already), so a lookup
      // per enabled user is affordable here.
      for (const other of users) {
        if (other.email === owner || !(await deps.store.findNameByUid(other.email, uid))) continue;
        await deps.listener.eventSaved(event, { ...event, Owner: userRefOf(other) });
        changed = true;
      }
    }
    return changed ? 'applied' : 'unchanged';
  }

  async function deleted(id: string): Promise<Outcome> {
    const record = await deps.crm.getEvent(id);
    if (record) {
      const owner = record.Owner.email.toLowerCase();
      const before = await seqOf(owner);
      await deps.listener.eventDeleted(record);
      return (await seqOf(owner)) !== before ? 'applied' : 'unchanged';
    }
    // Hard-deleted: only the id is left; a CRM-made event carries it in its UID.
    let removed = false;
    for (const user of await enabled()) removed = (await removeUid(user.email, uidForCrmId(id))) || removed;
    return removed ? 'applied' : 'unchanged';
  }

  async function count(report: ReconcileReport, run: () => Promise<Outcome>): Promise<void> {
    report.examined++;
    try {
      const outcome = await run();
      if (outcome === 'applied') report.applied++;
      else if (outcome === 'deferred') report.deferred++;
    } catch (err) {
      // The cursor stays before this batch, so the next run tries it again: a change the phone
      // never got is worse than one applied twice (applying is idempotent).
      report.failed++;
      throw err;
    }
  }

  return { saved, deleted, count };
}
