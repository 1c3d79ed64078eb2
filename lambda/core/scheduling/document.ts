/**
 * A calendar object as scheduling reads it: its VEVENTs keyed by RECURRENCE-ID, each with its
 * ORGANIZER and ATTENDEEs. Built on the raw line tree (core/ics/raw.ts), so the server's edits
 * (SCHEDULE-STATUS, a merged PARTSTAT) change only the lines they touch.
 */
import ICAL from 'ical.js';
import { CAL } from '../namespaces';
import { forbidden } from '../errors';
import { cloneProp, comps, firstProp, icalProp, makeProp, parseRaw, props, replaceNode, serializeRaw, type RawComp, type RawDoc, type RawProp } from '../ics/raw';
import { emailOfParty } from './addresses';

/** Who delivers messages for a party (RFC 6638 §7.1): the server only for SERVER, the default. */
export type Agent = 'SERVER' | 'CLIENT' | 'NONE';

export interface Party {
  line: RawProp;
  email: string | null;
  agent: Agent;
  partstat: string;
}

export interface SchedEvent {
  comp: RawComp;
  /** '' for the master (or a one-off event); the RECURRENCE-ID value for an override. */
  key: string;
  organizer: Party | null;
  attendees: Party[];
}

export interface SchedDoc {
  doc: RawDoc;
  calendar: RawComp;
  events: SchedEvent[];
  uid: string;
}

export const MASTER = '';

export function partyOf(line: RawProp): Party {
  const prop = icalProp(line);
  const agent = String(prop.getParameter('schedule-agent') ?? 'SERVER').toUpperCase();
  return {
    line,
    email: emailOfParty(prop),
    agent: agent === 'CLIENT' || agent === 'NONE' ? agent : 'SERVER',
    partstat: String(prop.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase(),
  };
}

/** The RECURRENCE-ID of an event as a key ('' for none): the value as ical.js writes it. */
export function keyOf(comp: RawComp): string {
  const rid = firstProp(comp, 'RECURRENCE-ID');
  if (!rid) return MASTER;
  const value = icalProp(rid).getFirstValue();
  return value instanceof ICAL.Time ? value.toString() : String(value);
}

export function eventOf(comp: RawComp): SchedEvent {
  const organizer = firstProp(comp, 'ORGANIZER');
  return { comp, key: keyOf(comp), organizer: organizer ? partyOf(organizer) : null, attendees: props(comp, 'ATTENDEE').map(partyOf) };
}

/** Reads a calendar object already validated by core/ics (one VCALENDAR, VEVENTs of one UID). */
export function readSchedDoc(text: string): SchedDoc {
  const doc = parseRaw(text);
  const calendar = comps(doc, 'VCALENDAR')[0];
  if (!calendar) throw new Error('not a VCALENDAR');
  const events = comps(calendar, 'VEVENT').map(eventOf);
  const uidLine = events[0] ? firstProp(events[0].comp, 'UID') : undefined;
  return { doc, calendar, events, uid: uidLine ? String(icalProp(uidLine).getFirstValue()).trim() : '' };
}

export const textOf = (d: SchedDoc) => serializeRaw(d.doc);

export const masterOf = (d: SchedDoc) => d.events.find((e) => e.key === MASTER);
export const eventByKey = (d: SchedDoc, key: string) => d.events.find((e) => e.key === key);

/**
 * The organizer's e-mail, the same in every component naming one (RFC 6638 §3.2.4.2; an
 * overridden instance written without an ORGANIZER is taken as the series'), or null when no
 * component names one; `agent` is the ORGANIZER's SCHEDULE-AGENT.
 */
export function organizerOf(d: SchedDoc): { email: string | null; agent: Agent } | null {
  const organizers = d.events.map((e) => e.organizer);
  const first = organizers.find((o) => o !== null);
  if (!first) return null;
  if (organizers.some((o) => o !== null && o.email !== first.email)) {
    throw forbidden('Every component of a scheduling object must name the same ORGANIZER', CAL('same-organizer-in-all-components'));
  }
  return { email: first.email, agent: first.agent };
}

/** Every attendee e-mail with the agent that delivers for them (SERVER if any component says so). */
export function attendeesOf(d: SchedDoc): Map<string, Agent> {
  const all = new Map<string, Agent>();
  for (const e of d.events) {
    for (const a of e.attendees) {
      if (!a.email) continue;
      const known = all.get(a.email);
      if (known !== 'SERVER') all.set(a.email, a.agent === 'SERVER' ? 'SERVER' : (known ?? a.agent));
    }
  }
  return all;
}

/** Replaces `party`'s line in its component with the same property carrying other parameters. */
export function editParty(event: SchedEvent, party: Party, set: Record<string, string | null>, eol: string): Party {
  const prop = cloneProp(party.line);
  for (const [name, value] of Object.entries(set)) {
    if (value === null) prop.removeParameter(name);
    else prop.setParameter(name, value);
  }
  const line = makeProp(prop, eol);
  replaceNode(event.comp, party.line, line);
  const edited = partyOf(line);
  if (event.organizer === party) event.organizer = edited;
  const i = event.attendees.indexOf(party);
  if (i >= 0) event.attendees[i] = edited;
  return edited;
}

export const attendeeIn = (event: SchedEvent | undefined, email: string) => event?.attendees.find((a) => a.email === email);
