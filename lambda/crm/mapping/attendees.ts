/**
 * ATTENDEE <-> Participants. The CRM owns the set of attendees (by e-mail, case-insensitive)
 * and their PARTSTAT; everything else on an ATTENDEE line (CN, ROLE, RSVP, X-params) belongs to
 * the CalDAV side and is kept as sent. The owner/organizer is never a participant, and attendees
 * without an e-mail (urn:uuid without EMAIL=) are left alone: the CRM cannot represent them.
 */
import ICAL from 'ical.js';
import type { CrmParticipant, ParticipantStatus, PersonMatch } from '../types';
import type { Edit, EditCtx } from './context';
import { cloneProp, firstProp, icalProp, insertProp, makeProp, props, removeNode, replaceNode, type RawComp } from './raw';

export type Lookup = (email: string) => Promise<PersonMatch | null> | PersonMatch | null;

const STATUSES: ParticipantStatus[] = ['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED'];

/** The e-mail of a cal-address property (ATTENDEE/ORGANIZER), as written, or null. */
export function emailOf(prop: ICAL.Property): string | null {
  const value = String(prop.getFirstValue() ?? '');
  if (/^mailto:/i.test(value)) return value.slice(7).trim() || null;
  const param = prop.getParameter('email');
  return typeof param === 'string' && param ? param : null;
}

export const key = (email: string) => email.toLowerCase();

/** The owner and the organizer: never participants. */
export function organizerKeys(ev: RawComp, ownerEmail: string): Set<string> {
  const keys = new Set([key(ownerEmail)]);
  const org = firstProp(ev, 'ORGANIZER');
  const email = org ? emailOf(icalProp(org)) : null;
  if (email) keys.add(key(email));
  return keys;
}

const textParam = (prop: ICAL.Property, name: string): string | undefined => {
  const v = prop.getParameter(name);
  return typeof v === 'string' && v ? v : undefined;
};

export async function readParticipants(ev: RawComp, ownerEmail: string, lookup: Lookup): Promise<CrmParticipant[]> {
  const skip = organizerKeys(ev, ownerEmail);
  const attendees: Array<{ prop: ICAL.Property; email: string }> = [];
  for (const line of props(ev, 'ATTENDEE')) {
    const prop = icalProp(line);
    const email = emailOf(prop);
    if (!email || skip.has(key(email))) continue;
    skip.add(key(email));
    attendees.push({ prop, email });
  }
  // Looked up at once: an event's attendees cost one round of reads, not one per attendee.
  const matches = await Promise.all(attendees.map(({ email }) => lookup(email)));
  return attendees.map(({ prop, email }, i) => {
    const match = matches[i];
    const cn = textParam(prop, 'cn');
    const partstat = textParam(prop, 'partstat')?.toUpperCase() as ParticipantStatus | undefined;
    const p: CrmParticipant = {
      type: match?.type ?? 'email',
      participant: match?.id ?? email,
      Email: email,
    };
    const name = cn ?? match?.name;
    if (name) p.name = name;
    if (partstat && STATUSES.includes(partstat)) p.status = partstat;
    return p;
  });
}

function newAttendee(p: CrmParticipant): ICAL.Property {
  const prop = new ICAL.Property('attendee');
  if (p.name) prop.setParameter('cn', p.name);
  prop.setParameter('cutype', 'INDIVIDUAL');
  prop.setParameter('role', 'REQ-PARTICIPANT');
  prop.setParameter('partstat', p.status ?? 'NEEDS-ACTION');
  // Lets a CRM-aware reader see the linked record without a lookup; readers here still look up.
  if (p.type !== 'email') prop.setParameter('x-crm-record', `${p.type}:${p.participant}`);
  prop.setValue(`mailto:${p.Email}`);
  return prop;
}

function newOrganizer(ctx: EditCtx): ICAL.Property {
  const prop = new ICAL.Property('organizer');
  if (ctx.owner.name) prop.setParameter('cn', ctx.owner.name);
  prop.setValue(`mailto:${ctx.owner.email}`);
  return prop;
}

export function writeParticipants(ev: RawComp, want: CrmParticipant[], ctx: EditCtx, edit: Edit): void {
  const skip = organizerKeys(ev, ctx.owner.email);
  const wanted = new Map<string, CrmParticipant>();
  for (const p of want) if (!skip.has(key(p.Email)) && !wanted.has(key(p.Email))) wanted.set(key(p.Email), p);
  const seen = new Set<string>();
  for (const line of props(ev, 'ATTENDEE')) {
    const email = emailOf(icalProp(line));
    if (!email || skip.has(key(email))) continue;
    const p = wanted.get(key(email));
    if (!p || seen.has(key(email))) {
      removeNode(ev, line);
      edit.changed = true;
      continue;
    }
    seen.add(key(email));
    const current = textParam(icalProp(line), 'partstat')?.toUpperCase() ?? 'NEEDS-ACTION';
    if (p.status && p.status !== current) {
      const prop = cloneProp(line);
      prop.setParameter('partstat', p.status);
      replaceNode(ev, line, makeProp(prop, ctx.eol));
      edit.changed = true;
    }
  }
  const added = [...wanted.values()].filter((p) => !seen.has(key(p.Email)));
  if (added.length === 0) return;
  if (!firstProp(ev, 'ORGANIZER')) insertProp(ev, makeProp(newOrganizer(ctx), ctx.eol), ['ORGANIZER', 'DESCRIPTION', 'LOCATION']);
  for (const p of added) insertProp(ev, makeProp(newAttendee(p), ctx.eol), ['ATTENDEE', 'ORGANIZER']);
  edit.changed = true;
}
