import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matches } from './helpers';

const berlin = readFileSync(fileURLToPath(new URL('../../fixtures/reports/recurring-berlin.ics', import.meta.url)), 'utf8');

const meeting = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'BEGIN:VEVENT',
  'UID:m1',
  'DTSTAMP:20250101T120000Z',
  'DTSTART:20250110T090000Z',
  'DTEND:20250110T100000Z',
  'SUMMARY:Quarterly Review',
  'CATEGORIES:Work,Finance',
  'ORGANIZER;CN=Alice:mailto:alice@example.com',
  'ATTENDEE;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:bob@example.com',
  'ATTENDEE;PARTSTAT=DECLINED:mailto:carol@example.com',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'TRIGGER;RELATED=START:-PT30M',
  'REPEAT:2',
  'DURATION:PT10M',
  'END:VALARM',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const inEvent = (inner: string) =>
  `<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">${inner}</c:comp-filter></c:comp-filter>`;
const prop = (name: string, inner = '') => `<c:prop-filter name="${name}">${inner}</c:prop-filter>`;
const text = (t: string, attrs = '') => `<c:text-match${attrs}>${t}</c:text-match>`;

describe('comp-filter', () => {
  it('VCALENDAR alone matches any object; VEVENT needs an event', () => {
    expect(matches(meeting, '<c:comp-filter name="VCALENDAR"/>')).toBe(true);
    expect(matches(meeting, inEvent(''))).toBe(true);
    expect(matches(meeting, '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/></c:comp-filter>')).toBe(false);
  });

  it('is-not-defined', () => {
    expect(
      matches(meeting, '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"><c:is-not-defined/></c:comp-filter></c:comp-filter>'),
    ).toBe(true);
    expect(matches(meeting, inEvent('<c:comp-filter name="VALARM"><c:is-not-defined/></c:comp-filter>'))).toBe(false);
    expect(matches(meeting, inEvent('<c:comp-filter name="VALARM"/>'))).toBe(true);
  });

  it('nested filters are ANDed', () => {
    expect(matches(meeting, inEvent(prop('SUMMARY', text('review')) + prop('LOCATION', '<c:is-not-defined/>')))).toBe(true);
    expect(matches(meeting, inEvent(prop('SUMMARY', text('review')) + prop('LOCATION')))).toBe(false);
  });
});

describe('prop-filter', () => {
  it('existence and is-not-defined', () => {
    expect(matches(meeting, inEvent(prop('ORGANIZER')))).toBe(true);
    expect(matches(meeting, inEvent(prop('LOCATION')))).toBe(false);
    expect(matches(meeting, inEvent(prop('LOCATION', '<c:is-not-defined/>')))).toBe(true);
    expect(matches(meeting, inEvent(prop('SUMMARY', '<c:is-not-defined/>')))).toBe(false);
  });

  it('text-match: collations, negation, multi-valued text', () => {
    expect(matches(meeting, inEvent(prop('SUMMARY', text('QUARTERLY'))))).toBe(true);
    expect(matches(meeting, inEvent(prop('SUMMARY', text('QUARTERLY', ' collation="i;octet"'))))).toBe(false);
    expect(matches(meeting, inEvent(prop('SUMMARY', text('quarterly', ' collation="i;unicode-casemap"'))))).toBe(true);
    expect(matches(meeting, inEvent(prop('SUMMARY', text('lunch', ' negate-condition="yes"'))))).toBe(true);
    expect(matches(meeting, inEvent(prop('SUMMARY', text('review', ' negate-condition="yes"'))))).toBe(false);
    expect(matches(meeting, inEvent(prop('CATEGORIES', text('finance'))))).toBe(true);
  });

  it('a negated text-match on a missing property does not match', () => {
    expect(matches(meeting, inEvent(prop('LOCATION', text('x', ' negate-condition="yes"'))))).toBe(false);
  });

  it('any instance of a repeated property may satisfy it', () => {
    expect(matches(meeting, inEvent(prop('ATTENDEE', text('carol'))))).toBe(true);
    expect(matches(meeting, inEvent(prop('ATTENDEE', text('dave'))))).toBe(false);
  });

  it('time-range on a date-time property: start <= value < end', () => {
    const dtstamp = (start: string, end: string) =>
      inEvent(prop('DTSTAMP', `<c:time-range start="${start}" end="${end}"/>`));
    expect(matches(meeting, dtstamp('20250101T120000Z', '20250101T120001Z'))).toBe(true);
    expect(matches(meeting, dtstamp('20250101T000000Z', '20250101T120000Z'))).toBe(false);
  });
});

