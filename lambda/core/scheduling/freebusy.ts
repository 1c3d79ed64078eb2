/**
 * Free-busy lookups (RFC 6638 §5, the VFREEBUSY REQUEST a client POSTs to its outbox): for each
 * attendee who is a user here, the busy time in the range, recurrences expanded, and nothing
 * else: no titles, places or who attends. Transparent and cancelled events, and meetings the
 * user declined, take no time; tentative ones and unanswered invitations are BUSY-TENTATIVE.
 */
import ICAL from 'ical.js';
import { CAL } from '../namespaces';
import { forbidden } from '../errors';
import { instanceBounds, instancesOf } from '../filter/instances';
import { parsedForMatching } from '../filter/parsed';
import { UTC_CONTEXT } from '../filter/zones';
import { emailOfParty } from './addresses';

export interface FreeBusyRequest {
  uid: string;
  start: number;
  end: number;
  organizer: string;
  /** Attendee addresses as written, each with the e-mail it names (null: none). */
  attendees: Array<{ address: string; email: string | null }>;
  /** UIDs whose time does not count (X-CALENDARSERVER-MASK-UID: the event being rescheduled). */
  masked: Set<string>;
}

export type BusyType = 'BUSY' | 'BUSY-TENTATIVE';
export interface Busy {
  start: number;
  end: number;
  type: BusyType;
}

const invalid = (why: string) => forbidden(`Not a free-busy request: ${why}`, CAL('valid-scheduling-message'));

/** Largest range answered: a year, as a bound on the expansion a request can ask for. */
const MAX_RANGE_MS = 366 * 86_400_000;

export function parseFreeBusyRequest(text: string, user: string): FreeBusyRequest {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch {
    throw forbidden('The body is not iCalendar', CAL('valid-calendar-data'));
  }
  if (String(root.getFirstPropertyValue('method') ?? '').toUpperCase() !== 'REQUEST') throw invalid('METHOD must be REQUEST');
  const fb = root.getFirstSubcomponent('vfreebusy');
  if (!fb || root.getAllSubcomponents().some((c) => c.name !== 'vfreebusy' && c.name !== 'vtimezone')) throw invalid('one VFREEBUSY expected');
  const start = fb.getFirstPropertyValue('dtstart');
  const end = fb.getFirstPropertyValue('dtend');
  if (!(start instanceof ICAL.Time) || !(end instanceof ICAL.Time)) throw invalid('DTSTART and DTEND are required');
  const [from, until] = [start.toUnixTime() * 1000, end.toUnixTime() * 1000];
  if (until <= from || until - from > MAX_RANGE_MS) throw invalid('DTEND must follow DTSTART, within a year');
  const organizer = fb.getFirstProperty('organizer');
  const organizerEmail = organizer ? emailOfParty(organizer) : null;
  if (organizerEmail !== user) throw forbidden('The ORGANIZER of a free-busy request must be the one asking', CAL('organizer-allowed'));
  const attendees = fb.getAllProperties('attendee').map((p) => ({ address: String(p.getFirstValue()), email: emailOfParty(p) }));
  if (attendees.length === 0) throw forbidden('A free-busy request names at least one ATTENDEE', CAL('recipient-specified'));
  const masked = new Set(fb.getAllProperties('x-calendarserver-mask-uid').map((p) => String(p.getFirstValue())));
  return { uid: String(fb.getFirstPropertyValue('uid') ?? ''), start: from, end: until, organizer: String(organizer!.getFirstValue()), attendees, masked };
}

function typeOf(event: ICAL.Component, email: string): BusyType | null {
  if (String(event.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT') return null;
  const status = String(event.getFirstPropertyValue('status') ?? '').toUpperCase();
  if (status === 'CANCELLED') return null;
  const mine = event.getAllProperties('attendee').find((p) => emailOfParty(p) === email);
  const partstat = String(mine?.getParameter('partstat') ?? 'ACCEPTED').toUpperCase();
  if (partstat === 'DECLINED') return null;
  return status === 'TENTATIVE' || partstat === 'TENTATIVE' || partstat === 'NEEDS-ACTION' ? 'BUSY-TENTATIVE' : 'BUSY';
}

/** The busy periods of `email`'s objects within the request's range, merged, earliest first. */
export function busyTime(texts: string[], email: string, req: FreeBusyRequest): Busy[] {
  const periods: Busy[] = [];
  for (const text of texts) {
    let vcalendar: ICAL.Component;
    try {
      vcalendar = parsedForMatching(text);
    } catch {
      continue;
    }
    for (const inst of instancesOf(vcalendar, 'VEVENT', UTC_CONTEXT, req.end, req.start)) {
      if (req.masked.has(String(inst.component.getFirstPropertyValue('uid') ?? ''))) continue;
      const type = typeOf(inst.component, email);
      const { start, end } = instanceBounds(inst);
      if (!type || start === null || end === null || end <= req.start || start >= req.end || end <= start) continue;
      periods.push({ start: Math.max(start, req.start), end: Math.min(end, req.end), type });
    }
  }
  return merge(periods);
}

function merge(periods: Busy[]): Busy[] {
  const out: Busy[] = [];
  for (const type of ['BUSY', 'BUSY-TENTATIVE'] as const) {
    const sorted = periods.filter((p) => p.type === type).sort((a, b) => a.start - b.start);
    for (const p of sorted) {
      const last = out[out.length - 1];
      if (last && last.type === type && p.start <= last.end) last.end = Math.max(last.end, p.end);
      else out.push({ ...p });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.type.localeCompare(b.type));
}

const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The VFREEBUSY REPLY for one attendee (RFC 5546 §3.3.2). */
export function freeBusyReply(req: FreeBusyRequest, attendee: string, busy: Busy[], now: Date): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//crm-caldav//free-busy//EN',
    'METHOD:REPLY',
    'BEGIN:VFREEBUSY',
    ...(req.uid ? [`UID:${req.uid}`] : []),
    `DTSTAMP:${utc(now.getTime())}`,
    `DTSTART:${utc(req.start)}`,
    `DTEND:${utc(req.end)}`,
    `ORGANIZER:${req.organizer}`,
    `ATTENDEE:${attendee}`,
    ...busy.map((b) => `FREEBUSY;FBTYPE=${b.type}:${utc(b.start)}/${utc(b.end)}`),
    'END:VFREEBUSY',
    'END:VCALENDAR',
  ];
  return lines.map((l) => ICAL.helpers.foldline(l)).join('\r\n') + '\r\n';
}
