/**
 * What the organizer owns in a scheduling object (RFC 6638 §3.2.2.1): when, where, what, the
 * recurrence and who is invited. Everything an attendee may change (their PARTSTAT, alarms,
 * TRANSP, DTSTAMP and the like) and everything clients rewrite on their own (parameter order,
 * folding, X- properties, VTIMEZONEs) is left out, so the same meeting reads the same whichever
 * client last wrote it. It decides what an attendee may PUT, whether an update changed anything
 * for an attendee, and the Schedule-Tag.
 */
import { createHash } from 'node:crypto';
import { icalProp, props, type RawComp } from '../ics/raw';
import { MASTER, readSchedDoc, type SchedDoc, type SchedEvent } from './document';

/** Compared by value (and TZID for times): parameters like ALTREP or X-APPLE-* are the clients'. */
const TEXT_PROPS = ['SUMMARY', 'LOCATION', 'DESCRIPTION', 'STATUS'];
const TIME_PROPS = ['DTSTART', 'DTEND', 'DURATION', 'RRULE', 'RDATE'];

function valuesOf(comp: RawComp, name: string): string[] {
  return props(comp, name)
    .map((line) => {
      const prop = icalProp(line);
      const tzid = prop.getParameter('tzid');
      return JSON.stringify([typeof tzid === 'string' ? tzid : null, prop.getValues().map((v) => String(v))]);
    })
    .sort();
}

/**
 * The organizer-owned content of one event. `times`: false to leave out start, end and
 * recurrence; `invitees`: false to leave out who else is invited.
 */
export function eventPart(e: SchedEvent, times = true, invitees = true): string {
  const names = times ? [...TEXT_PROPS, ...TIME_PROPS] : TEXT_PROPS;
  return JSON.stringify([
    e.organizer?.email ?? null,
    invitees ? [...new Set(e.attendees.map((a) => a.email ?? ''))].sort() : null,
    ...names.map((n) => [n, valuesOf(e.comp, n)]),
  ]);
}

/** Start, end and recurrence: what reschedules an event when it changes (RFC 6638 §3.2.8). */
export function timesOf(e: SchedEvent): string {
  return JSON.stringify([...TIME_PROPS, 'EXDATE'].map((n) => valuesOf(e.comp, n)));
}

export function organizerPart(d: SchedDoc, invitees = true): string {
  return JSON.stringify([d.uid, ...[...d.events].sort((a, b) => a.key.localeCompare(b.key)).map((e) => [e.key, eventPart(e, true, invitees)])]);
}

/**
 * RFC 6638 §3.2.10: the tag changes when the organizer's content does, not when a reply only
 * moved a PARTSTAT, so a client's If-Schedule-Tag-Match survives other attendees' replies.
 */
export function scheduleTagOf(d: SchedDoc): string {
  return `"s${createHash('sha256').update(organizerPart(d)).digest('base64url').slice(0, 22)}"`;
}

/** The tag of a stored text, or null when it is not a scheduling object (no ORGANIZER). */
export function scheduleTagOfText(text: string): string | null {
  if (!/\nORGANIZER[;:]/i.test(text)) return null;
  const known = recentTags.get(text);
  if (known !== undefined) return known;
  let tag: string | null;
  try {
    const d = readSchedDoc(text);
    tag = d.events.some((e) => e.organizer) ? scheduleTagOf(d) : null;
  } catch {
    tag = null;
  }
  if (text.length <= MAX_REMEMBERED_TEXT) {
    if (recentTags.size >= RECENT_TAGS) recentTags.delete(recentTags.keys().next().value!);
    recentTags.set(text, tag);
  }
  return tag;
}

/**
 * Tags of the texts read lately, by text: every GET of a meeting answers its Schedule-Tag, and
 * reading it parses the whole event (a tenth of a GET's CPU); a phone reads the same few.
 */
const recentTags = new Map<string, string | null>();
const RECENT_TAGS = 512;
/** Texts are kept whole as keys: only ordinary ones, so the memory stays a few MB (objects may be 384 KB). */
const MAX_REMEMBERED_TEXT = 16 * 1024;

export const isMaster = (e: SchedEvent) => e.key === MASTER;
