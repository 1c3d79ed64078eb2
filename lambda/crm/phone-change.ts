/**
 * What a phone's calendar object means for its CRM event: the one phone -> CRM decision, pure.
 * Every path that carries a phone write to a CRM asks it: the built-in CRM inside the calendar's
 * transaction (crm/builtin/phone-write.ts), and the bridge after the commit or from the outbox
 * (sync/phone-to-crm.ts); they differ only in how they read and write, never in what they decide.
 */
import { crmIdFromUid, icsToCrmEvent, type Lookup } from './mapping';
import type { CrmEvent, CrmEventDraft, CrmUser } from './types';

/** The calendar object as stored: what the phone wrote. */
export interface PhoneObject {
  uid: string;
  /** Resource name in the owner's calendar. */
  name: string;
  ics: string;
}

export type PhoneDecision =
  /** The calendar's owner is no CRM user: nothing goes to the CRM. */
  | { kind: 'not-ours' }
  /** The CRM event already holds exactly this text under this name. */
  | { kind: 'unchanged' }
  /** Write this draft for `owner`: a new event when `existing` is null, else that event. */
  | { kind: 'write'; draft: CrmEventDraft; existing: CrmEvent | null; owner: CrmUser };

/**
 * Whether `event` is the CRM event of an object of `owner` holding `uid`: linked to that UID, or,
 * for an event made in the CRM and never edited from CalDAV, the one its UID was derived from.
 */
export function isLinkedTo(event: CrmEvent, owner: string, uid: string): boolean {
  if (event.Deleted || event.Owner.email.toLowerCase() !== owner.toLowerCase()) return false;
  return event.caldav ? event.caldav.uid === uid : crmIdFromUid(uid) === event.id;
}

/**
 * The decision for a put of `object` into `owner`'s calendar, given the event it is linked to
 * (null: none yet). Attendees are matched through `lookup`; mapping errors are CrmValidationError.
 */
export async function decidePhoneWrite(owner: CrmUser | null, object: PhoneObject, existing: CrmEvent | null, lookup: Lookup): Promise<PhoneDecision> {
  if (!owner) return { kind: 'not-ours' };
  if (existing?.caldav?.ics === object.ics && existing.caldav.name === object.name) return { kind: 'unchanged' };
  const draft = await icsToCrmEvent(object.ics, { owner, lookup, existing: existing ?? undefined });
  draft.caldav = { ...draft.caldav!, uid: object.uid, name: object.name, ics: object.ics };
  draft.Deleted = false;
  return { kind: 'write', draft, existing, owner };
}
