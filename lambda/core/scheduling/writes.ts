/**
 * Implicit scheduling in PUT and DELETE (RFC 6638 §3.2): the step each method takes around its
 * store write. For an organizer's copy: attendees here get their copy and a REQUEST or CANCEL in
 * their inbox, others an iMIP e-mail; for an attendee's copy: the allowed changes only, and a
 * REPLY to the organizer. Decisions read through the request's store (`ctx.store`); deliveries
 * happen once the request's own write committed.
 */
import { CAL } from '../namespaces';
import { DavError, forbidden, preconditionFailed } from '../errors';
import type { DavContext, DavRequest } from '../types';
import type { CalendarStore, StoredObject, WriteCondition } from '../../store/types';
import { checkWritePreconditions, pinState, readPreconditions } from '../methods/conditional';
import { planAttendeeChange, notTheAttendeesToChange } from './attendee';
import { copyNameFor, deliverOrganizerPlan, deliverReply, findByUid, storedWith } from './delivery';
import { editParty, organizerOf, readSchedDoc, textOf, type SchedDoc } from './document';
import { replyMessage, type ReplyChange } from './messages';
import { planOrganizer, serverAttendees } from './organizer';
import { scheduleTagOf } from './organizer-part';
import type { SchedulingDeps } from './ports';
import { declineAll } from './reply';
import { STATUS } from './status';

/** Commits `object` with `cond`; `ownEvent` false keeps it from the CRM (an attendee's copy is the organizer's event). */
export type Commit = (object: StoredObject, cond: WriteCondition, ownEvent: boolean) => Promise<{ created: boolean }>;

export interface ScheduledPut {
  /** What was stored: the client's text, or with the server's SCHEDULE-STATUS and merged PARTSTATs. */
  object: StoredObject;
  created: boolean;
  headers: Record<string, string>;
}

const RACE_RETRIES = 3;

const organizerOrNull = (d: SchedDoc) => {
  try {
    return organizerOf(d);
  } catch {
    return null;
  }
};

/** Whether a PUT needs the step before its write: the text names an ORGANIZER, or the client asks for a Schedule-Tag. */
export const schedulesBeforeWrite = (req: DavRequest, ics: string) => req.headers['if-schedule-tag-match'] !== undefined || /\nORGANIZER[;:]/i.test(ics);

/** RFC 6638 §8.3: the Schedule-Tag the client last saw must still be current. */
function checkScheduleTag(req: DavRequest, current: StoredObject | null): void {
  const wanted = req.headers['if-schedule-tag-match'];
  if (wanted === undefined) return;
  const tag = current ? scheduleTagOfTextSafe(current.ics) : null;
  if (tag === null || tag !== wanted.trim()) throw preconditionFailed('If-Schedule-Tag-Match: the event changed meanwhile');
}

function scheduleTagOfTextSafe(text: string): string | null {
  const d = readSchedDoc(text);
  return organizerOrNull(d) ? scheduleTagOf(d) : null;
}

interface Decision {
  text: string;
  ownEvent: boolean;
  after(stored: StoredObject): Promise<void>;
}

export async function putWithScheduling(req: DavRequest, ctx: DavContext, deps: SchedulingDeps, owner: string, object: StoredObject, commit: Commit): Promise<ScheduledPut> {
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.store.getObject(owner, object.name);
    checkWritePreconditions(readPreconditions(req.headers), current?.etag ?? null);
    checkScheduleTag(req, current);
    const decision = await decide(ctx, deps, owner, current, object);
    const stored = decision.text === object.ics ? object : storedWith(object.name, decision.text, ctx.now());
    let created: boolean;
    try {
      // Pinned to what the decision was made on: a reply landing meanwhile means deciding again.
      ({ created } = await commit(stored, pinState(current?.etag ?? null), decision.ownEvent));
    } catch (err) {
      if (err instanceof DavError && err.status === 412 && attempt < RACE_RETRIES) continue;
      throw err;
    }
    await decision.after(stored);
    const tag = scheduleTagOfTextSafe(stored.ics);
    return { object: stored, created, headers: tag ? { 'schedule-tag': tag } : {} };
  }
}

