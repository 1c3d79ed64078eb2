/**
 * The benchmark calendar: iOS-shaped VEVENTs from a seeded generator, so every run stores the
 * same mix (recurrence, all-day, alarms, attendees, time zones) and numbers stay comparable.
 */

export interface BenchEvent {
  /** Resource name, `<UID>.ics` as iOS names them. */
  name: string;
  uid: string;
  ics: string;
  kind: 'timed' | 'all-day' | 'recurring';
}

export interface MixSummary {
  total: number;
  recurring: number;
  allDay: number;
  withAlarm: number;
  withAttendees: number;
  withExdate: number;
  withOverride: number;
  openEnded: number;
}

const DAY_MS = 24 * 3600 * 1000;
const TZID = 'Europe/Berlin';

const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TZID}`,
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'DTSTART:19810329T020000',
  'TZNAME:CEST',
  'TZOFFSETTO:+0200',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'DTSTART:19961027T030000',
  'TZNAME:CET',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** mulberry32: tiny, fast, good enough to pick a mix. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateValue = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
/** Wall-clock digits of `d` read in UTC; used both for UTC ('Z') and for TZID local times. */
const dateTimeValue = (d: Date) => `${dateValue(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;

/** RFC 5545 §3.1: lines longer than 75 octets continue on lines starting with a space. */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const parts: string[] = [];
  let rest = line;
  let width = 75;
  while (rest.length > width) {
    parts.push(rest.slice(0, width));
    rest = rest.slice(width);
    width = 74;
  }
  parts.push(rest);
  return parts.join('\r\n ');
}

function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16).toUpperCase()).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-A${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const SUBJECTS = ['Pipeline review', 'Call with Zillum', 'Demo', 'Quarterly planning', 'Lunch', 'Onboarding', 'Contract follow-up', '1:1'];
const PEOPLE = ['Kris Marrier', 'Capla Paprocki', 'Simon Morasca', 'Mitsue Tollner', 'Leota Dilliard', 'Sage Wieser', 'Kris Marrier'];
const email = (name: string) => `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`;

interface Shape {
  start: Date;
  minutes: number;
  allDay: boolean;
  zoned: boolean;
}

function when(s: Shape, prop: 'DTSTART' | 'DTEND' | 'EXDATE' | 'RECURRENCE-ID', d: Date): string {
  if (s.allDay) return `${prop};VALUE=DATE:${dateValue(d)}`;
  return s.zoned ? `${prop};TZID=${TZID}:${dateTimeValue(d)}` : `${prop}:${dateTimeValue(d)}Z`;
}

function alarms(next: () => number, uid: string): string[] {
  const count = next() < 0.2 ? 2 : 1;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const alarmUid = uuid(next);
    lines.push(
      'BEGIN:VALARM',
      `X-WR-ALARMUID:${alarmUid}`,
      `UID:${alarmUid}`,
      `TRIGGER:-PT${i === 0 ? 15 : 60}M`,
      `DESCRIPTION:Reminder ${uid.slice(0, 4)}`,
      'ACTION:DISPLAY',
      'END:VALARM',
    );
  }
  return lines;
}

function attendees(next: () => number, organizer: string): string[] {
  const n = 1 + Math.floor(next() * 5);
  const lines = [`ORGANIZER;CN="Bench User":mailto:${organizer}`];
  for (let i = 0; i < n; i++) {
    const person = PEOPLE[Math.floor(next() * PEOPLE.length)];
    lines.push(
      `ATTENDEE;CN="${person}";CUTYPE=INDIVIDUAL;EMAIL="${email(person)}";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${email(person)}`,
    );
  }
  return lines;
}

/**
 * `count` events whose first instances fall in the 90 days around `now`. About 10% recur
 * (weekly or daily, ended by COUNT, UNTIL or not at all, some with EXDATE and an overridden
 * instance), 10% of the rest are all-day; alarms and attendees on a share of all of them.
 */
