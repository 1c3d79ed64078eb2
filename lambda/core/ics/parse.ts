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
import { DavError, forbidden } from '../errors';
import { useSharedZones } from './shared-zones';

/** Top-level components a calendar object may hold besides its VEVENTs or VTODOs. */
const ALLOWED_BESIDE = new Set(['vtimezone']);

/** What a collection holds: the calendar VEVENTs, the tasks list VTODOs (RFC 4791 §5.2.3). */
export type ComponentName = 'VEVENT' | 'VTODO';

export interface ParsedCalendarObject {
  vcalendar: ICAL.Component;
  uid: string;
  /** The VEVENTs or VTODOs: at most one master plus overridden instances (RECURRENCE-ID). */
  components: ICAL.Component[];
}

export const invalidData = (message: string) => forbidden(message, CAL('valid-calendar-data'));
const invalidObject = (message: string) => forbidden(message, CAL('valid-calendar-object-resource'));

/**
 * A component the collection does not hold (a VTODO sent to the calendar, a VEVENT to the tasks
 * list): the method answering it says where that component belongs.
 */
export class UnsupportedComponent extends DavError {
  constructor(readonly component: string, readonly expected: ComponentName) {
    super(403, `This collection holds ${expected === 'VEVENT' ? 'events' : 'tasks'} only; ${component} is not supported here`, CAL('supported-calendar-component'));
  }
}

/** Longest UID accepted: it keys the calendar's UID index, and DynamoDB keys stop at 1,024 bytes. */
export const MAX_UID_BYTES = 512;

