/**
 * A request's method starts while its credentials are being checked, as the user they claim
 * to be: its first key reads then travel with the user's in one BatchGetItem
 * (store/dynamodb/key-reader.ts), one round trip for a GET, HEAD, idle poll or multiget, and
 * a PUT's reads share it too. Nothing is answered before the check succeeds, and the calendar
 * store this module hands the method holds back until then everything that could cost more
 * than a few key reads (listings, queries, big batches, the change log past its first page of
 * 100 entries) and every write (a PUT or DELETE reads and checks at once but commits after the
 * check), so a wrong password buys no more work than a right one's first round trip, and
 * changes nothing.
 */
import type { ObjectChangeHook } from '../core/types';
import type { SchedulingDeps } from '../core/scheduling/ports';
import type { CalendarStore, CommitOptions } from '../store/types';

/** Key reads a request may make before its credentials are known, in total. */
export const MAX_KEYS_BEFORE_AUTH = 100;

/** `giveUpBy`: the request's deadline for its writes' rounds against concurrent writers (CommitOptions.giveUpBy). */
export function storeAfterAuth(store: CalendarStore, authorized: Promise<unknown>, giveUpBy?: number): CalendarStore {
  let budget = MAX_KEYS_BEFORE_AUTH;
  // After a refused check, held-back calls fail with its error; the handler has answered 401.
  const later = <T>(call: () => Promise<T>): Promise<T> => authorized.then(call);
  const early = <T>(keys: number, call: () => Promise<T>): Promise<T> => {
    if (keys > budget) return later(call);
    budget -= keys;
    return call();
  };
  // A write's own reads go with the first round; its participant's too while within the budget left.
  const afterAuth = (opts: CommitOptions = {}): CommitOptions => ({ ...opts, commitAfter: authorized, readsBeforeCommit: budget, ...(giveUpBy !== undefined ? { giveUpBy } : {}) });
  return {
    getCalendar: (owner) => early(1, () => store.getCalendar(owner)),
    getObject: (owner, name) => early(1, () => store.getObject(owner, name)),
    getObjects: (owner, names) => early(names.length, () => store.getObjects(owner, names)),
    findNameByUid: (owner, uid) => early(1, () => store.findNameByUid(owner, uid)),
    uidDeletedAt: (owner, uid) => early(1, () => store.uidDeletedAt(owner, uid)),
    // Counter, object and UID guard; the object and counter for a deletion.
    putObject: (owner, obj, cond, opts) => early(3, () => store.putObject(owner, obj, cond, afterAuth(opts))),
    deleteObject: (owner, name, cond, opts) => early(2, () => store.deleteObject(owner, name, cond, afterAuth(opts))),
    listObjects: (owner, atSeq) => later(() => store.listObjects(owner, atSeq)),
    findInRange: (owner, start, end, atSeq) => later(() => store.findInRange(owner, start, end, atSeq)),
    // The log's first page (LOG_FIRST_PAGE entries) with the counter read; more after the check.
    changesSince: (owner, since, atSeq) => early(1, () => store.changesSince(owner, since, atSeq, { restAfter: authorized })),
    patchCalendarProps: (owner, set, remove) => later(() => store.patchCalendarProps(owner, set, remove)),
    deleteCalendar: (owner) => later(() => store.deleteCalendar(owner)),
  };
}

/** The change hook (the CRM write) never runs for an unchecked request, whatever calls it. */
export const hookAfterAuth = (hook: ObjectChangeHook | undefined, authorized: Promise<unknown>): ObjectChangeHook | undefined =>
  hook && ((change) => authorized.then(() => hook(change)));

/** Scheduling's look-ups of other users (who is a calendar user here) wait for the credential check. */
export const schedulingAfterAuth = (deps: SchedulingDeps | undefined, authorized: Promise<unknown>): SchedulingDeps | undefined =>
  deps && { ...deps, isCalendarUser: (email) => authorized.then(() => deps.isCalendarUser(email)) };
