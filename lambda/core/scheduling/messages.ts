/**
 * iTIP messages (RFC 5546) and attendee copies, built from the organizer's stored text. Alarms
 * are personal (never sent), SCHEDULE-STATUS is the server's bookkeeping (RFC 6638 §7.3: never
 * in a message); everything else of the organizer's event travels as written.
 */
import ICAL from 'ical.js';
import { comps, firstProp, icalProp, insertProp, makeProp, parseRaw, props, removeNode, replaceNode, serializeRaw, type RawComp, type RawNode } from '../ics/raw';
import { attendeeIn, editParty, eventByKey, eventOf, MASTER, readSchedDoc, textOf, type SchedDoc, type SchedEvent } from './document';

export type Method = 'REQUEST' | 'CANCEL' | 'REPLY';

const icsStamp = (now: Date) => now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function setLine(comp: RawComp, name: string, value: string, eol: string, after: string[] = []): void {
  const line = { kind: 'prop' as const, name, raw: `${name}:${value}${eol}`, text: `${name}:${value}` };
  const current = firstProp(comp, name);
  if (current) replaceNode(comp, current, line);
  else insertProp(comp, line, after);
}

/** Drops what is the server's or the owner's own: VALARMs and SCHEDULE-STATUS parameters. */
function stripPersonal(d: SchedDoc, eol: string): void {
  for (const e of d.events) {
    for (const alarm of comps(e.comp, 'VALARM')) removeNode(e.comp, alarm);
    for (const party of [e.organizer, ...e.attendees]) {
      if (party && icalProp(party.line).getParameter('schedule-status') !== undefined) editParty(e, party, { 'schedule-status': null }, eol);
    }
  }
}

function withMethod(d: SchedDoc, method: Method, eol: string): void {
  const line = { kind: 'prop' as const, name: 'METHOD', raw: `METHOD:${method}${eol}`, text: `METHOD:${method}` };
  const current = firstProp(d.calendar, 'METHOD');
  if (current) replaceNode(d.calendar, current, line);
  else insertProp(d.calendar, line, ['VERSION', 'PRODID', 'CALSCALE']);
}

/** The events of `d` an attendee takes part in: all of them when invited to the series. */
export function eventsFor(d: SchedDoc, email: string): SchedEvent[] {
  const master = eventByKey(d, MASTER);
  if (master && attendeeIn(master, email)) return d.events;
  return d.events.filter((e) => attendeeIn(e, email));
}

function keepOnly(d: SchedDoc, keep: SchedEvent[]): void {
  for (const e of d.events) if (!keep.includes(e)) removeNode(d.calendar, e.comp);
  d.events = d.events.filter((e) => keep.includes(e));
}

/**
 * An attendee's copy of the organizer's event: the events they are invited to, without the
 * organizer's alarms, with the attendee's own alarms and TRANSP kept from `existing`.
 */
export function attendeeCopy(organizerText: string, email: string, existing: string | null): string {
  const d = readSchedDoc(organizerText);
  const eol = d.doc.eol;
  keepOnly(d, eventsFor(d, email));
  stripPersonal(d, eol);
  if (existing) {
    const mine = readSchedDoc(existing);
    for (const e of d.events) {
      const own = eventByKey(mine, e.key) ?? (e.key === MASTER ? undefined : eventByKey(mine, MASTER));
      if (!own) continue;
      for (const alarm of comps(own.comp, 'VALARM')) e.comp.children.push(reEnd(alarm, eol));
      const transp = firstProp(own.comp, 'TRANSP');
      const current = firstProp(e.comp, 'TRANSP');
      if (transp && current) replaceNode(e.comp, current, transp);
      else if (transp) insertProp(e.comp, transp);
    }
  }
  return textOf(d);
}

/** A component taken from another text, with that text's line ends made this one's. */
function reEnd(node: RawNode, eol: string): RawNode {
  if (node.kind === 'prop') return { ...node, raw: node.raw.replace(/\r\n|\n|\r/g, (m) => (m === eol ? m : eol)) };
  return { ...node, begin: node.begin.replace(/\r?\n$/, eol), end: node.end.replace(/\r?\n$/, eol), children: node.children.map((c) => reEnd(c, eol)) };
}

/** A REQUEST for `email`: their events, as their copy shows them, minus anything personal. */
export function requestMessage(organizerText: string, email: string, now: Date): string {
  const d = readSchedDoc(organizerText);
  keepOnly(d, eventsFor(d, email));
  stripPersonal(d, d.doc.eol);
  for (const e of d.events) setLine(e.comp, 'DTSTAMP', icsStamp(now), d.doc.eol, ['UID']);
  withMethod(d, 'REQUEST', d.doc.eol);
  return textOf(d);
}