describe('param-filter', () => {
  it('matches a parameter of the same property instance', () => {
    const partstat = (value: string, email: string) =>
      inEvent(prop('ATTENDEE', text(email) + `<c:param-filter name="PARTSTAT">${text(value)}</c:param-filter>`));
    expect(matches(meeting, partstat('accepted', 'bob'))).toBe(true);
    expect(matches(meeting, partstat('declined', 'carol'))).toBe(true);
    expect(matches(meeting, partstat('accepted', 'carol'))).toBe(false);
  });

  it('existence and is-not-defined', () => {
    expect(matches(meeting, inEvent(prop('ORGANIZER', '<c:param-filter name="CN"/>')))).toBe(true);
    expect(matches(meeting, inEvent(prop('ORGANIZER', '<c:param-filter name="SENT-BY"/>')))).toBe(false);
    expect(matches(meeting, inEvent(prop('ORGANIZER', '<c:param-filter name="SENT-BY"><c:is-not-defined/></c:param-filter>')))).toBe(true);
    // Carol's ATTENDEE has no ROLE.
    expect(matches(meeting, inEvent(prop('ATTENDEE', '<c:param-filter name="ROLE"><c:is-not-defined/></c:param-filter>')))).toBe(true);
  });
});

describe('prop-filters see the occurrence that matched the time-range', () => {
  const moved = (range: string) =>
    inEvent(`<c:time-range ${range}/>` + prop('SUMMARY', text('moved')));

  it('an overridden occurrence is tested with its own properties', () => {
    expect(matches(berlin, moved('start="20250114T000000Z" end="20250115T000000Z"'))).toBe(true);
    expect(matches(berlin, moved('start="20250127T000000Z" end="20250128T000000Z"'))).toBe(false);
  });
});

describe('VALARM time-range', () => {
  const alarm = (start: string, end: string) =>
    inEvent(`<c:comp-filter name="VALARM"><c:time-range start="${start}" end="${end}"/></c:comp-filter>`);

  it('relative triggers and their repetitions', () => {
    expect(matches(meeting, alarm('20250110T083000Z', '20250110T083100Z'))).toBe(true); // first
    expect(matches(meeting, alarm('20250110T085000Z', '20250110T085100Z'))).toBe(true); // second repeat
    expect(matches(meeting, alarm('20250110T085500Z', '20250110T090000Z'))).toBe(false);
  });

  it('relative to each occurrence of a recurring event', () => {
    const inRangeAlarm = inEvent(
      '<c:time-range start="20250203T000000Z" end="20250204T000000Z"/><c:comp-filter name="VALARM"><c:time-range start="20250203T074500Z" end="20250203T074600Z"/></c:comp-filter>',
    );
    expect(matches(berlin, inRangeAlarm)).toBe(true);
  });

  it('absolute triggers', () => {
    const absolute = meeting.replace('TRIGGER;RELATED=START:-PT30M', 'TRIGGER;VALUE=DATE-TIME:20250109T180000Z');
    expect(matches(absolute, alarm('20250109T180000Z', '20250109T180100Z'))).toBe(true);
    expect(matches(absolute, alarm('20250110T083000Z', '20250110T083100Z'))).toBe(false);
  });
});
