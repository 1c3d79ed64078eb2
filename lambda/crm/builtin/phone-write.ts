/**
 * A phone's write as the built-in CRM's part of the calendar's own transaction: the event record,
 * its indexes and its feed entry, prepared from reads that travel in the calendar write's one
 * round trip and committed by the calendar store with its own items (store CommitOptions.alongside).
 * So a phone PUT is one BatchGetItem and one TransactWriteItems, and CalDAV and CRM never disagree.
 *
 * Every key is known before anything is read: a CRM-made UID names its event (crmIdFromUid), and
 * a phone-made event's id is derived from its owner and UID (phoneEventId). Events linked before
 * ids were derived are found through the UID index, at the cost of a second round of reads.
 */
import { createHash } from 'node:crypto';
import type { AlongsideWrite, PendingChange } from '../../core/types';
import type { StoredObject } from '../../store/types';
import { attendeeEmails, crmIdFromUid } from '../mapping';
import { decidePhoneWrite, isLinkedTo } from '../phone-change';
import type { CrmEvent } from '../types';
import { nextModifiedTime, type CrmContext } from './context';
import { eventIdByUid, readEvent } from './event-reads';
import { deletionItems, eventAfter, eventWriteItems, readFeedCounter } from './event-writes';
import { shardOfEvent } from './keys';
import { crmUserOf } from './users';
import { lookupAttendees } from './who';

/** The id of the event a phone-made object maps to: stable, so its keys are known before any read. */
export const phoneEventId = (owner: string, uid: string) =>
  `p-${createHash('sha256').update(`${owner.toLowerCase()}\n${uid}`).digest('hex').slice(0, 32)}`;

/** Thrown when the event cannot be written in the calendar's transaction (the bridge then writes it after). */
export class NotAlongside extends Error {}

interface Target {
  id: string;
  /** The record at `id` as read (soft-deleted or live), or null. */
  before: CrmEvent | null;
  span: { rangeStart: number | null; rangeEnd: number | null } | null;
  seq: number;
  /** Where the owner's UID index points for this UID. */
  link: string | null;
}

/**
 * The record an object of `owner` with `uid` maps to, with what its write is conditioned on.
 * The first round reads every candidate key at once (issued before this function first awaits,
 * so they join the calendar store's batch); a link to an older, randomly named event costs a second.
 */
async function target(ctx: CrmContext, owner: string, uid: string, candidate: string): Promise<Target> {
  const [link, read, seq] = await Promise.all([eventIdByUid(ctx, owner, uid), readEvent(ctx, candidate), readFeedCounter(ctx, shardOfEvent(candidate))]);
  if (link !== null && link !== candidate) {
    const [linked, linkedSeq] = await Promise.all([readEvent(ctx, link), readFeedCounter(ctx, shardOfEvent(link))]);
    return { id: link, before: linked?.event ?? null, span: linked?.span ?? null, seq: linkedSeq, link };
  }
  return { id: candidate, before: read?.event ?? null, span: read?.span ?? null, seq, link };
}

const candidateOf = (owner: string, uid: string) => crmIdFromUid(uid) ?? phoneEventId(owner, uid);

function putWrite(ctx: CrmContext, owner: string, obj: StoredObject): AlongsideWrite {
  const emails = attendeeEmails(obj.ics, owner);
  return {
    // Owner, UID link, record, feed counter; each attendee's summary and user.
    keys: 4 + 2 * emails.length,
    prepare: async () => {
      const [ownerRecord, t, attendees] = await Promise.all([ctx.users.getUser(owner), target(ctx, owner, obj.uid, candidateOf(owner, obj.uid)), lookupAttendees(ctx, emails)]);
      const existing = t.before && isLinkedTo(t.before, owner, obj.uid) ? t.before : null;
      // A record at the id that is someone else's, or another object's: the bridge makes a new event.
      if (t.before && !existing && !(t.before.Deleted && t.before.Owner.email.toLowerCase() === owner)) {
        throw new NotAlongside(`event ${t.id} does not belong to ${obj.uid}`);
      }
      const user = ownerRecord ? crmUserOf(ownerRecord) : null;
      const decision = await decidePhoneWrite(user, obj, existing, (email) => attendees.matches.get(email.toLowerCase()) ?? null);
      if (decision.kind === 'not-ours') return [];
      if (decision.kind === 'unchanged') return attendees.repairs;
      const after = eventAfter(decision.draft, t.id, t.before, decision.owner, nextModifiedTime(ctx.now(), t.before?.Modified_Time));
      return [...eventWriteItems(ctx, t.before, after, decision.owner, t.seq, t.link), ...attendees.repairs];
    },
  };
}

/** iOS names an object after its UID: read as if so, and again if the object says otherwise. */
const uidOfName = (name: string) => name.replace(/\.ics$/i, '');

function deleteWrite(ctx: CrmContext, owner: string, name: string): AlongsideWrite {
  return {
    keys: 3,
    prepare: async (current) => {
      const guess = uidOfName(name);
      const guessed = target(ctx, owner, guess, candidateOf(owner, guess));
      guessed.catch(() => undefined);
      const object = await current;
      if (!object) return [];
      const t = object.uid === guess ? await guessed : await target(ctx, owner, object.uid, candidateOf(owner, object.uid));
      if (!t.before || !isLinkedTo(t.before, owner, object.uid)) return [];
      return deletionItems(ctx, t.before, t.span!, t.seq, nextModifiedTime(ctx.now(), t.before.Modified_Time));
    },
  };
}

/** The CRM side of a phone's PUT or DELETE, to commit with the calendar's transaction. */
export function phoneWrite(ctx: CrmContext, change: PendingChange): AlongsideWrite {
  const owner = change.owner.toLowerCase();
  if (change.kind === 'put') return putWrite(ctx, owner, change.object);
  return deleteWrite(ctx, owner, change.name);
}