/** The properties a CANCEL or REPLY carries (RFC 5546 §3.2.3, §3.2.5), besides the parties. */
const CANCEL_PROPS = new Set(['UID', 'DTSTAMP', 'SEQUENCE', 'RECURRENCE-ID', 'DTSTART', 'DTEND', 'DURATION', 'SUMMARY', 'RRULE']);

function trimmed(e: SchedEvent, keep: Set<string>, attendee: string): void {
  for (const node of [...e.comp.children]) {
    if (node.kind === 'comp') removeNode(e.comp, node);
    else if (node.name === 'ATTENDEE') {
      if (e.attendees.find((a) => a.line === node)?.email !== attendee) removeNode(e.comp, node);
    } else if (node.name !== 'ORGANIZER' && !keep.has(node.name)) removeNode(e.comp, node);
  }
  Object.assign(e, eventOf(e.comp));
}

/** CANCEL for `email` (RFC 5546 §3.2.5): the events they were invited to, STATUS:CANCELLED. */
export function cancelMessage(organizerText: string, email: string, now: Date): string {
  const d = readSchedDoc(organizerText);
  const eol = d.doc.eol;
  keepOnly(d, eventsFor(d, email));
  stripPersonal(d, eol);
  for (const e of d.events) {
    trimmed(e, CANCEL_PROPS, email);
    setLine(e.comp, 'DTSTAMP', icsStamp(now), eol, ['UID']);
    setLine(e.comp, 'STATUS', 'CANCELLED', eol, ['SUMMARY', 'UID']);
  }
  withMethod(d, 'CANCEL', eol);
  // The VTIMEZONEs stay: DTSTART and RECURRENCE-ID still name them.
  return textOf(d);
}

/** A participation change of one attendee for one event: `key` '' for the series. */
export interface ReplyChange {
  key: string;
  partstat: string;
  /** The attendee removed this instance from their copy (an EXDATE): declined, no override exists. */
  excluded?: boolean;
}

/** REPLY from `email` (RFC 5546 §3.2.3): the changed events, with only the replying ATTENDEE. */
export function replyMessage(attendeeText: string, email: string, changes: ReplyChange[], now: Date): string {
  const d = readSchedDoc(attendeeText);
  const eol = d.doc.eol;
  const master = eventByKey(d, MASTER);
  const kept: SchedEvent[] = [];
  for (const change of changes) {
    const existing = eventByKey(d, change.key);
    if (existing && !change.excluded) {
      kept.push(existing);
      continue;
    }
    if (!master) continue;
    // An excluded instance has no component of its own: the master stands in, as that instance.
    const comp: RawComp = JSON.parse(JSON.stringify(master.comp)) as RawComp;
    for (const name of ['RRULE', 'RDATE', 'EXDATE', 'DTSTART', 'DTEND', 'DURATION']) for (const line of props(comp, name)) removeNode(comp, line);
    const start = firstProp(master.comp, 'DTSTART');
    const rid = makeProp(recurrenceIdFor(start ? icalProp(start) : null, change.key), eol);
    insertProp(comp, rid, ['UID']);
    d.calendar.children.push(comp);
    kept.push(eventOf(comp));
  }
  const all = [...d.events];
  d.events = [...all, ...kept.filter((k) => !all.includes(k))];
  keepOnly(d, kept);
  stripPersonal(d, eol);
  for (const e of d.events) {
    trimmed(e, CANCEL_PROPS, email);
    const change = changes.find((c) => c.key === e.key);
    const mine = attendeeIn(e, email);
    if (mine && change) editParty(e, mine, { partstat: change.partstat }, eol);
    setLine(e.comp, 'DTSTAMP', icsStamp(now), eol, ['UID']);
    setLine(e.comp, 'REQUEST-STATUS', '2.0;Success', eol);
  }
  withMethod(d, 'REPLY', eol);
  return textOf(d);
}

/** A RECURRENCE-ID naming the instance `key` in DTSTART's own form (zone and value type). */
export function recurrenceIdFor(start: ICAL.Property | null, key: string, name = 'recurrence-id'): ICAL.Property {
  const rid = new ICAL.Property(name);
  const tzid = start?.getParameter('tzid');
  const time = ICAL.Time.fromString(key, rid);
  if (typeof tzid === 'string') rid.setParameter('tzid', tzid);
  if (time.isDate) rid.resetType('date');
  rid.setValue(time);
  return rid;
}

export { textOf, parseRaw, serializeRaw };
