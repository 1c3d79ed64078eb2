/**
 * Carrying out a plan after the request's own write committed: attendees' copies and inboxes
 * written directly to the store (never through a method, so a delivery never schedules again
 * and no iTIP loop can start), e-mail through the iMIP port. Every copy write is conditioned on
 * what was read; a lost race reads again. A failed delivery is logged and written back as the
 * attendee's SCHEDULE-STATUS, so the organizer's copy never claims what did not happen.
 */
import { createHash } from 'node:crypto';
import { analyzeCalendarObject, etagFor } from '../ics';
import { PreconditionFailed, type CalendarStore, type StoredObject } from '../../store/types';
import { attendeesOf, editParty, readSchedDoc, textOf } from './document';
import { deliverToInbox } from './inbox';
import type { ReplyChange } from './messages';
import type { OrganizerPlan } from './organizer';
import { serverAttendees } from './organizer';
import type { SchedulingDeps } from './ports';
import { applyReply } from './reply';
import { STATUS } from './status';

const RACE_RETRIES = 4;

/** A stored object for new text, keeping the name. */
export function storedWith(name: string, text: string, now: Date): StoredObject {
  const { text: _same, ...info } = analyzeCalendarObject(text);
  return { name, ...info, etag: etagFor(text), ics: text, lastModified: now.toISOString(), size: Buffer.byteLength(text, 'utf8') };
}

/** The name an attendee's copy gets in their calendar: iOS's own `<UID>.ics` when the UID allows it. */
export function copyNameFor(uid: string): string {
  return /^[A-Za-z0-9@._-]{1,200}$/.test(uid) ? `${uid}.ics` : `${createHash('sha256').update(uid).digest('hex').slice(0, 40)}.ics`;
}

export async function findByUid(store: CalendarStore, owner: string, uid: string): Promise<StoredObject | null> {
  const name = await store.findNameByUid(owner, uid);
  return name ? store.getObject(owner, name) : null;
}

/**
 * Reads `owner`'s object holding `uid`, lets `edit` decide its new text (null: leave it, and
 * for `remove`, delete it) and writes it conditioned on the read; a concurrent write re-reads.
 */
async function rewrite(
  store: CalendarStore,
  owner: string,
  uid: string,
  edit: (current: StoredObject | null) => string | null | 'remove',
  now: () => Date,
): Promise<StoredObject | null> {
  for (let attempt = 0; ; attempt++) {
    const current = await findByUid(store, owner, uid);
    const text = edit(current);
    try {
      if (text === 'remove') {
        if (current) await store.deleteObject(owner, current.name, { ifMatch: current.etag });
        return null;
      }
      if (text === null) return current;
      const object = storedWith(current?.name ?? copyNameFor(uid), text, now());
      await store.putObject(owner, object, current ? { ifMatch: current.etag } : { ifNoneMatch: true });
      return object;
    } catch (err) {
      if (!(err instanceof PreconditionFailed) || attempt >= RACE_RETRIES) throw err;
    }
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The organizer's deliveries; failures end up as SCHEDULE-STATUS 5.1 on the organizer's copy. */
export async function deliverOrganizerPlan(deps: SchedulingDeps, owner: string, uid: string, plan: OrganizerPlan): Promise<void> {
  const now = deps.now();
  const failed: string[] = [];
  const local = plan.local.map(async (d) => {
    try {
      await rewrite(deps.store, d.email, uid, () => d.copy ?? 'remove', deps.now);
      if (d.method && d.message) await deliverToInbox(deps.store, d.email, owner, uid, d.message, now);
    } catch (err) {
      if (d.method === 'REQUEST') failed.push(d.email);
      deps.log?.('error', 'scheduling: delivery to a calendar user failed', { owner, attendee: d.email, uid, error: errorText(err) });
    }
  });
  const external = plan.external.map(async (d) => {
    try {
      await deps.imip!.send({ from: owner, to: d.email, method: d.method, ics: d.message });
    } catch (err) {
      if (d.method === 'REQUEST') failed.push(d.email);
      deps.log?.('error', 'scheduling: iMIP e-mail failed', { owner, attendee: d.email, uid, error: errorText(err) });
    }
  });
  await Promise.all([...local, ...external]);
  if (failed.length > 0) await markUndelivered(deps, owner, uid, failed);
}

async function markUndelivered(deps: SchedulingDeps, owner: string, uid: string, emails: string[]): Promise<void> {
  try {
    await rewrite(
      deps.store,
      owner,
      uid,
      (current) => {
        if (!current) return null;
        const d = readSchedDoc(current.ics);
        for (const e of d.events) for (const a of [...e.attendees]) if (a.email && emails.includes(a.email)) editParty(e, a, { 'schedule-status': STATUS.serviceUnavailable }, d.doc.eol);
        return textOf(d);
      },
      deps.now,
    );
  } catch (err) {
    deps.log?.('error', 'scheduling: could not record a failed delivery', { owner, uid, attendees: emails, error: errorText(err) });
  }
}

/**
 * An attendee's answer reaches the organizer: their copy shows it (with SCHEDULE-STATUS 2.0), the
 * CRM hears of it as of any change of that copy, the organizer's inbox gets the REPLY, and the
 * other attendees here see it in their invitee lists. False when it could not be delivered.
 */
export async function deliverReply(
  deps: SchedulingDeps,
  attendee: string,
  organizer: string,
  uid: string,
  changes: ReplyChange[],
  reply: string,
): Promise<boolean> {
  try {
    if (!(await deps.isCalendarUser(organizer))) {
      if (deps.external !== 'email' || !deps.imip) return false;
      await deps.imip.send({ from: attendee, to: organizer, method: 'REPLY', ics: reply });
      return true;
    }
    const updated = await rewrite(deps.store, organizer, uid, (current) => (current ? applyReply(current.ics, attendee, changes, STATUS.success) : null), deps.now);
    if (!updated) return false;
    await deps.organizerCopyChanged?.(organizer, updated);
    await deliverToInbox(deps.store, organizer, attendee, uid, reply, deps.now());
    const others = serverAttendees(readSchedDoc(updated.ics), organizer).filter((email) => email !== attendee);
    await Promise.all(
      others.map(async (email) => {
        if (!(await deps.isCalendarUser(email))) return;
        await rewrite(deps.store, email, uid, (copy) => (copy && attendeesOf(readSchedDoc(copy.ics)).has(attendee) ? applyReply(copy.ics, attendee, changes, null) : null), deps.now);
      }),
    );
    return true;
  } catch (err) {
    deps.log?.('error', 'scheduling: reply delivery failed', { attendee, organizer, uid, error: errorText(err) });
    return false;
  }
}
