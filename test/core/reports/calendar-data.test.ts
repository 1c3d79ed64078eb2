import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseCalendarDataSpec, renderCalendarData } from '../../../lambda/core/reports/calendar-data';
import { UTC_CONTEXT } from '../../../lambda/core/filter/zones';
import { DavError } from '../../../lambda/core/errors';
import { report } from '../../../lambda/core/methods/report';
import { hrefs } from '../../../lambda/core/paths';
import { parseXml } from '../../../lambda/core/xml';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, call, makeCtx } from '../methods/harness';
import { NS, event, fixture, multigetBody, store } from './helpers';

const spec = (inner: string, attrs = '') => parseCalendarDataSpec(parseXml(`<c:calendar-data ${NS}${attrs}>${inner}</c:calendar-data>`));
const render = (ics: string, inner: string) => renderCalendarData(ics, spec(inner), UTC_CONTEXT);
const events = (ics: string) => new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent');
const berlin = fixture('recurring-berlin.ics');

describe('calendar-data expand (RFC 4791 §9.6.5)', () => {
  it('turns the series into UTC occurrences with RECURRENCE-ID, EXDATE and override honoured', () => {
    const text = render(berlin, '<c:expand start="20250106T000000Z" end="20250128T000000Z"/>');
    expect(text).not.toMatch(/RRULE|EXDATE|VTIMEZONE|TZID/);
    const list = events(text).map((e) => ({
      rid: e.getFirstPropertyValue('recurrence-id')?.toString(),
      start: e.getFirstPropertyValue('dtstart')?.toString(),
      end: e.getFirstPropertyValue('dtend')?.toString(),
      summary: e.getFirstPropertyValue('summary'),
    }));
    expect(list).toEqual([
      { rid: '2025-01-06T08:00:00Z', start: '2025-01-06T08:00:00Z', end: '2025-01-06T08:30:00Z', summary: 'Standup' },
      { rid: '2025-01-13T08:00:00Z', start: '2025-01-14T14:00:00Z', end: '2025-01-14T14:30:00Z', summary: 'Standup (moved)' },
      { rid: '2025-01-27T08:00:00Z', start: '2025-01-27T08:00:00Z', end: '2025-01-27T08:30:00Z', summary: 'Standup' },
    ]);
    expect(text).toContain('X-WR-ALARMUID:1B9B3C3F-1'); // alarms travel with each occurrence
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('keeps summer-time occurrences at 09:00 Berlin (07:00Z)', () => {
    const text = render(berlin.replace('COUNT=10', 'COUNT=20'), '<c:expand start="20250331T000000Z" end="20250401T000000Z"/>');
    expect(text).toContain('DTSTART:20250331T070000Z');
    expect(text).toContain('RECURRENCE-ID:20250331T070000Z');
  });

  it('drops one-off events outside the range and keeps all-day values as DATE', () => {
    const holiday = fixture('all-day.ics');
    expect(events(render(holiday, '<c:expand start="20250201T000000Z" end="20250301T000000Z"/>'))).toHaveLength(0);
    const inside = render(holiday, '<c:expand start="20250121T000000Z" end="20250122T000000Z"/>');
    expect(inside).toContain('DTSTART;VALUE=DATE:20250120');
    expect(inside).not.toContain('RECURRENCE-ID');
  });

  it('all-day recurring occurrences get DATE RECURRENCE-IDs', () => {
    const ics = event('UID:d', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20250106', 'DTEND;VALUE=DATE:20250107', 'RRULE:FREQ=WEEKLY;COUNT=3');
    const text = render(ics, '<c:expand start="20250112T000000Z" end="20250114T000000Z"/>');
    expect(text).toContain('RECURRENCE-ID;VALUE=DATE:20250113');
    expect(text).toContain('DTSTART;VALUE=DATE:20250113');
    expect(text).toContain('DTEND;VALUE=DATE:20250114');
  });

  it('expand needs both bounds', () => {
    expect(() => spec('<c:expand start="20250101T000000Z"/>')).toThrow(DavError);
  });
});

describe('calendar-data limit-recurrence-set (§9.6.6)', () => {
  it('keeps the master and only overrides touching the range', () => {
    const outside = render(berlin, '<c:limit-recurrence-set start="20250201T000000Z" end="20250301T000000Z"/>');
    expect(events(outside)).toHaveLength(1);
    expect(outside).toContain('RRULE:FREQ=WEEKLY');
    expect(outside).toContain('BEGIN:VTIMEZONE');
    const inside = render(berlin, '<c:limit-recurrence-set start="20250114T000000Z" end="20250115T000000Z"/>');
    expect(events(inside)).toHaveLength(2);
  });
});

describe('calendar-data partial retrieval (§9.6.1)', () => {
  it('returns only the selected components and properties', () => {
    const text = render(
      berlin,
      '<c:comp name="VCALENDAR"><c:prop name="VERSION"/><c:comp name="VEVENT"><c:prop name="UID"/><c:prop name="SUMMARY"/><c:prop name="LOCATION" novalue="yes"/></c:comp></c:comp>',
    );
    expect(text).toContain('VERSION:2.0');
    expect(text).not.toContain('PRODID');
    expect(text).not.toContain('VTIMEZONE');
    expect(text).not.toContain('VALARM');
    expect(text).not.toContain('DTSTART');
    expect(text).toContain('SUMMARY:Standup (moved)');
    expect(text).toMatch(/^LOCATION:\r$/m);
  });

  it('allprop and allcomp', () => {
    const text = render(berlin, '<c:comp name="VCALENDAR"><c:allprop/><c:comp name="VEVENT"><c:allprop/><c:allcomp/></c:comp></c:comp>');
    expect(text).toContain('PRODID');
    expect(text).toContain('X-WR-ALARMUID');
    expect(text).not.toContain('VTIMEZONE');
  });
});

describe('calendar-data without options', () => {
  it('is the stored text, byte for byte', () => {
    expect(render(berlin, '')).toBe(berlin);
  });

  it('refuses other media types with 403 supported-calendar-data', () => {
    try {
      spec('', ' content-type="application/calendar+json"');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ status: 403, condition: '{urn:ietf:params:xml:ns:caldav}supported-calendar-data' });
    }
  });
});

describe('expand through a multiget', () => {
  it('shapes calendar-data in the REPORT response', async () => {
    const ctx = makeCtx(ALICE);
    await store(ctx, ALICE, 'standup.ics', berlin);
    const res = await call(report, ctx, {
      method: 'REPORT',
      path: hrefs.calendar(ALICE),
      body: multigetBody(
        '<d:getetag/><c:calendar-data><c:expand start="20250106T000000Z" end="20250107T000000Z"/></c:calendar-data>',
        [hrefs.object(ALICE, 'standup.ics')],
      ),
    });
    const text = parseMultistatus(res.body ?? '').responses.get(hrefs.object(ALICE, 'standup.ics'))
      ?.get('{urn:ietf:params:xml:ns:caldav}calendar-data')?.element.text ?? '';
    expect(text).toContain('RECURRENCE-ID:20250106T080000Z');
    expect(text).not.toContain('RRULE');
  });
});