export function generateCalendar(count: number, now: Date, organizer: string, seed = 42): { events: BenchEvent[]; mix: MixSummary } {
  const next = rng(seed);
  const mix: MixSummary = { total: count, recurring: 0, allDay: 0, withAlarm: 0, withAttendees: 0, withExdate: 0, withOverride: 0, openEnded: 0 };
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const stamp = `${dateTimeValue(now)}Z`;
  const events: BenchEvent[] = [];

  for (let i = 0; i < count; i++) {
    const uid = uuid(next);
    const recurring = i % 10 === 0;
    const allDay = !recurring && next() < 0.1;
    const day = Math.floor(next() * 90) - 45;
    const hour = 8 + Math.floor(next() * 10);
    const shape: Shape = {
      start: new Date(today + day * DAY_MS + hour * 3600 * 1000 + (next() < 0.5 ? 30 * 60 * 1000 : 0)),
      minutes: allDay ? 24 * 60 : [30, 45, 60, 90][Math.floor(next() * 4)],
      allDay,
      zoned: !allDay && next() < 0.7,
    };
    const end = new Date(shape.start.getTime() + shape.minutes * 60 * 1000);
    const master = [
      'BEGIN:VEVENT',
      `UID:${uid}`,
      `DTSTAMP:${stamp}`,
      `CREATED:${stamp}`,
      `LAST-MODIFIED:${stamp}`,
      'SEQUENCE:0',
      `SUMMARY:${SUBJECTS[i % SUBJECTS.length]} #${i}`,
      when(shape, 'DTSTART', shape.start),
      when(shape, 'DTEND', end),
      'TRANSP:OPAQUE',
      'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC',
    ];
    if (next() < 0.3) master.push('LOCATION:Zillum HQ\\, Room 4', 'DESCRIPTION:Agenda:\\n- numbers\\n- next steps');

    const overrides: string[] = [];
    if (recurring) {
      mix.recurring++;
      const daily = next() < 0.4;
      const stepMs = (daily ? 1 : 7) * DAY_MS;
      const ending = next();
      let rule = `RRULE:FREQ=${daily ? 'DAILY' : 'WEEKLY'}`;
      if (ending < 0.4) rule += `;COUNT=${5 + Math.floor(next() * 20)}`;
      else if (ending < 0.7) rule += `;UNTIL=${dateValue(new Date(shape.start.getTime() + 20 * stepMs))}T235959Z`;
      else mix.openEnded++;
      master.push(rule);
      if (next() < 0.35) {
        mix.withExdate++;
        master.push(when(shape, 'EXDATE', new Date(shape.start.getTime() + 2 * stepMs)));
      }
      if (next() < 0.25) {
        mix.withOverride++;
        const original = new Date(shape.start.getTime() + 3 * stepMs);
        const moved = new Date(original.getTime() + 3600 * 1000);
        overrides.push(
          'BEGIN:VEVENT',
          `UID:${uid}`,
          `DTSTAMP:${stamp}`,
          when(shape, 'RECURRENCE-ID', original),
          `SUMMARY:${SUBJECTS[i % SUBJECTS.length]} #${i} (moved)`,
          when(shape, 'DTSTART', moved),
          when(shape, 'DTEND', new Date(moved.getTime() + shape.minutes * 60 * 1000)),
          'SEQUENCE:1',
          'END:VEVENT',
        );
      }
    }
    if (allDay) mix.allDay++;
    if (next() < 0.3) {
      mix.withAttendees++;
      master.push(...attendees(next, organizer));
    }
    if (next() < 0.6) {
      mix.withAlarm++;
      master.push(...alarms(next, uid));
    }
    master.push('END:VEVENT');

    const lines = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Apple Inc.//iOS 17.5//EN',
      'CALSCALE:GREGORIAN',
      ...(shape.zoned ? VTIMEZONE : []),
      ...master,
      ...overrides,
      'END:VCALENDAR',
    ];
    events.push({
      name: `${uid}.ics`,
      uid,
      ics: lines.map(fold).join('\r\n') + '\r\n',
      kind: recurring ? 'recurring' : allDay ? 'all-day' : 'timed',
    });
  }
  return { events, mix };
}

/** The same event edited as a device would: new summary, bumped SEQUENCE and LAST-MODIFIED. */
export function editEvent(ics: string, revision: number, now: Date): string {
  return ics
    .replace(/^SUMMARY:(.*?)( \(edit \d+\))?\r$/m, `SUMMARY:$1 (edit ${revision})\r`)
    .replace(/^SEQUENCE:\d+\r$/m, `SEQUENCE:${revision}\r`)
    .replace(/^LAST-MODIFIED:.*\r$/m, `LAST-MODIFIED:${dateTimeValue(now)}Z\r`);
}