async function decide(ctx: DavContext, deps: SchedulingDeps, owner: string, current: StoredObject | null, object: StoredObject): Promise<Decision> {
  const next = readSchedDoc(object.ics);
  const organizer = organizerOf(next);
  const before = current ? readSchedDoc(current.ics) : null;
  const was = before ? organizerOrNull(before) : null;
  // A copy the server delivered: a colleague's meeting. Only those are the organizer's to guard.
  const wasCopy = was?.email != null && was.email !== owner && was.agent === 'SERVER' && (await deps.isCalendarUser(was.email));
  // Stored as sent, scheduled by nobody: the client schedules (SCHEDULE-AGENT=CLIENT or NONE on
  // the ORGANIZER), or the meeting is organized outside the deployment (added from an e-mail).
  const plain: Decision = { text: object.ics, ownEvent: true, after: async () => undefined };
  if (!organizer) {
    if (wasCopy) throw notTheAttendeesToChange('The ORGANIZER was removed');
    return { ...plain, after: async () => void (current && (await afterUnscheduled(ctx, deps, owner, current))) };
  }
  if (organizer.email === owner) {
    if (wasCopy) throw notTheAttendeesToChange('The ORGANIZER changed');
    if (organizer.agent !== 'SERVER') return plain;
    return organizerDecision(ctx, deps, owner, was?.email === owner ? current : null, object, next);
  }
  if (wasCopy) {
    if (was.email !== organizer.email) throw notTheAttendeesToChange('The ORGANIZER changed');
    if (organizer.agent !== 'SERVER') return { ...plain, ownEvent: false };
    return attendeeDecision(deps, owner, organizer.email!, current!, object);
  }
  // A colleague's meeting reaches this calendar only through the server (RFC 6638 §3.2.4).
  if (organizer.email && organizer.agent === 'SERVER' && (await deps.isCalendarUser(organizer.email))) {
    throw forbidden(
      `The ORGANIZER must be the calendar's owner (mailto:${owner}): invitations from ${organizer.email} arrive through the server`,
      CAL('valid-organizer'),
    );
  }
  return plain;
}

async function organizerDecision(ctx: Pick<DavContext, 'store' | 'now'>, deps: SchedulingDeps, owner: string, previous: StoredObject | null, object: StoredObject, next: SchedDoc): Promise<Decision> {
  const emails = new Set([...serverAttendees(next, owner), ...(previous ? serverAttendees(readSchedDoc(previous.ics), owner) : [])]);
  const local = new Set<string>();
  const copies = new Map<string, string | null>();
  await Promise.all([
    checkOwnUid(ctx, owner, object),
    ...[...emails].map(async (email) => {
      if (!(await deps.isCalendarUser(email))) return;
      local.add(email);
      const copy = await findByUid(ctx.store, email, next.uid);
      if (copy && organizerOrNull(readSchedDoc(copy.ics))?.email !== owner) throw usedByAnother(next.uid);
      copies.set(email, copy?.ics ?? null);
    }),
  ]);
  const plan = planOrganizer({
    owner,
    previous: previous?.ics ?? null,
    next: object.ics,
    local,
    copies,
    externalStatus: deps.external === 'off' || (deps.external === 'email' && !deps.imip) ? STATUS.noSchedulingSupport : STATUS.sent,
    mailExternal: deps.external === 'email' && deps.imip !== null,
    now: ctx.now(),
  });
  return { text: plan.text!, ownEvent: true, after: () => deliverOrganizerPlan(deps, owner, next.uid, plan) };
}

const usedByAnother = (uid: string) =>
  forbidden(`The UID ${uid} is already used by another organizer's event`, CAL('unique-scheduling-object-resource'));

/** RFC 6638 §3.2.4.1: the UID must not be an invitation of someone else's held under another name. */
async function checkOwnUid(ctx: Pick<DavContext, 'store'>, owner: string, object: StoredObject): Promise<void> {
  const holder = await ctx.store.findNameByUid(owner, object.uid);
  if (holder === null || holder === object.name) return;
  const other = await ctx.store.getObject(owner, holder);
  const organizer = other ? organizerOrNull(readSchedDoc(other.ics)) : null;
  if (organizer?.email && organizer.email !== owner) throw usedByAnother(object.uid);
}

function attendeeDecision(deps: SchedulingDeps, owner: string, organizer: string, current: StoredObject, object: StoredObject): Decision {
  const { text, changes } = planAttendeeChange(owner, current.ics, object.ics);
  return { text, ownEvent: false, after: (stored) => reply(deps, owner, organizer, stored, changes) };
}

