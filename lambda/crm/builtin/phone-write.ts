/**
 * A phone's write as the built-in CRM's part of the calendar's own transaction: the built-in CRM
 * is the DynamoDB calendar store's transaction participant (store/dynamodb/participant.ts, wired
 * in app/build.ts). The event record, its indexes and its feed entry are prepared from reads that
 * travel in the calendar write's one round trip and committed by the store with its own items, so
 * a phone PUT is one BatchGetItem and one TransactWriteItems, and CalDAV and CRM never disagree.
 * What cannot be prepared here (a UID naming someone else's event) commits the calendar alone, and
 * the bridge's change hook writes the CRM after it.
 *
 * Every key is known before anything is read: a CRM-made UID names its event (crmIdFromUid), and
 * a phone-made event's id is derived from its owner and UID (phoneEventId). Events linked before
 * ids were derived are found through the UID index, at the cost of a second round of reads.
 */
import { createHash } from 'node:crypto';
import type { TransactItem } from '../../platform/dynamodb/retry';
import { errorText, silentLogger, type Logger } from '../../platform/log';
import type { ParticipantPart, TransactionParticipant } from '../../store/dynamodb/participant';
import type { PendingWrite, StoredObject } from '../../store/types';
import { listOfKey } from '../../core/paths';
import { attendeeEmails, crmIdFromUid } from '../mapping';
import { decidePhoneWrite, isLinkedTo } from '../phone-change';
import type { CrmEvent } from '../types';
import { nextModifiedTime, type CrmContext } from './context';
import { eventIdByUid, readEvent } from './event-reads';
import { deletionItems, eventAfter, eventWriteItems, readFeedCounter } from './event-writes';
import { unchangedSpan } from './span';
import { shardOfEvent } from './keys';
import { crmUserOf } from './users';
import { lookupAttendees } from './who';

/** The id of the event a phone-made object maps to: stable, so its keys are known before any read. */
export const phoneEventId = (owner: string, uid: string) =>
  `p-${createHash('sha256').update(`${owner.toLowerCase()}\n${uid}`).digest('hex').slice(0, 32)}`;

/** Thrown when the event cannot be written in the calendar's transaction (the bridge then writes it after). */
class NotAlongside extends Error {}

/** A part whose reads or decision failed declines (null) and logs why: the change hook then writes the CRM. */
function declining(part: { keys: number; items(current: Promise<{ uid: string } | null>): Promise<TransactItem[]> }, owner: string, log: Logger): ParticipantPart {
  return {
    keys: part.keys,
    prepare: async (current) => {
      try {
        return await part.items(current);
      } catch (err) {
        log('info', 'CRM change made after the calendar write', { owner, error: errorText(err) });
        return null;
      }
    },
  };
}

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

function putWrite(ctx: CrmContext, owner: string, obj: StoredObject) {
  const emails = attendeeEmails(obj.ics, owner);
  return {
    // Owner, UID link, record, feed counter; each attendee's summary and user.
    keys: 4 + 2 * emails.length,
    items: async (): Promise<TransactItem[]> => {
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
      const span = unchangedSpan(t.before, t.span, after) ?? undefined;
      return [...eventWriteItems(ctx, t.before, after, decision.owner, t.seq, t.link, span), ...attendees.repairs];
    },
  };
}

/** iOS names an object after its UID: read as if so, and again if the object says otherwise. */
const uidOfName = (name: string) => name.replace(/\.ics$/i, '');

function deleteWrite(ctx: CrmContext, owner: string, name: string) {
  return {
    keys: 3,
    items: async (current: Promise<{ uid: string } | null>): Promise<TransactItem[]> => {
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

/** The built-in CRM as the calendar store's participant: its side of every phone PUT and DELETE. */
export function phoneWriteParticipant(ctx: CrmContext, log: Logger = silentLogger): TransactionParticipant {
  return {
    join(write: PendingWrite): ParticipantPart {
      const owner = write.owner.toLowerCase();
      // A tasks list's write (key `<email>#tasks`) is not an event: the bridge pushes it after the commit (sync/tasks.ts).
      if (listOfKey(owner)?.list === 'tasks') return { keys: 0, prepare: async () => null };
      try {
        return declining(write.kind === 'put' ? putWrite(ctx, owner, write.object) : deleteWrite(ctx, owner, write.name), owner, log);
      } catch (err) {
        // Text the mapping cannot even read for attendees: nothing to prepare, the hook decides.
        log('info', 'CRM change made after the calendar write', { owner, error: errorText(err) });
        return { keys: 0, prepare: async () => null };
      }
    },
  };
}
