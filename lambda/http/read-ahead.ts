/**
 * Read methods (GET, HEAD, PROPFIND, REPORT) start while the credentials are being checked, as
 * the user they claim to be: their first key reads then travel with the user's in one
 * BatchGetItem (store/dynamodb/key-reader.ts), one round trip for a GET, HEAD, idle poll or
 * multiget. Nothing is answered before the check succeeds, and the calendar store this module
 * hands them holds back everything that could cost more than a few key reads (listings,
 * queries, the change log, big batches) and every write until then, so a wrong password buys
 * no more work than a right one's first round trip.
 */
import type { CalendarStore } from '../store/types';

/** Key reads a request may make before its credentials are known, in total. */
export const MAX_KEYS_BEFORE_AUTH = 100;

export function storeAfterAuth(store: CalendarStore, authorized: Promise<unknown>): CalendarStore {
  let budget = MAX_KEYS_BEFORE_AUTH;
  // After a refused check, held-back calls fail with its error; the handler has answered 401.
  const later = <T>(call: () => Promise<T>): Promise<T> => authorized.then(call);
  const early = <T>(keys: number, call: () => Promise<T>): Promise<T> => {
    if (keys > budget) return later(call);
    budget -= keys;
    return call();
  };
  return {
    getCalendar: (owner) => early(1, () => store.getCalendar(owner)),
    getObject: (owner, name) => early(1, () => store.getObject(owner, name)),
    getObjects: (owner, names) => early(names.length, () => store.getObjects(owner, names)),
    findNameByUid: (owner, uid) => early(1, () => store.findNameByUid(owner, uid)),
    uidDeletedAt: (owner, uid) => early(1, () => store.uidDeletedAt(owner, uid)),
    listObjects: (owner) => later(() => store.listObjects(owner)),
    findInRange: (owner, start, end) => later(() => store.findInRange(owner, start, end)),
    changesSince: (owner, since) => later(() => store.changesSince(owner, since)),
    patchCalendarProps: (owner, set, remove) => later(() => store.patchCalendarProps(owner, set, remove)),
    putObject: (owner, obj, cond) => later(() => store.putObject(owner, obj, cond)),
    deleteObject: (owner, name, cond) => later(() => store.deleteObject(owner, name, cond)),
  };
}