async function reply(deps: SchedulingDeps, attendee: string, organizer: string, stored: StoredObject, changes: ReplyChange[]): Promise<void> {
  if (changes.length === 0) return;
  const message = replyMessage(stored.ics, attendee, changes, deps.now());
  const delivered = await deliverReply(deps, attendee, organizer, stored.uid, changes, message);
  if (!delivered) await markReplyUndelivered(deps, attendee, stored);
}

/** The attendee's copy says the reply did not arrive (its ORGANIZER's SCHEDULE-STATUS). */
async function markReplyUndelivered(deps: SchedulingDeps, attendee: string, stored: StoredObject): Promise<void> {
  const d = readSchedDoc(stored.ics);
  for (const e of d.events) if (e.organizer) editParty(e, e.organizer, { 'schedule-status': STATUS.serviceUnavailable }, d.doc.eol);
  try {
    await deps.store.putObject(attendee, storedWith(stored.name, textOf(d), deps.now()), { ifMatch: stored.etag });
  } catch {
    // A newer write of the copy stands; its own reply decides its status.
  }
}

/**
 * The object was a scheduling object and no longer is (replaced by a plain event, or deleted):
 * an organizer's attendees get a CANCEL, an attendee's organizer a decline (RFC 6638 §3.2.1.3,
 * §3.2.2.4) unless the client asked for none (Schedule-Reply: F, §8.1).
 */
export async function afterUnscheduled(ctx: Pick<DavContext, 'now'>, deps: SchedulingDeps, owner: string, previous: StoredObject, sendReply = true): Promise<void> {
  const before = readSchedDoc(previous.ics);
  const organizer = organizerOrNull(before);
  if (!organizer?.email || organizer.agent !== 'SERVER') return;
  if (organizer.email === owner) {
    const emails = serverAttendees(before, owner);
    const local = new Set<string>();
    await Promise.all(emails.map(async (email) => (await deps.isCalendarUser(email)) && local.add(email)));
    const plan = planOrganizer({
      owner,
      previous: previous.ics,
      next: null,
      local,
      copies: new Map(),
      externalStatus: STATUS.sent,
      mailExternal: deps.external === 'email' && deps.imip !== null,
      now: ctx.now(),
    });
    await deliverOrganizerPlan(deps, owner, before.uid, plan);
    return;
  }
  if (!sendReply) return;
  const changes = declineAll(previous.ics, owner);
  if (changes.length === 0) return;
  await deliverReply(deps, owner, organizer.email, before.uid, changes, replyMessage(previous.ics, owner, changes, deps.now()));
}

export { copyNameFor };

/**
 * A calendar store whose writes of an organizer's copy schedule as a phone's PUT would: what
 * the CRM writes into its owner's calendar (a participant added in the CRM) reaches the
 * colleagues' calendars and inboxes, and the e-mail of everyone else. Other writes pass as they are.
 */
export function schedulingWrites(deps: SchedulingDeps, log?: SchedulingDeps['log']): CalendarStore {
  const { store } = deps;
  const ctx = { store, now: deps.now };
  const putObject: CalendarStore['putObject'] = async (owner, obj, cond, opts) => {
    const current = await store.getObject(owner, obj.name);
    let decision: Decision | null = null;
    try {
      const next = readSchedDoc(obj.ics);
      const organizer = organizerOrNull(next);
      const was = current ? organizerOrNull(readSchedDoc(current.ics)) : null;
      if (organizer?.email === owner && organizer.agent === 'SERVER' && (!was || was.email === owner)) {
        decision = await organizerDecision(ctx, deps, owner, was ? current : null, obj, next);
      } else if (!organizer && was?.email === owner && current) {
        decision = { text: obj.ics, ownEvent: true, after: () => afterUnscheduled(ctx, deps, owner, current) };
      }
    } catch (err) {
      log?.('info', 'scheduling: CRM write stored without scheduling', { owner, name: obj.name, error: err instanceof Error ? err.message : String(err) });
    }
    const stored = decision && decision.text !== obj.ics ? storedWith(obj.name, decision.text, deps.now()) : obj;
    const result = await store.putObject(owner, stored, cond, opts);
    await decision?.after(stored);
    return result;
  };
  const deleteObject: CalendarStore['deleteObject'] = async (owner, name, cond, opts) => {
    const current = await store.getObject(owner, name);
    const result = await store.deleteObject(owner, name, cond, opts);
    if (current && current.uid === result.uid) await afterUnscheduled(ctx, deps, owner, current);
    return result;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'putObject') return putObject;
      if (prop === 'deleteObject') return deleteObject;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
