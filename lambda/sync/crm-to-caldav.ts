/**
 * CRM -> phone: applies a saved or deleted CRM event to its owner's CalDAV calendar. Writes go to
 * the store directly, never through core's change hook, so they are not pushed back to the CRM,
 * and always through If-Match on the etag just read: a phone write landing in between makes us
 * re-read and re-merge, never overwrite it. The stored iCalendar is edited, not regenerated, so what the CRM does not own
 * keeps its bytes; when nothing the CRM owns changed, nothing is written (no ctag bump).
 */
import { crmEventToIcs, uidForCrmId } from '../crm/mapping';
import type { CrmConnector, CrmEvent, CrmEventListener, CrmTaskListener, CrmUser } from '../crm/types';
import { PreconditionFailed, type CalendarStore, type UserStore } from '../store/types';
import type { Logger } from '../platform/log';
import type { Outbox } from './outbox';
import { removeStoredUid } from './remove-uid';
import { storedObjectFor } from './stored-object';
import type { TaskSync } from './task-sync';

// The port lives with the CRM types; re-exported for importers of the bridge.
export type { CrmEventListener } from '../crm/types';

export interface CrmToCaldavDeps {
  /** Written directly: no change hook runs, so nothing echoes back to the CRM. */
  store: CalendarStore;
  crm: CrmConnector;
  /** Our users: only those with CalDAV enabled get CRM events in a calendar. */
  users: Pick<UserStore, 'getUser'>;
  /** Pending phone deletions found here are not undone by re-creating the object. */
  outbox?: Outbox;
  /** The tasks half (task-sync.ts): with it the listener writes tasks lists too. */
  tasks?: TaskSync;
  now?: () => Date;
  log?: Logger;
}

/** Lost If-Match races tolerated before giving up (each means a phone write just landed). */
const RACE_RETRIES = 5;

export const caldavUidOf = (e: CrmEvent) => e.caldav?.uid ?? uidForCrmId(e.id);

/** The listener (events, and tasks: sync/tasks.ts), plus the removal it is built on (for jobs that know only a UID). */
export interface CaldavWriter extends CrmEventListener, Partial<CrmTaskListener> {
  /** Removes the object holding `uid` from `owner`'s calendar; true when there was one. */
  removeUid(owner: string, uid: string): Promise<boolean>;
}

const sameOwner = (a: CrmEvent, b: CrmEvent) => a.Owner.email.toLowerCase() === b.Owner.email.toLowerCase();

export function crmToCaldav(deps: CrmToCaldavDeps): CaldavWriter {
  const now = deps.now ?? (() => new Date());
  const { store, crm } = deps;

  const removeUid = (owner: string, uid: string) => removeStoredUid(store, owner, uid);

  /** The phone deleted this UID and the CRM has not heard yet: the replay will delete the event. */
  async function deletedOnPhone(owner: string, uid: string): Promise<boolean> {
    if (!deps.outbox) return false;
    return (await deps.outbox.list(owner)).some((e) => e.uids.includes(uid));
  }

  /**
   * The calendar deleted this UID after the CRM state at hand was written: a phone DELETE whose
   * push to the CRM is still in flight (or a removal this listener made). A deletion wins over a
   * concurrent edit; only a CRM change made after the deletion brings the event back.
   */
  async function deletedSince(owner: string, uid: string, event: CrmEvent): Promise<boolean> {
    const at = await store.uidDeletedAt(owner, uid);
    return at !== null && Date.parse(at) >= Date.parse(event.Modified_Time);
  }

  async function write(user: CrmUser, event: CrmEvent): Promise<boolean> {
    const owner = user.email;
    const uid = caldavUidOf(event);
    for (let attempt = 0; ; attempt++) {
      const name = await store.findNameByUid(owner, uid);
      const stored = name ? await store.getObject(owner, name) : null;
      if (!stored && (await deletedOnPhone(owner, uid))) {
        deps.log?.('info', 'CRM event not re-created: its CalDAV deletion waits in the outbox', { owner, uid, eventId: event.id });
        return false;
      }
      if (!stored && (await deletedSince(owner, uid, event))) {
        deps.log?.('info', 'CRM event not re-created: deleted from the calendar after this CRM state', { owner, uid, eventId: event.id });
        return false;
      }
      const ics = crmEventToIcs(event, { owner: user, previousIcs: stored?.ics, now: now() });
      if (stored && ics === stored.ics) return false;
      const obj = storedObjectFor(stored?.name ?? event.caldav?.name ?? `${uid}.ics`, ics, now());
      try {
        await store.putObject(owner, obj, stored ? { ifMatch: stored.etag } : { ifNoneMatch: true });
        deps.log?.('info', 'CRM event written to CalDAV', { owner, name: obj.name, eventId: event.id });
        return true;
      } catch (err) {
        if (!(err instanceof PreconditionFailed) || attempt >= RACE_RETRIES) throw err;
      }
    }
  }

  async function eventSaved(after: CrmEvent, before: CrmEvent | null, opts: { fresh?: boolean } = {}): Promise<boolean> {
    // A notification can arrive after a newer write (e.g. a phone PUT pushed meanwhile): the
    // CRM's current record is what the calendar must show, not the one in the notification.
    const current = opts.fresh ? after : ((await crm.getEvent(after.id)) ?? after);
    const moved = before && !sameOwner(before, current) ? await removeUid(before.Owner.email.toLowerCase(), caldavUidOf(before)) : false;
    if (current.Deleted) return (await removeUid(current.Owner.email.toLowerCase(), caldavUidOf(current))) || moved;
    const [user, account] = await Promise.all([crm.getUser(current.Owner.email), deps.users.getUser(current.Owner.email)]);
    if (!user || !account?.enabled) return moved;
    return (await write({ ...user, email: user.email.toLowerCase() }, current)) || moved;
  }

  async function eventDeleted(before: CrmEvent): Promise<boolean> {
    const current = await crm.getEvent(before.id);
    // Restored under the same id between the delete and this call: the calendar keeps it.
    if (current && !current.Deleted) return eventSaved(current, before);
    return removeUid(before.Owner.email.toLowerCase(), caldavUidOf(before));
  }

  return { eventSaved, eventDeleted, removeUid, ...(deps.tasks ? deps.tasks.taskWriter(deps) : {}) };
}
