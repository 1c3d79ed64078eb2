/**
 * A deterministic calendar resembling a busy CRM user's: timed meetings over three months around
 * now, some all-day, 10% recurring (weekly/daily; COUNT, UNTIL or open-ended; some with EXDATE
 * and an overridden instance), alarms and attendees on many.
 */

export interface BenchEvent {
  /** Resource name under the calendar, e.g. `bench-0042.ics`. */
  name: string;
  uid: string;
  recurring: boolean;
  allDay: boolean;
  /** The iCalendar text for revision `rev` (a PUT update bumps it). */
  ics(rev: number): string;
}

/** mulberry32: small, fast, seedable; the same calendar on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const utc = (d: Date) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00Z`;
const dateOnly = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;

/** RFC 5545 line folding at 75 octets (ASCII content here). */
function fold(line: string): string {
  if (line.length <= 75) return line;
  const parts = [line.slice(0, 75)];
  for (let i = 75; i < line.length; i += 74) parts.push(` ${line.slice(i, i + 74)}`);
  return parts.join('\r\n');
}

const SUBJECTS = ['Call with', 'Demo for', 'Follow-up:', 'Contract review', 'Quarterly review', 'Lunch with', 'Onboarding'];
const COMPANIES = ['Zillum', 'Acme GmbH', 'Globex', 'Initech', 'Umbrella Ltd', 'Hooli', 'Vandelay Industries'];
const PEOPLE = ['ana.lopez', 'ben.okafor', 'chen.wei', 'dara.nilsson', 'eli.cohen', 'fatima.haddad', 'greta.schulz'];

export function benchCalendar(count: number, organizer: string, now: Date = new Date(), seed = 42): BenchEvent[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  // Three months centred on now, starting on a quarter hour in working hours.
  const windowStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 45 * DAY;
  const stamp = utc(now);
  const events: BenchEvent[] = [];

  for (let i = 0; i < count; i++) {
    const name = `bench-${String(i).padStart(4, '0')}.ics`;
    const uid = `bench-${i}-${seed}@crm-caldav.bench`;
    const day = Math.floor(random() * 90);
    const start = new Date(windowStart + day * DAY + (7 + Math.floor(random() * 10)) * 3_600_000 + Math.floor(random() * 4) * 900_000);
    const minutes = pick([15, 30, 30, 45, 60, 60, 90, 120]);
    const end = new Date(start.getTime() + minutes * 60_000);
    const recurring = i % 10 === 3; // exactly 10%
    const allDay = !recurring && random() < 0.08;
    const kind = recurring ? pick(['weekly-count', 'weekly-until', 'weekly-open', 'daily-count', 'daily-until'] as const) : null;
    const withExceptions = recurring && random() < 0.4;
    const alarm = random() < 0.6;
    const attendees = random() < 0.4 ? 1 + Math.floor(random() * 4) : 0;
    const summary = `${pick(SUBJECTS)} ${pick(COMPANIES)}`;
    const guestList = Array.from({ length: attendees }, () => pick(PEOPLE));
    const location = random() < 0.3 ? `Room ${1 + Math.floor(random() * 12)}` : null;

    const step = kind?.startsWith('daily') ? DAY : 7 * DAY;
    const rrule =
      kind === 'weekly-count'
        ? 'FREQ=WEEKLY;COUNT=10'
        : kind === 'daily-count'
          ? 'FREQ=DAILY;COUNT=15'
          : kind === 'weekly-until'
            ? `FREQ=WEEKLY;UNTIL=${utc(new Date(start.getTime() + 12 * 7 * DAY))}`
            : kind === 'daily-until'
              ? `FREQ=DAILY;UNTIL=${utc(new Date(start.getTime() + 20 * DAY))}`
              : 'FREQ=WEEKLY;BYDAY=' + ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][start.getUTCDay()];

    const ics = (rev: number) => {
      const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//crm-caldav//bench//EN', 'CALSCALE:GREGORIAN'];
      const master = (extra: string[]) => {
        lines.push('BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp}`, `SEQUENCE:${rev}`, ...extra);
        lines.push(`SUMMARY:${summary}${rev ? ` (rev ${rev})` : ''}`);
        if (location) lines.push(`LOCATION:${location}`);
        lines.push(`DESCRIPTION:Seeded by npm run bench. Agenda: pricing\\, timeline\\, next steps.`);
        if (attendees) {
          lines.push(`ORGANIZER;CN=Bench Owner:mailto:${organizer}`);
          for (const guest of guestList) {
            lines.push(fold(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${guest}@example.com`));
          }
        }
        if (alarm) {
          lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', `TRIGGER:-PT${pick([5, 10, 15, 30])}M`, 'END:VALARM');
        }
        lines.push('END:VEVENT');
      };
      if (allDay) {
        master([`DTSTART;VALUE=DATE:${dateOnly(start)}`, `DTEND;VALUE=DATE:${dateOnly(new Date(start.getTime() + DAY))}`]);
      } else if (recurring) {
        const extra = [`DTSTART:${utc(start)}`, `DTEND:${utc(end)}`, `RRULE:${rrule}`];
        if (withExceptions) extra.push(`EXDATE:${utc(new Date(start.getTime() + 2 * step))}`);
        master(extra);
        if (withExceptions) {
          // The 4th instance moved an hour later.
          const original = new Date(start.getTime() + 3 * step);
          const moved = new Date(original.getTime() + 3_600_000);
          lines.push(
            'BEGIN:VEVENT',
            `UID:${uid}`,
            `DTSTAMP:${stamp}`,
            `RECURRENCE-ID:${utc(original)}`,
            `DTSTART:${utc(moved)}`,
            `DTEND:${utc(new Date(moved.getTime() + minutes * 60_000))}`,
            `SUMMARY:${summary} (moved)`,
            'END:VEVENT',
          );
        }
      } else {
        master([`DTSTART:${utc(start)}`, `DTEND:${utc(end)}`]);
      }
      lines.push('END:VCALENDAR');
      return lines.join('\r\n') + '\r\n';
    };
    events.push({ name, uid, recurring, allDay, ics });
  }
  return events;
}