/** Parses and checks the structure; throws a 403 DavError naming the failed precondition. */
export function parseCalendarObject(text: string, expected: ComponentName = 'VEVENT'): ParsedCalendarObject {
  // A UTF-8 byte order mark is not part of the iCalendar grammar but is harmless.
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') throw invalidData('The request body is empty: a calendar object is required');
  // What a lossy UTF-8 decode leaves behind: RFC 5545 §3.1.4 makes UTF-8 the only charset.
  if (source.includes('\uFFFD')) throw invalidData('The body is not valid UTF-8');
  // RFC 5545 §3.1: no CONTROL characters but HTAB in content lines (CR and LF only end lines).
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(source);
  if (control) throw invalidData(`Control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in iCalendar data`);
  const vcalendar = useSharedZones(new ICAL.Component(rootOf(parseText(source))));
  if (vcalendar.name !== 'vcalendar') {
    throw invalidData(`The body must be one VCALENDAR, not a ${vcalendar.name.toUpperCase()}`);
  }
  if (vcalendar.hasProperty('method')) {
    throw invalidObject('Calendar object resources must not carry the METHOD property (RFC 4791 §4.1)');
  }
  const name = expected.toLowerCase();
  for (const comp of vcalendar.getAllSubcomponents()) {
    if (comp.name !== name && !ALLOWED_BESIDE.has(comp.name)) throw new UnsupportedComponent(comp.name.toUpperCase(), expected);
  }
  const components = vcalendar.getAllSubcomponents(name);
  if (components.length === 0) throw invalidData(`The VCALENDAR holds no ${expected}`);
  return { vcalendar, uid: checkComponents(components, expected), components };
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
function checkComponents(components: ICAL.Component[], expected: ComponentName): string {
  let uid: string | null = null;
  let masters = 0;
  const recurrenceIds = new Set<string>();
  for (const comp of components) {
    const value = comp.getFirstPropertyValue('uid');
    const compUid = typeof value === 'string' ? value.trim() : '';
    if (compUid === '') throw invalidData(`Every ${expected} needs a UID`);
    if (Buffer.byteLength(compUid, 'utf8') > MAX_UID_BYTES) throw invalidData(`UIDs longer than ${MAX_UID_BYTES} bytes are not accepted`);
    if (uid !== null && compUid !== uid) {
      throw invalidObject('All components of a calendar object must share one UID (RFC 4791 §4.1)');
    }
    uid = compUid;
    if (expected === 'VEVENT') checkEvent(comp);
    else checkTodo(comp);
    const rid = comp.getFirstProperty('recurrence-id');
    if (!rid) {
      masters += 1;
      continue;
    }
    const ridValue = rid.getFirstValue();
    if (!(ridValue instanceof ICAL.Time)) throw invalidData('RECURRENCE-ID needs a DATE or DATE-TIME value');
    const key = ridValue.toString();
    if (recurrenceIds.has(key)) throw invalidObject(`Two ${expected}s override the same instance ${key}`);
    recurrenceIds.add(key);
  }
  if (masters > 1) {
    throw invalidObject(`A calendar object holds one ${expected === 'VEVENT' ? 'event' : 'task'}: only one ${expected} may lack a RECURRENCE-ID`);
  }
  return uid as string;
}

function checkEvent(event: ICAL.Component): void {
  if (!(event.getFirstPropertyValue('dtstart') instanceof ICAL.Time)) {
    throw invalidData('Every VEVENT needs a DTSTART with a DATE or DATE-TIME value');
  }
  if (event.hasProperty('dtend') && event.hasProperty('duration')) {
    throw invalidData('A VEVENT may have DTEND or DURATION, not both (RFC 5545 §3.6.1)');
  }
  checkEnd(event, 'dtend', 'DTEND');
}

/** A date property, when present, holds a DATE or DATE-TIME. */
function timeOf(comp: ICAL.Component, name: string): ICAL.Time | null {
  if (!comp.hasProperty(name)) return null;
  const value = comp.getFirstPropertyValue(name);
  if (!(value instanceof ICAL.Time)) throw invalidData(`${name.toUpperCase()} needs a DATE or DATE-TIME value`);
  return value;
}

/**
 * RFC 5545 §3.6.2: DUE or DURATION, not both; DURATION only with DTSTART; DUE not before DTSTART.
 * A recurring to-do needs DTSTART (its first instance, RFC 5545 §3.8.5.3) and DUE (tasks recur by
 * their due date, as the CRM's do).
 */
function checkTodo(todo: ICAL.Component): void {
  const start = timeOf(todo, 'dtstart');
  const due = timeOf(todo, 'due');
  timeOf(todo, 'completed');
  if (due && todo.hasProperty('duration')) throw invalidData('A VTODO may have DUE or DURATION, not both (RFC 5545 §3.6.2)');
  if (!start && todo.hasProperty('duration')) throw invalidData('A VTODO with DURATION needs a DTSTART (RFC 5545 §3.6.2)');
  checkEnd(todo, 'due', 'DUE');
  const recurring = todo.hasProperty('rrule') || todo.hasProperty('rdate');
  if (recurring && !todo.hasProperty('recurrence-id') && (!start || !due)) {
    throw invalidData('A recurring VTODO needs both DTSTART (its first instance) and DUE');
  }
}

/** RFC 5545 §3.8.2.2/§3.8.2.3: the end (DTEND, DUE) is not before DTSTART (equal is tolerated); DURATION is not negative. */
function checkEnd(comp: ICAL.Component, prop: 'dtend' | 'due', label: string): void {
  const start = comp.getFirstPropertyValue('dtstart');
  const end = comp.getFirstPropertyValue(prop);
  if (end !== null && end !== undefined) {
    if (!(end instanceof ICAL.Time)) throw invalidData(`${label} needs a DATE or DATE-TIME value`);
    if (start instanceof ICAL.Time) {
      if (end.isDate !== start.isDate) throw invalidData(`${label} must have the same value type (DATE or DATE-TIME) as DTSTART`);
      if (end.compare(start) < 0) throw invalidData(`${label} is before DTSTART`);
    }
  }
  const duration = comp.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration && duration.isNegative) throw invalidData('DURATION must not be negative');
}

export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
