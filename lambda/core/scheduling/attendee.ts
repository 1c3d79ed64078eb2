/**
 * An attendee's changes to their copy (RFC 6638 §3.2.2): their own PARTSTAT, their alarms and
 * what else is theirs (TRANSP, X- properties, removed instances) pass; anything of the
 * organizer's (time, place, title, recurrence, who is invited) is refused with
 * CALDAV:allowed-attendee-scheduling-object-change. Other attendees' PARTSTATs are the server's
 * to keep: a client that had not seen a later reply cannot undo it.
 */
import ICAL from 'ical.js';
import { CAL } from '../namespaces';
import { forbidden } from '../errors';
import { firstProp, icalProp, props } from '../ics/raw';
import { attendeeIn, editParty, eventByKey, masterOf, MASTER, organizerOf, readSchedDoc, textOf, type SchedDoc } from './document';
import type { ReplyChange } from './messages';
import { eventPart } from './organizer-part';
import { STATUS } from './status';

export const notTheAttendeesToChange = (what: string) =>
  forbidden(`${what}: an invitation's details are its organizer's to change`, CAL('allowed-attendee-scheduling-object-change'));

const exdates = (d: SchedDoc) => {
  const master = masterOf(d);
  return new Set((master ? props(master.comp, 'EXDATE') : []).flatMap((line) => icalProp(line).getValues().map((v) => String(v))));
};

function startKey(comp: SchedDoc['events'][number]['comp']): string | null {
  const start = firstProp(comp, 'DTSTART');
  const value = start ? icalProp(start).getFirstValue() : null;
  return value instanceof ICAL.Time ? value.toString() : null;
}

export interface AttendeeChange {
  /** What to store: the client's text with the server's view of others' PARTSTATs. */
  text: string;
  /** The attendee's new answers, for a REPLY to the organizer. */
  changes: ReplyChange[];
}

/** `stored` is the attendee's copy (ORGANIZER someone else); throws 403 on a forbidden change. */
export function planAttendeeChange(owner: string, stored: string, sent: string): AttendeeChange {
  const s = readSchedDoc(stored);
  const n = readSchedDoc(sent);
  const before = organizerOf(s);
  const now = organizerOf(n);
  if (!now || now.email !== before?.email) throw notTheAttendeesToChange('The ORGANIZER changed');
  const master = masterOf(s);
  for (const e of s.events) {
    const mine = eventByKey(n, e.key);
    if (!mine) {
      if (e.key === MASTER) throw notTheAttendeesToChange('The series was removed from the copy');
      continue;
    }
    if (eventPart(mine) !== eventPart(e)) throw notTheAttendeesToChange('The event changed');
  }
  for (const e of n.events) {
    if (eventByKey(s, e.key)) continue;
    // An instance of the series the attendee answers on its own (RFC 6638 §3.2.2.1 item 11).
    if (!master || e.key === MASTER) throw notTheAttendeesToChange('A new event is not an instance of the series');
    if (eventPart(e, false) !== eventPart(master, false) || startKey(e.comp) !== e.key) {
      throw notTheAttendeesToChange(`The instance ${e.key} changed`);
    }
  }
  const eol = n.doc.eol;
  const changes: ReplyChange[] = [];
  for (const e of n.events) {
    const base = eventByKey(s, e.key) ?? master;
    for (const a of [...e.attendees]) {
      if (!a.email) continue;
      const known = attendeeIn(base, a.email);
      if (a.email === owner) {
        if (a.partstat !== (known?.partstat ?? 'NEEDS-ACTION')) changes.push({ key: e.key, partstat: a.partstat });
      } else if (known && known.partstat !== a.partstat) {
        editParty(e, a, { partstat: known.partstat }, eol);
      }
    }
  }
  const removed = exdates(s);
  for (const x of exdates(n)) if (!removed.has(x)) changes.push({ key: x, partstat: 'DECLINED', excluded: true });
  if (changes.length > 0) {
    for (const e of n.events) if (e.organizer) editParty(e, e.organizer, { 'schedule-status': STATUS.delivered }, eol);
  }
  return { text: textOf(n), changes };
}
