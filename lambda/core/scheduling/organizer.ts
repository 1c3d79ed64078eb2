/**
 * Implicit scheduling for the organizer's copy (RFC 6638 §3.2.1): from the copy as stored before
 * and as the organizer's client sends it now, who gets which message and what the organizer's
 * copy says about them. Pure: which attendees are users here, and their current copies, are read
 * by the caller beforehand.
 */
import ICAL from 'ical.js';
import { firstProp, icalProp, props } from '../ics/raw';
import { attendeeIn, attendeesOf, editParty, eventByKey, masterOf, MASTER, readSchedDoc, textOf, type SchedDoc, type SchedEvent } from './document';
import { attendeeCopy, cancelMessage, requestMessage, type Method } from './messages';
import { organizerPart, timesOf } from './organizer-part';
import { STATUS } from './status';

export interface OrganizerInput {
  owner: string;
  /** The organizer's copy as stored, or null for a new event. */
  previous: string | null;
  /** As the client sent it; null when the event is deleted. */
  next: string | null;
  /** Attendees who are calendar users of this deployment. */
  local: ReadonlySet<string>;
  /** Each local attendee's current copy (null: none). */
  copies: ReadonlyMap<string, string | null>;
  /** What an external attendee's SCHEDULE-STATUS becomes when a message is due for them. */
  externalStatus: string;
  /** Whether messages for external attendees are produced here (our e-mail is on). */
  mailExternal: boolean;
  now: Date;
}

export interface LocalDelivery {
  email: string;
  /** The attendee's new copy; null removes it. */
  copy: string | null;
  /** The message for their inbox, or null when nothing changed for them but other attendees' status. */
  method: Method | null;
  message: string | null;
}

export interface ExternalDelivery {
  email: string;
  method: 'REQUEST' | 'CANCEL';
  message: string;
}

export interface OrganizerPlan {
  /** What to store as the organizer's copy; null for a deletion. */
  text: string | null;
  local: LocalDelivery[];
  external: ExternalDelivery[];
}

/** Attendees the server schedules with: SCHEDULE-AGENT=SERVER (the default), never the organizer. */
export function serverAttendees(d: SchedDoc, owner: string): string[] {
  return [...attendeesOf(d)].filter(([email, agent]) => agent === 'SERVER' && email !== owner).map(([email]) => email);
}

const exdatesOf = (e: SchedEvent | undefined) =>
  new Set((e ? props(e.comp, 'EXDATE') : []).flatMap((line) => icalProp(line).getValues().map((v) => String(v))));

/** An override that moves its instance: DTSTART is not the RECURRENCE-ID. */
function moved(e: SchedEvent): boolean {
  const start = firstProp(e.comp, 'DTSTART');
  const value = start ? icalProp(start).getFirstValue() : null;
  return !(value instanceof ICAL.Time) || value.toString() !== e.key;
}

/**
 * RFC 6638 §3.2.8: a new time (start, end, recurrence, a reinstated instance) asks everyone
 * again; otherwise the PARTSTAT of a user here is what their replies made it, whatever a client
 * that had not seen the latest reply sends.
 */
function mergePartstats(prev: SchedDoc | null, next: SchedDoc, input: OrganizerInput): void {
  const eol = next.doc.eol;
  for (const e of next.events) {
    const before = prev ? eventByKey(prev, e.key) : undefined;
    const base = before ?? (prev ? masterOf(prev) : undefined);
    let rescheduled = false;
    if (before) {
      const dropped = [...exdatesOf(before)].some((x) => !exdatesOf(e).has(x));
      rescheduled = timesOf(before) !== timesOf(e) || dropped;
    } else if (prev && e.key !== MASTER) {
      rescheduled = moved(e);
    }
    for (const a of [...e.attendees]) {
      if (!a.email || a.email === input.owner || a.agent !== 'SERVER') continue;
      const known = attendeeIn(base, a.email);
      let partstat = a.partstat;
      if (rescheduled) partstat = 'NEEDS-ACTION';
      else if (input.local.has(a.email)) partstat = known?.partstat ?? 'NEEDS-ACTION';
      const status = icalProp(a.line).getParameter('schedule-status');
      const knownStatus = known ? icalProp(known.line).getParameter('schedule-status') : undefined;
      const set: Record<string, string> = {};
      if (partstat !== a.partstat) set.partstat = partstat;
      if (status === undefined && typeof knownStatus === 'string') set['schedule-status'] = knownStatus;
      if (Object.keys(set).length) editParty(e, a, set, eol);
    }
  }
}

function setStatuses(d: SchedDoc, statuses: Map<string, string>): void {
  for (const e of d.events) {
    for (const a of [...e.attendees]) {
      const status = a.email ? statuses.get(a.email) : undefined;
      if (status && a.agent === 'SERVER' && icalProp(a.line).getParameter('schedule-status') !== status) {
        editParty(e, a, { 'schedule-status': status }, d.doc.eol);
      }
    }
  }
}

/** Every attendee's PARTSTAT per event: what a refresh of a copy may change without a message. */
export function partstatsOf(d: SchedDoc): string {
  return JSON.stringify(d.events.flatMap((e) => e.attendees.map((a) => [e.key, a.email, a.partstat])).sort());
}

export function planOrganizer(input: OrganizerInput): OrganizerPlan {
  const prev = input.previous ? readSchedDoc(input.previous) : null;
  const before = prev ? serverAttendees(prev, input.owner) : [];
  const plan: OrganizerPlan = { text: null, local: [], external: [] };
  const cancel = (email: string) => {
    const message = cancelMessage(input.previous!, email, input.now);
    if (input.local.has(email)) plan.local.push({ email, copy: null, method: 'CANCEL', message });
    else if (input.mailExternal) plan.external.push({ email, method: 'CANCEL', message });
  };
  if (input.next === null) {
    before.forEach(cancel);
    return plan;
  }
  const next = readSchedDoc(input.next);
  mergePartstats(prev, next, input);
  const after = serverAttendees(next, input.owner);
  const merged = textOf(next);
  const statuses = new Map<string, string>();
  // Who else is invited changing is news for nobody but them: copies follow it without a message.
  const organizerChanged = !prev || organizerPart(prev, false) !== organizerPart(next, false);
  for (const email of after) {
    if (input.local.has(email)) {
      const existing = input.copies.get(email) ?? null;
      const copy = attendeeCopy(merged, email, existing);
      if (existing) {
        const [mine, theirs] = [readSchedDoc(existing), readSchedDoc(copy)];
        if (organizerPart(mine, false) === organizerPart(theirs, false)) {
          // Only other attendees (who, or their replies) changed for them: the copy follows, no message.
          if (organizerPart(mine) !== organizerPart(theirs) || partstatsOf(mine) !== partstatsOf(theirs)) plan.local.push({ email, copy, method: null, message: null });
          continue;
        }
      }
      plan.local.push({ email, copy, method: 'REQUEST', message: null });
      statuses.set(email, STATUS.delivered);
    } else if (organizerChanged || !before.includes(email)) {
      statuses.set(email, input.externalStatus);
      if (input.mailExternal) plan.external.push({ email, method: 'REQUEST', message: '' });
    }
  }
  setStatuses(next, statuses);
  plan.text = textOf(next);
  for (const d of plan.local) if (d.method === 'REQUEST') d.message = requestMessage(plan.text, d.email, input.now);
  for (const d of plan.external) d.message = requestMessage(plan.text, d.email, input.now);
  if (prev) before.filter((email) => !after.includes(email)).forEach(cancel);
  return plan;
}
