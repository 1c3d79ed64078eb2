/**
 * A REPLY applied to a copy of the event: the organizer's (with the reply's status, RFC 6638
 * §3.2.9) or another attendee's (so their invitee list shows it). An answer for one instance of
 * a series the copy holds no override for gets one, cut from the series.
 */
import ICAL from 'ical.js';
import { firstProp, icalProp, insertProp, makeProp, props, removeNode, type RawComp } from '../ics/raw';
import { attendeeIn, editParty, eventByKey, eventOf, masterOf, readSchedDoc, textOf, type SchedDoc, type SchedEvent } from './document';
import { recurrenceIdFor, type ReplyChange } from './messages';

/** The instance `key` of the master as an override of its own. */
function overrideFor(d: SchedDoc, master: SchedEvent, key: string): SchedEvent {
  const eol = d.doc.eol;
  const comp = JSON.parse(JSON.stringify(master.comp)) as RawComp;
  for (const name of ['RRULE', 'RDATE', 'EXDATE', 'DTSTART', 'DTEND', 'DURATION']) for (const line of props(comp, name)) removeNode(comp, line);
  const startLine = firstProp(master.comp, 'DTSTART');
  const startProp = startLine ? icalProp(startLine) : null;
  const rid = recurrenceIdFor(startProp, key);
  const start = recurrenceIdFor(startProp, key, 'dtstart');
  const added = [makeProp(start, eol)];
  const begin = startProp?.getFirstValue();
  const endLine = firstProp(master.comp, 'DTEND');
  const end = endLine ? icalProp(endLine).getFirstValue() : null;
  if (begin instanceof ICAL.Time && end instanceof ICAL.Time) {
    const endProp = ICAL.Property.fromString(endLine!.text);
    const value = (start.getFirstValue() as ICAL.Time).clone();
    value.addDuration(end.subtractDate(begin));
    endProp.setValue(value);
    added.push(makeProp(endProp, eol));
  }
  const duration = firstProp(master.comp, 'DURATION');
  if (duration) added.push(duration);
  insertProp(comp, makeProp(rid, eol), ['UID']);
  for (const line of added) insertProp(comp, line, ['RECURRENCE-ID']);
  d.calendar.children.push(comp);
  const event = eventOf(comp);
  d.events.push(event);
  return event;
}

/**
 * `attendee`'s answers written into `text`; `status` also sets their SCHEDULE-STATUS (the
 * organizer's copy). Null when nothing changed.
 */
export function applyReply(text: string, attendee: string, changes: ReplyChange[], status: string | null): string | null {
  const d = readSchedDoc(text);
  const master = masterOf(d);
  let changed = false;
  for (const change of changes) {
    let event = eventByKey(d, change.key);
    if (!event && master && attendeeIn(master, attendee)) event = overrideFor(d, master, change.key);
    const party = attendeeIn(event, attendee);
    if (!event || !party) continue;
    const set: Record<string, string> = {};
    if (party.partstat !== change.partstat) set.partstat = change.partstat;
    if (status && icalProp(party.line).getParameter('schedule-status') !== status) set['schedule-status'] = status;
    if (Object.keys(set).length === 0) continue;
    editParty(event, party, set, d.doc.eol);
    changed = true;
  }
  return changed ? textOf(d) : null;
}

/** Every event of the copy, declined: what an attendee removing their copy answers. */
export function declineAll(text: string, attendee: string): ReplyChange[] {
  const d = readSchedDoc(text);
  return d.events.filter((e) => attendeeIn(e, attendee) && attendeeIn(e, attendee)!.partstat !== 'DECLINED').map((e) => ({ key: e.key, partstat: 'DECLINED' }));
}
