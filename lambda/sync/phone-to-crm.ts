/**
 * Phone -> CRM: brings the CRM event of one calendar object in line with the object as stored.
 * Shared by the write path (crm-change-hook.ts) and the replay (retry.ts), and idempotent:
 * pushing the same stored state twice changes nothing the second time.
 */
import { crmIdFromUid } from '../crm/mapping';
import { decidePhoneWrite, isLinkedTo } from '../crm/phone-change';
import { CrmConflict, CrmNotFound, type CrmConnector, type CrmEvent } from '../crm/types';
import type { CalendarStore, StoredObject } from '../store/types';

export type PushResult = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'not-a-crm-user';

/** Optimistic writes lost to a concurrent CRM edit are re-read and retried this many times. */
const CONFLICT_RETRIES = 3;

/**
 * The CRM event an object maps to: by its caldav link, or, for an event created in the CRM and
 * never edited from CalDAV, by the id its UID was derived from.
 */
export async function findLinkedEvent(crm: CrmConnector, owner: string, uid: string): Promise<CrmEvent | null> {
  const linked = await crm.findEventByUid(owner, uid);
  if (linked) return linked;
  const id = crmIdFromUid(uid);
  if (!id) return null;
  const byId = await crm.getEvent(id);
  return byId && isLinkedTo(byId, owner, uid) ? byId : null;
}

export async function pushObject(crm: CrmConnector, owner: string, obj: StoredObject): Promise<PushResult> {
  // The owner and the link are read together (one round trip on the built-in CRM); the link's
  // outcome matters only for a CRM user (decidePhoneWrite: not ours otherwise).
  const linked = findLinkedEvent(crm, owner, obj.uid);
  linked.catch(() => undefined);
  const user = await crm.getUser(owner);
  for (let attempt = 0; ; attempt++) {
    const existing = user ? await (attempt === 0 ? linked : findLinkedEvent(crm, owner, obj.uid)) : null;
    const decision = await decidePhoneWrite(user, obj, existing, (email) => crm.findPersonByEmail(email));
    if (decision.kind === 'not-ours') return 'not-a-crm-user';
    if (decision.kind === 'unchanged') return 'unchanged';
    const { draft } = decision;
    try {
      await crm.upsertEvent(draft, existing ? { ifModified: existing.Modified_Time, current: existing } : undefined);
      return existing ? 'updated' : 'created';
    } catch (err) {
      // The phone's write is the newer one (it arrived after the CRM edit we raced with).
      if (!(err instanceof CrmConflict) || attempt >= CONFLICT_RETRIES) throw err;
    }
  }
}

/**
 * The CRM event of `uid` goes away, unless the calendar still holds that UID under another
 * name (a later write moved it), in which case that object is pushed instead.
 */
export async function pushDeletion(crm: CrmConnector, store: CalendarStore, owner: string, uid: string): Promise<PushResult> {
  const holder = await store.findNameByUid(owner, uid);
  if (holder !== null) {
    const obj = await store.getObject(owner, holder);
    if (obj) return pushObject(crm, owner, obj);
  }
  const existing = await findLinkedEvent(crm, owner, uid);
  if (!existing) return 'absent';
  try {
    await crm.deleteEvent(existing.id);
  } catch (err) {
    if (err instanceof CrmNotFound) return 'absent';
    throw err;
  }
  return 'deleted';
}

/** Pushes whatever `owner/name` holds now, and deletes the CRM events of `uids` it no longer holds. */
export async function pushCurrentState(crm: CrmConnector, store: CalendarStore, owner: string, name: string, uids: string[]): Promise<void> {
  const obj = await store.getObject(owner, name);
  for (const uid of uids) if (uid !== obj?.uid) await pushDeletion(crm, store, owner, uid);
  if (obj) await pushObject(crm, owner, obj);
}
