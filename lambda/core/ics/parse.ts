/**
 * Validation of a calendar object resource sent with PUT (RFC 4791 §4.1, §5.3.2.1).
 *
 * Every failure is a 403 naming the CalDAV precondition, unparsable text included: RFC 4791
 * defines "not iCalendar" as the CALDAV:valid-calendar-data precondition, and a named
 * precondition tells the client exactly what went wrong where a bare 400 would not.
 * The text is only read here, never rewritten: what is stored is what was sent.
 */
import { CAL } from '../namespaces';
import ICAL from 'ical.js';
import { forbidden } from '../errors';

/** Top-level components a calendar object may hold besides its VEVENTs. */
const ALLOWED_BESIDE_EVENTS = new Set(['vtimezone']);

export interface ParsedCalendarObject {
  vcalendar: ICAL.Component;
  uid: string;
  /** The VEVENTs: at most one master plus overridden instances (RECURRENCE-ID). */
  events: ICAL.Component[];
}

export const invalidData = (message: string) => forbidden(message, CAL('valid-calendar-data'));
const invalidObject = (message: string) => forbidden(message, CAL('valid-calendar-object-resource'));

/** Longest UID accepted: it keys the calendar's UID index, and DynamoDB keys stop at 1,024 bytes. */
export const MAX_UID_BYTES = 512;

/** Parses and checks the structure; throws a 403 DavError naming the failed precondition. */
export function parseCalendarObject(text: string): ParsedCalendarObject {
  // A UTF-8 byte order mark is not part of the iCalendar grammar but is harmless.
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') throw invalidData('The request body is empty: a calendar object is required');
  // What a lossy UTF-8 decode leaves behind: RFC 5545 §3.1.4 makes UTF-8 the only charset.
  if (source.includes('\uFFFD')) throw invalidData('The body is not valid UTF-8');
  // RFC 5545 §3.1: no CONTROL characters but HTAB in content lines (CR and LF only end lines).
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(source);
  if (control) throw invalidData(`Control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in iCalendar data`);
  const vcalendar = new ICAL.Component(rootOf(parseText(source)));
  if (vcalendar.name !== 'vcalendar') {
    throw invalidData(`The body must be one VCALENDAR, not a ${vcalendar.name.toUpperCase()}`);
  }
  if (vcalendar.hasProperty('method')) {
    throw invalidObject('Calendar object resources must not carry the METHOD property (RFC 4791 §4.1)');
  }
  for (const comp of vcalendar.getAllSubcomponents()) {
    if (comp.name !== 'vevent' && !ALLOWED_BESIDE_EVENTS.has(comp.name)) {
      throw forbidden(
        `Only events are synced with the CRM calendar; ${comp.name.toUpperCase()} is not supported`,
        CAL('supported-calendar-component'),
      );
    }
  }
  const events = vcalendar.getAllSubcomponents('vevent');
  if (events.length === 0) throw invalidData('The VCALENDAR holds no VEVENT');
  return { vcalendar, uid: checkEvents(events), events };
}

function parseText(source: string): unknown {
  try {
    return ICAL.parse(source);
  } catch (err) {
    throw invalidData(`Not valid iCalendar data: ${messageOf(err)}`);
  }
}

/** ICAL.parse gives one jCal component, or an array of them when the text holds several. */
function rootOf(jcal: unknown): unknown[] {
  if (!Array.isArray(jcal) || jcal.length === 0) throw invalidData('Not valid iCalendar data');
  if (Array.isArray(jcal[0])) {
    if (jcal.length > 1) throw invalidData('The body must hold exactly one VCALENDAR');
    return jcal[0] as unknown[];
  }
  return jcal;
}

/** RFC 4791 §4.1: one UID across the resource, one master, distinct RECURRENCE-IDs. */
function checkEvents(events: ICAL.Component[]): string {
  let uid: string | null = null;
  let masters = 0;
  const recurrenceIds = new Set<string>();
  for (const event of events) {
    const value = event.getFirstPropertyValue('uid');
    const eventUid = typeof value === 'string' ? value.trim() : '';
    if (eventUid === '') throw invalidData('Every VEVENT needs a UID');
    if (Buffer.byteLength(eventUid, 'utf8') > MAX_UID_BYTES) throw invalidData(`UIDs longer than ${MAX_UID_BYTES} bytes are not accepted`);
    if (uid !== null && eventUid !== uid) {
      throw invalidObject('All components of a calendar object must share one UID (RFC 4791 §4.1)');
    }
    uid = eventUid;
    if (!(event.getFirstPropertyValue('dtstart') instanceof ICAL.Time)) {
      throw invalidData('Every VEVENT needs a DTSTART with a DATE or DATE-TIME value');
    }
    if (event.hasProperty('dtend') && event.hasProperty('duration')) {
      throw invalidData('A VEVENT may have DTEND or DURATION, not both (RFC 5545 §3.6.1)');
    }
    checkEnd(event);
    const rid = event.getFirstProperty('recurrence-id');
    if (!rid) {
      masters += 1;
      continue;
    }
    const ridValue = rid.getFirstValue();
    if (!(ridValue instanceof ICAL.Time)) throw invalidData('RECURRENCE-ID needs a DATE or DATE-TIME value');
    const key = ridValue.toString();
    if (recurrenceIds.has(key)) throw invalidObject(`Two VEVENTs override the same instance ${key}`);
    recurrenceIds.add(key);
  }
  if (masters > 1) {
    throw invalidObject('A calendar object holds one event: only one VEVENT may lack a RECURRENCE-ID');
  }
  return uid as string;
}

/** RFC 5545 §3.8.2.2: DTEND is later than DTSTART (equal is tolerated: a zero-length event); DURATION is not negative. */
function checkEnd(event: ICAL.Component): void {
  const start = event.getFirstPropertyValue('dtstart') as ICAL.Time;
  const end = event.getFirstPropertyValue('dtend');
  if (end !== null && end !== undefined) {
    if (!(end instanceof ICAL.Time)) throw invalidData('DTEND needs a DATE or DATE-TIME value');
    if (end.isDate !== start.isDate) throw invalidData('DTEND must have the same value type (DATE or DATE-TIME) as DTSTART');
    if (end.compare(start) < 0) throw invalidData('DTEND is before DTSTART');
  }
  const duration = event.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration && duration.isNegative) throw invalidData('DURATION must not be negative');
}

export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
