/** parseForQuery: one shared ICAL.Timezone per distinct VTIMEZONE, same instants as ical.js alone. */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { instancesOf } from '../../../lambda/core/filter/instances';
import { parseForQuery } from '../../../lambda/core/filter/zones';

const calendar = (offset: string, uid: string) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VTIMEZONE',
    'TZID:Office',
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:' + offset,
    'TZOFFSETTO:' + offset,
    'END:STANDARD',
    'END:VTIMEZONE',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20250101T000000Z',
    'DTSTART;TZID=Office:20250110T090000',
    'RRULE:FREQ=DAILY;COUNT=3',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const starts = (vcalendar: ICAL.Component) => [...instancesOf(vcalendar, 'VEVENT', { floating: null }, null)].map((i) => new Date(i.startMs!).toISOString());

describe('parseForQuery', () => {
  it('gives the instants ical.js gives on its own', () => {
    const text = calendar('+0530', 'a');
    expect(starts(parseForQuery(text))).toEqual(starts(new ICAL.Component(ICAL.parse(text))));
    expect(starts(parseForQuery(text))[0]).toBe('2025-01-10T03:30:00.000Z');
  });

  it('shares a zone between objects with the same definition, never between different ones under one TZID', () => {
    const [a, b, c] = [parseForQuery(calendar('+0530', 'a')), parseForQuery(calendar('+0530', 'b')), parseForQuery(calendar('-0800', 'c'))];
    expect(a.getTimeZoneByID('Office')).toBe(b.getTimeZoneByID('Office'));
    expect(c.getTimeZoneByID('Office')).not.toBe(a.getTimeZoneByID('Office'));
    expect(starts(c)[0]).toBe('2025-01-10T17:00:00.000Z');
    expect(starts(a)[0]).toBe('2025-01-10T03:30:00.000Z');
  });
});
