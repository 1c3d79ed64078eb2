/** Two (or more) users of one deployment, each with a DavContext, sharing a memory store and scheduling. */
import type { ImipMessage, SchedulingDeps } from '../../../lambda/core/scheduling/ports';
import type { DavContext } from '../../../lambda/core/types';
import { DEFAULT_CONFIG } from '../../../lambda/core/types';
import { MemoryCalendarStore } from '../../../lambda/store/memory';
import type { StoredObject } from '../../../lambda/store/types';

export const ANA = 'ana@example.com';
export const BOB = 'bob@example.com';
export const CAROL = 'carol@example.com';
export const LEAD = 'lead@customer.example';

export interface World {
  store: MemoryCalendarStore;
  deps: SchedulingDeps;
  mail: ImipMessage[];
  crm: Array<{ owner: string; object: StoredObject }>;
  as(email: string): DavContext;
}

export function world(opts: { users?: string[]; external?: SchedulingDeps['external']; failMail?: boolean } = {}): World {
  const store = new MemoryCalendarStore();
  const users = new Set(opts.users ?? [ANA, BOB, CAROL]);
  const mail: ImipMessage[] = [];
  const crm: World['crm'] = [];
  const external = opts.external ?? 'email';
  const deps: SchedulingDeps = {
    store,
    isCalendarUser: async (email) => users.has(email),
    imip:
      external === 'email'
        ? {
            send: async (m) => {
              if (opts.failMail) throw new Error('mail service down');
              mail.push(m);
            },
          }
        : null,
    external,
    organizerCopyChanged: async (owner, object) => void crm.push({ owner, object }),
    now: () => new Date('2025-02-01T08:00:00Z'),
  };
  return {
    store,
    deps,
    mail,
    crm,
    as: (email) => ({ user: { email }, store, config: DEFAULT_CONFIG, now: deps.now, scheduling: deps }),
  };
}

/** An iOS-like invitation: ORGANIZER the owner, the owner as ACCEPTED chair, the others invited. */
export function invitation(uid: string, organizer: string, attendees: string[], opts: { summary?: string; start?: string; end?: string; rrule?: string; extra?: string[] } = {}): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Apple Inc.//iPhone OS 17.5//EN',
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20250201T070000Z',
    `DTSTART:${opts.start ?? '20250310T090000Z'}`,
    `DTEND:${opts.end ?? '20250310T100000Z'}`,
    ...(opts.rrule ? [`RRULE:${opts.rrule}`] : []),
    `SUMMARY:${opts.summary ?? 'Quarterly review'}`,
    'SEQUENCE:0',
    `ORGANIZER;CN=Organizer:mailto:${organizer}`,
    `ATTENDEE;CN=Organizer;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:${organizer}`,
    ...attendees.map((a) => `ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${a}`),
    ...(opts.extra ?? []),
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'DESCRIPTION:Reminder',
    'TRIGGER:-PT15M',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** The PARTSTAT of `attendee` on the first ATTENDEE line naming them. */
export function partstatOf(ics: string, attendee: string): string | null {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  const line = unfolded.split(/\r?\n/).find((l) => l.startsWith('ATTENDEE') && l.toLowerCase().endsWith(`mailto:${attendee}`));
  return line ? (/PARTSTAT=([A-Z-]+)/i.exec(line)?.[1] ?? 'NEEDS-ACTION') : null;
}

export function scheduleStatusOf(ics: string, attendee: string): string | null {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  const line = unfolded.split(/\r?\n/).find((l) => l.startsWith('ATTENDEE') && l.toLowerCase().endsWith(`mailto:${attendee}`));
  return line ? (/SCHEDULE-STATUS="?([0-9.]+)/i.exec(line)?.[1] ?? null) : null;
}

/** Sets `attendee`'s PARTSTAT in a copy, as a phone answering does. */
export const answer = (ics: string, attendee: string, partstat: string) =>
  ics.replace(/\r?\n[ \t]/g, '').replace(new RegExp(`^(ATTENDEE[^\\r\\n]*?)PARTSTAT=[A-Z-]+([^\\r\\n]*mailto:${attendee.replace('.', '\\.')})$`, 'im'), `$1PARTSTAT=${partstat}$2`);
