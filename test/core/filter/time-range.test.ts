import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instancesOf } from '../../../lambda/core/filter/instances';
import { instanceOverlaps } from '../../../lambda/core/filter/time-range';
import { UTC_CONTEXT, zoneFromCalendarText } from '../../../lambda/core/filter/zones';
import { matches, vcal } from './helpers';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/reports/${name}`, import.meta.url)), 'utf8');

const event = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:e', 'DTSTAMP:20250101T000000Z', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

/** Does a VEVENT time-range [start, end) match? */
const inRange = (ics: string, start?: string, end?: string, zones = UTC_CONTEXT) =>
  matches(
    ics,
    `<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range${start ? ` start="${start}"` : ''}${end ? ` end="${end}"` : ''}/></c:comp-filter></c:comp-filter>`,
    zones,
  );

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('VEVENT time-range (RFC 4791 §9.9)', () => {
  const timed = event('DTSTART:20250110T090000Z', 'DTEND:20250110T100000Z');

  it('DTEND: start < DTEND and end > DTSTART (ends are exclusive)', () => {
    expect(inRange(timed, '20250110T093000Z', '20250110T094000Z')).toBe(true);
    expect(inRange(timed, '20250110T100000Z', '20250110T110000Z')).toBe(false);
    expect(inRange(timed, '20250110T080000Z', '20250110T090000Z')).toBe(false);
    expect(inRange(timed, '20250110T080000Z', '20250110T090001Z')).toBe(true);
  });

  it('open-ended ranges', () => {
    expect(inRange(timed, '20250110T095959Z')).toBe(true);
    expect(inRange(timed, undefined, '20250110T090001Z')).toBe(true);
    expect(inRange(timed, '20250110T100000Z')).toBe(false);
  });

  it('DURATION > 0: the event lasts DTSTART + DURATION', () => {
    const ics = event('DTSTART:20250110T090000Z', 'DURATION:PT2H');
    expect(inRange(ics, '20250110T105900Z', '20250110T120000Z')).toBe(true);
    expect(inRange(ics, '20250110T110000Z', '20250110T120000Z')).toBe(false);
  });

  it('zero DURATION, and no DTEND on a DATE-TIME: a point in time, start <= DTSTART', () => {
    for (const ics of [event('DTSTART:20250110T090000Z', 'DURATION:PT0S'), event('DTSTART:20250110T090000Z')]) {
      expect(inRange(ics, '20250110T090000Z', '20250110T090001Z')).toBe(true);
      expect(inRange(ics, '20250110T080000Z', '20250110T090000Z')).toBe(false);
      expect(inRange(ics, '20250110T090001Z', '20250110T100000Z')).toBe(false);
    }
  });

  it('all-day without DTEND lasts one day', () => {
    const ics = event('DTSTART;VALUE=DATE:20250110');
    expect(inRange(ics, '20250110T230000Z', '20250111T000000Z')).toBe(true);
    expect(inRange(ics, '20250111T000000Z', '20250112T000000Z')).toBe(false);
  });

  it('all-day DATE values are floating: read in the calendar time zone when one is given', () => {
    const ics = fixture('all-day.ics'); // 20th and 21st of January
    expect(inRange(ics, '20250121T230000Z', '20250122T010000Z')).toBe(true);
    expect(inRange(ics, '20250122T000000Z', '20250122T010000Z')).toBe(false);
    const berlin = { floating: zoneFromCalendarText(fixture('recurring-berlin.ics')) };
    // In Berlin the holiday ends at 2025-01-21T23:00Z.
    expect(inRange(ics, '20250121T230000Z', '20250122T010000Z', berlin)).toBe(false);
    expect(inRange(ics, '20250119T230000Z', '20250119T233000Z', berlin)).toBe(true);
  });

  it('TZID resolves through the VTIMEZONE of the object', () => {
    const ics = fixture('recurring-berlin.ics'); // 09:00 Berlin = 08:00Z
    expect(inRange(ics, '20250106T080000Z', '20250106T080100Z')).toBe(true);
    expect(inRange(ics, '20250106T090000Z', '20250106T100000Z')).toBe(false);
  });

  it('TZID without VTIMEZONE falls back to the IANA zone', () => {
    const ics = event('DTSTART;TZID=America/New_York:20250110T090000', 'DTEND;TZID=America/New_York:20250110T100000');
    expect(inRange(ics, '20250110T140000Z', '20250110T141000Z')).toBe(true);
    expect(inRange(ics, '20250110T090000Z', '20250110T100000Z')).toBe(false);
  });
});

describe('recurring events', () => {
  const berlin = fixture('recurring-berlin.ics');

  it('expands RRULE, drops EXDATE, replaces an overridden occurrence by its own times', () => {
    const all = [...instancesOf(vcal(berlin), 'VEVENT', UTC_CONTEXT, null)];
    const starts = all.map((i) => iso(i.startMs)).sort();
    expect(starts).toEqual([
      '2025-01-06T08:00:00.000Z',
      '2025-01-14T14:00:00.000Z', // the 13th, moved
      // the 20th is excluded
      '2025-01-27T08:00:00.000Z',
      '2025-02-03T08:00:00.000Z',
      '2025-02-10T08:00:00.000Z',
      '2025-02-17T08:00:00.000Z',
      '2025-02-24T08:00:00.000Z',
      '2025-03-03T08:00:00.000Z',
      '2025-03-10T08:00:00.000Z',
    ]);
    const moved = all.find((i) => i.startMs === Date.UTC(2025, 0, 14, 14));
    expect(moved?.component.getFirstPropertyValue('summary')).toBe('Standup (moved)');
    expect(iso(moved?.endMs ?? null)).toBe('2025-01-14T14:30:00.000Z');
  });

  it('an occurrence inside the range matches, even when the first one is before it', () => {
    expect(inRange(berlin, '20250203T000000Z', '20250204T000000Z')).toBe(true);
  });

  it('a range holding only the EXDATE occurrence does not match', () => {
    expect(inRange(berlin, '20250120T000000Z', '20250121T000000Z')).toBe(false);
  });

  it('the overridden occurrence matches at its new time, not at its original one', () => {
    expect(inRange(berlin, '20250113T000000Z', '20250114T000000Z')).toBe(false);
    expect(inRange(berlin, '20250114T140000Z', '20250114T150000Z')).toBe(true);
  });

  it('no match after the last occurrence (COUNT) or before the first', () => {
    expect(inRange(berlin, '20250311T000000Z', '20260101T000000Z')).toBe(false);
    expect(inRange(berlin, '20240101T000000Z', '20250106T080000Z')).toBe(false);
  });

  it('keeps the wall-clock time across DST', () => {
    // 31 March is after the switch to summer time: 09:00 Berlin = 07:00Z.
    const ics = berlin.replace('COUNT=10', 'COUNT=20');
    expect(inRange(ics, '20250331T070000Z', '20250331T070100Z')).toBe(true);
    expect(inRange(ics, '20250331T080000Z', '20250331T090000Z')).toBe(false);
  });

  it('an unbounded rule matches far in the future without enumerating everything', () => {
    const ics = event('DTSTART:20200101T090000Z', 'DTEND:20200101T100000Z', 'RRULE:FREQ=DAILY');
    expect(inRange(ics, '20300615T093000Z', '20300615T094000Z')).toBe(true);
    expect(inRange(ics, '20300615T100000Z', '20300616T090000Z')).toBe(false);
    expect(inRange(ics, '20300615T000000Z')).toBe(true);
  });

  it('RDATE adds occurrences and DTSTART stays the first one', () => {
    const ics = event('DTSTART:20250106T090000Z', 'DTEND:20250106T100000Z', 'RDATE:20250110T090000Z,20250112T090000Z');
    const starts = [...instancesOf(vcal(ics), 'VEVENT', UTC_CONTEXT, null)].map((i) => iso(i.startMs));
    expect(starts).toEqual(['2025-01-06T09:00:00.000Z', '2025-01-10T09:00:00.000Z', '2025-01-12T09:00:00.000Z']);
    expect(inRange(ics, '20250112T093000Z', '20250112T093100Z')).toBe(true);
    expect(inRange(ics, '20250111T000000Z', '20250112T000000Z')).toBe(false);
  });

  it('all-day weekly with a DATE EXDATE', () => {
    const ics = event('DTSTART;VALUE=DATE:20250106', 'RRULE:FREQ=WEEKLY;COUNT=3', 'EXDATE;VALUE=DATE:20250113');
    const all = [...instancesOf(vcal(ics), 'VEVENT', UTC_CONTEXT, null)];
    expect(all.map((i) => iso(i.startMs))).toEqual(['2025-01-06T00:00:00.000Z', '2025-01-20T00:00:00.000Z']);
    expect(inRange(ics, '20250113T120000Z', '20250113T130000Z')).toBe(false);
    expect(inRange(ics, '20250120T120000Z', '20250120T130000Z')).toBe(true);
  });

  it('an override whose master lies elsewhere still counts (moved into the range)', () => {
    const moved = berlin.replace('DTSTART;TZID=Europe/Berlin:20250114T150000', 'DTSTART;TZID=Europe/Berlin:20250401T150000')
      .replace('DTEND;TZID=Europe/Berlin:20250114T153000', 'DTEND;TZID=Europe/Berlin:20250401T153000');
    expect(inRange(moved, '20250401T130000Z', '20250401T140000Z')).toBe(true);
    expect(inRange(moved, '20250114T000000Z', '20250115T000000Z')).toBe(false);
  });

  it('instanceOverlaps treats an override without its master like any event', () => {
    const ics = event('RECURRENCE-ID:20250110T090000Z', 'DTSTART:20250111T090000Z', 'DTEND:20250111T100000Z');
    const [only] = [...instancesOf(vcal(ics), 'VEVENT', UTC_CONTEXT, null)];
    expect(instanceOverlaps(only, { start: Date.UTC(2025, 0, 11, 9, 30), end: null }, UTC_CONTEXT)).toBe(true);
  });
});
