/**
 * Property-based round trips of the task mapping (seeded, bounded), as the events' are:
 * generated iOS-shaped VTODOs (zoned, UTC or date-only DUE with DTSTART = DUE as iOS writes it,
 * absolute and DUE-relative alarms, Apple's hidden default alarm, PRIORITY, STATUS/COMPLETED,
 * weekly recurrence, RELATED-TO and X-APPLE-* lines) and generated CRM tasks.
 *
 * Properties: an unchanged CRM record gives back the phone's bytes; a CRM edit of another field
 * keeps DUE (the time of day the CRM has no field for) and everything the CRM does not own; a
 * CRM-made task reads back as the same fields; Remind_At follows the same alarm (the events'
 * reminder-mark rule): clearing it removes that alarm only, and no other alarm becomes the
 * reminder on the next read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { icsToCrmTask } from '../../../lambda/crm/mapping/task-to-crm';
import { crmTaskToIcs } from '../../../lambda/crm/mapping/task-to-ics';
import { DEFAULT_TASK_PICKLISTS, taskFieldDefaults, type CrmTaskDraft, type CrmUser } from '../../../lambda/crm/types';
import { lines } from './helpers';

const SEED = 2_606;
const RUNS = 60;
const picklists = DEFAULT_TASK_PICKLISTS;
const owner: CrmUser = { id: 'u1', email: 'olivia@crm.example', name: 'Olivia Owner', timeZone: 'Europe/Berlin' };
const NOW = new Date('2025-03-20T12:00:00Z');

const BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'DTSTART:19810329T020000', 'TZNAME:CEST', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'DTSTART:19961027T030000', 'TZNAME:CET', 'TZOFFSETTO:+0100', 'END:STANDARD',
  'END:VTIMEZONE',
];

interface PhoneTask {
  uid: string;
  summary: string;
  description: string | null;
  due: 'berlin' | 'utc' | 'date' | 'none';
  day: number;
  hour: number;
  minute: number;
  priority: 0 | 1 | 5 | 9;
  status: 'NEEDS-ACTION' | 'IN-PROCESS' | 'COMPLETED';
  alarms: Array<'absolute' | 'before-due' | 'apple-default'>;
  recurring: boolean;
  related: boolean;
}

const text = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.'-]{0,30}$/);
const phoneTask: fc.Arbitrary<PhoneTask> = fc.record({
  uid: fc.uuid().map((u) => u.toUpperCase()),
  summary: text,
  description: fc.option(text, { nil: null }),
  due: fc.constantFrom('berlin', 'utc', 'date', 'none'),
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.constantFrom(0, 15, 30, 45),
  priority: fc.constantFrom(0, 1, 5, 9),
  status: fc.constantFrom('NEEDS-ACTION', 'IN-PROCESS', 'COMPLETED'),
  alarms: fc.array(fc.constantFrom('absolute', 'before-due', 'apple-default'), { maxLength: 3 }),
  recurring: fc.boolean(),
  related: fc.boolean(),
});

const pad = (n: number) => String(n).padStart(2, '0');

function phoneIcs(t: PhoneTask): string {
  const date = `202504${pad(t.day)}`;
  const time = `T${pad(t.hour)}${pad(t.minute)}00`;
  const due =
    t.due === 'berlin' ? `;TZID=Europe/Berlin:${date}${time}` : t.due === 'utc' ? `:${date}${time}Z` : t.due === 'date' ? `;VALUE=DATE:${date}` : null;
  const recurring = t.recurring && due !== null;
  const alarm = (kind: PhoneTask['alarms'][number], i: number) => {
    const id = `${t.uid.slice(0, 8)}-0000-4000-8000-00000000000${i}`;
    if (kind === 'apple-default') return ['BEGIN:VALARM', `X-WR-ALARMUID:${id}`, `UID:${id}`, 'TRIGGER;VALUE=DATE-TIME:19760401T005545Z', 'ACTION:NONE', 'X-APPLE-DEFAULT-ALARM:TRUE', 'END:VALARM'];
    if (kind === 'before-due' && due === null) return [];
    const trigger = kind === 'absolute' ? `TRIGGER;VALUE=DATE-TIME:202504${pad(t.day)}T0${i}0000Z` : `TRIGGER;RELATED=END:-PT${(i + 1) * 10}M`;
    return ['BEGIN:VALARM', `X-WR-ALARMUID:${id}`, `UID:${id}`, trigger, 'DESCRIPTION:Reminder', 'ACTION:DISPLAY', 'END:VALARM'];
  };
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 18.1//EN', 'CALSCALE:GREGORIAN',
    ...(t.due === 'berlin' ? BERLIN : []),
    'BEGIN:VTODO',
    'CREATED:20250301T090000Z', 'DTSTAMP:20250301T090012Z', 'LAST-MODIFIED:20250301T090012Z',
    `UID:${t.uid}`,
    `SUMMARY:${t.summary}`,
    ...(t.description === null ? [] : [`DESCRIPTION:${t.description}`]),
    ...(t.priority === 0 ? [] : [`PRIORITY:${t.priority}`]),
    `STATUS:${t.status}`,
    ...(t.status === 'COMPLETED' ? ['COMPLETED:20250302T101500Z'] : []),
    ...(due === null ? [] : [`DTSTART${due}`, `DUE${due}`]),
    ...(recurring ? ['RRULE:FREQ=WEEKLY;COUNT=6'] : []),
    ...(t.related ? ['RELATED-TO;RELTYPE=PARENT:parent-list-item'] : []),
    'X-APPLE-SORT-ORDER:763463232',
    ...t.alarms.flatMap(alarm),
    'END:VTODO', 'END:VCALENDAR', '',
  ].join('\r\n');
}

const read = (ics: string, existing?: CrmTaskDraft) => icsToCrmTask(ics, { owner, picklists, existing });
const write = (task: CrmTaskDraft, previousIcs?: string) => crmTaskToIcs({ ...task, id: task.id ?? 'T1' }, { owner, picklists, previousIcs, now: NOW });
const line = (ics: string, name: string) => lines(ics).find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
const notOwned = (ics: string) => lines(ics).filter((l) => /^(X-APPLE|RELATED-TO|CREATED|BEGIN:VTIMEZONE|TZID|RRULE)/.test(l));

describe('task mapping, phone first', () => {
  it('an unchanged CRM record gives back the exact bytes', () => {
    fc.assert(
      fc.property(phoneTask, (t) => {
        const ics = phoneIcs(t);
        expect(write(read(ics), ics)).toBe(ics);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a CRM edit of Subject keeps DUE, DTSTART and what the CRM does not own; the other fields read back the same', () => {
    fc.assert(
      fc.property(phoneTask, text, (t, subject) => {
        const ics = phoneIcs(t);
        const before = read(ics);
        const next = write({ ...before, Subject: `${subject}!` }, ics);
        expect(line(next, 'DUE')).toBe(line(ics, 'DUE'));
        expect(line(next, 'DTSTART')).toBe(line(ics, 'DTSTART'));
        expect(notOwned(next)).toEqual(notOwned(ics));
        const { caldav: _a, ...after } = read(next, before);
        const { caldav: _b, ...was } = before;
        expect(after).toEqual({ ...was, Subject: `${subject}!` });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('completing and reopening in the CRM round-trips through STATUS and COMPLETED', () => {
    fc.assert(
      fc.property(phoneTask, (t) => {
        const ics = phoneIcs({ ...t, status: 'NEEDS-ACTION' });
        const done = write({ ...read(ics), Status: 'Completed', Closed_Time: '2025-04-02T08:00:00.000Z' }, ics);
        expect(read(done)).toMatchObject({ Status: 'Completed', Closed_Time: '2025-04-02T08:00:00.000Z' });
        const reopened = write({ ...read(done), Status: 'Not Started', Closed_Time: null }, done);
        expect(line(reopened, 'COMPLETED')).toBeUndefined();
        expect(read(reopened)).toMatchObject({ Status: 'Not Started', Closed_Time: null });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('Remind_At follows one alarm: clearing it removes that alarm only, and no other alarm takes its place', () => {
    fc.assert(
      fc.property(phoneTask, (t) => {
        const ics = phoneIcs({ ...t, alarms: ['absolute', ...t.alarms] });
        const linked = read(ics);
        expect(linked.Remind_At).not.toBeNull();
        const alarms = (s: string) => lines(s).filter((l) => l === 'BEGIN:VALARM').length;
        const cleared = write({ ...linked, Remind_At: null }, ics);
        expect(alarms(cleared)).toBe(alarms(ics) - 1);
        const reread = read(cleared, { ...linked, Remind_At: null });
        expect(reread.Remind_At).toBeNull();
        expect(write(reread, cleared)).toBe(cleared);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('task mapping, CRM first', () => {
  const crmTask = fc.record({
    Subject: text,
    Due_Date: fc.option(fc.integer({ min: 1, max: 28 }).map((d) => `2025-05-${pad(d)}`), { nil: null }),
    Status: fc.constantFrom('Not Started', 'In Progress', 'Completed', 'Deferred'),
    Priority: fc.constantFrom('Highest', 'High', 'Normal', 'Low', 'Lowest', null),
    Description: fc.option(text, { nil: null }),
    remind: fc.option(fc.integer({ min: 0, max: 23 }), { nil: null }),
    weekly: fc.boolean(),
  });

  it('a CRM-made task reads back as the same fields, and re-applying it writes nothing', () => {
    fc.assert(
      fc.property(crmTask, ({ remind, weekly, ...fields }) => {
        const task: CrmTaskDraft = {
          ...taskFieldDefaults(picklists),
          ...fields,
          Remind_At: remind === null ? null : `2025-05-01T${pad(remind)}:00:00+02:00`,
          Recurring_Activity: weekly && fields.Due_Date ? { RRULE: 'FREQ=WEEKLY;COUNT=4' } : null,
          Closed_Time: fields.Status === 'Completed' ? '2025-05-02T10:00:00.000Z' : null,
          id: 'T9',
          Owner: { id: owner.id, email: owner.email, name: owner.name },
          caldav: null,
        };
        const ics = write(task);
        const back = read(ics);
        // "Normal" is written as no PRIORITY, which reads back as "Normal"; null likewise.
        const { id: _id, caldav: _caldav, ...fieldsWritten } = task;
        expect(back).toMatchObject({ ...fieldsWritten, Priority: task.Priority ?? 'Normal' });
        expect(write({ ...back, id: 'T9' }, ics)).toBe(ics);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
