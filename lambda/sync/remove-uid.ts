/** Removing a CalDAV object by UID on the CRM's behalf (CRM -> phone, events and tasks alike). */
import { NotFound, PreconditionFailed, type CalendarStore } from '../store/types';

/** Lost If-Match races tolerated before giving up (each means a phone write just landed). */
const RACE_RETRIES = 5;

/**
 * Removes the object holding `uid` from the collection `key` (a calendar's owner, or a tasks
 * list's store key) through If-Match on what was just read; true when there was one.
 */
export async function removeStoredUid(store: CalendarStore, key: string, uid: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const name = await store.findNameByUid(key, uid);
    const obj = name ? await store.getObject(key, name) : null;
    if (!obj) return false;
    try {
      await store.deleteObject(key, obj.name, { ifMatch: obj.etag });
      return true;
    } catch (err) {
      if (err instanceof NotFound) return false;
      if (!(err instanceof PreconditionFailed) || attempt >= RACE_RETRIES) throw err;
    }
  }
}

