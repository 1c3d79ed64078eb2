import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DavError } from '../../lambda/core/errors';
import { analyzeCalendarObject, etagFor, FLOATING_SLACK_MS, MAX_COUNT_EXPANSION } from '../../lambda/core/ics';
import { NS } from '../../lambda/core/namespaces';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ics/${name}`, import.meta.url), 'utf8');
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const H = 3_600_000;
const utc = (iso: string) => Date.parse(iso);

/** A one-VEVENT calendar; `lines` are the VEVENT's properties besides UID and DTSTAMP. */
const calendar = (...lines: string[]) =>
  crlf(
    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20250101T000000Z', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\n'),
  );

function rejection(text: string): { status: number; condition?: string; message: string } {
  try {
    analyzeCalendarObject(text);
  } catch (err) {
    if (err instanceof DavError) return { status: err.status, condition: err.condition, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

const CAL = (local: string) => `{${NS.CALDAV}}${local}`;

describe('analyzeCalendarObject: span', () => {
  it('reads an iOS event in its VTIMEZONE', () => {
    const text = crlf(fixture('ios-event.ics'));
    expect(analyzeCalendarObject(text)).toEqual({
      text,
      uid: 'A1B2C3D4-E5F6-4789-ABCD-0123456789AB',
      rangeStart: utc('2025-01-20T13:30:00Z'),
      rangeEnd: utc('2025-01-20T14:30:00Z'),
      recurring: false,
    });
  });

  it('expands a COUNT rule and includes an instance moved past the last one', () => {
    const info = analyzeCalendarObject(crlf(fixture('recurring-override.ics')));
    expect(info).toEqual({
      text: crlf(fixture('recurring-override.ics')),
      uid: '9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6',
      rangeStart: utc('2025-01-06T14:00:00Z'),
      // The sixth Monday (10 Feb) was moved to Friday 14 Feb, 16:00-17:00 EST.
      rangeEnd: utc('2025-02-14T22:00:00Z'),
      recurring: true,
    });
  });

  it('ends a COUNT rule at its last instance', () => {
    const info = analyzeCalendarObject(
      calendar('DTSTART:20250301T100000Z', 'DTEND:20250301T110000Z', 'RRULE:FREQ=DAILY;COUNT=3'),
    );
    expect(info.rangeStart).toBe(utc('2025-03-01T10:00:00Z'));
    expect(info.rangeEnd).toBe(utc('2025-03-03T11:00:00Z'));
    expect(info.recurring).toBe(true);
  });

  it('keeps wall-clock times of zoned instances across a DST change', () => {
    const text = fixture('recurring-override.ics')
      .replace('RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6', 'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12')
      .replace(/BEGIN:VEVENT\nUID:9E8D7C6B-5A49-4382-9160-F1E2D3C4B5A6\nDTSTAMP:20250101T121500Z[\s\S]*?END:VEVENT\n/, '');
    // 12th Monday is 24 March, after the US switch to EDT on 9 March: 09:30 EDT = 13:30Z.
    expect(analyzeCalendarObject(crlf(text)).rangeEnd).toBe(utc('2025-03-24T13:30:00Z'));
  });

  it('treats a COUNT beyond the expansion cap as unbounded', () => {
    const info = analyzeCalendarObject(
      calendar('DTSTART:20250301T100000Z', `RRULE:FREQ=MINUTELY;COUNT=${MAX_COUNT_EXPANSION + 1}`),
    );
    expect(info).toMatchObject({ rangeStart: utc('2025-03-01T10:00:00Z'), rangeEnd: null, recurring: true });
  });

  it('bounds an UNTIL rule without expanding it', () => {
    const info = analyzeCalendarObject(
      calendar('DTSTART:20250301T100000Z', 'DURATION:PT2H', 'RRULE:FREQ=DAILY;UNTIL=20991231T100000Z'),
    );
    expect(info.rangeEnd).toBe(utc('2099-12-31T12:00:00Z'));
  });

  it('leaves a rule with neither UNTIL nor COUNT unbounded', () => {
    const info = analyzeCalendarObject(calendar('DTSTART:20250301T100000Z', 'RRULE:FREQ=WEEKLY'));
    expect(info).toMatchObject({ rangeStart: utc('2025-03-01T10:00:00Z'), rangeEnd: null, recurring: true });
  });

  it('widens all-day events by 14 h on both sides', () => {
    const oneDay = analyzeCalendarObject(calendar('DTSTART;VALUE=DATE:20250301'));
    expect(oneDay.rangeStart).toBe(utc('2025-03-01T00:00:00Z') - FLOATING_SLACK_MS);
    expect(oneDay.rangeEnd).toBe(utc('2025-03-02T00:00:00Z') + FLOATING_SLACK_MS);
    const threeDays = analyzeCalendarObject(calendar('DTSTART;VALUE=DATE:20250301', 'DTEND;VALUE=DATE:20250304'));
    expect(threeDays.rangeEnd).toBe(utc('2025-03-04T00:00:00Z') + 14 * H);
  });

  it('includes the whole last day of a DATE UNTIL', () => {
    const info = analyzeCalendarObject(
      calendar('DTSTART;VALUE=DATE:20250301', 'RRULE:FREQ=DAILY;UNTIL=20250310'),
    );
    expect(info.rangeEnd).toBeGreaterThanOrEqual(utc('2025-03-11T00:00:00Z') + 14 * H);
  });

  it('widens floating times by 14 h', () => {
    const floating = analyzeCalendarObject(calendar('DTSTART:20250301T100000', 'DTEND:20250301T110000'));
    expect(floating.rangeStart).toBe(utc('2025-03-01T10:00:00Z') - 14 * H);
    expect(floating.rangeEnd).toBe(utc('2025-03-01T11:00:00Z') + 14 * H);
  });

  it('completes an IANA TZID sent without VTIMEZONE (RFC 7809) and refuses a zone nobody knows', () => {
    const sent = calendar('DTSTART;TZID=Europe/Berlin:20250301T100000', 'DTEND;TZID=Europe/Berlin:20250301T110000');
    const info = analyzeCalendarObject(sent);
    expect(info.text).not.toBe(sent);
    expect(info.text).toMatch(/BEGIN:VTIMEZONE\r\nTZID:Europe\/Berlin\r\n[\s\S]*END:VTIMEZONE\r\nBEGIN:VEVENT/);
    expect(info.text.replace(/BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r\n/, '')).toBe(sent);
    expect(info).toMatchObject({ rangeStart: utc('2025-03-01T09:00:00Z'), rangeEnd: utc('2025-03-01T10:00:00Z') });
    expect(() => analyzeCalendarObject(calendar('DTSTART;TZID=Mars/Olympus:20250301T100000'))).toThrow(/Mars\/Olympus/);
  });

  it('includes RDATEs before DTSTART and RDATE periods', () => {
    const info = analyzeCalendarObject(
      calendar(
        'DTSTART:20250301T100000Z',
        'DTEND:20250301T110000Z',
        'RDATE:20250201T100000Z,20250215T100000Z',
        'RDATE;VALUE=PERIOD:20250401T080000Z/20250401T200000Z',
      ),
    );
    expect(info).toMatchObject({
      rangeStart: utc('2025-02-01T10:00:00Z'),
      rangeEnd: utc('2025-04-01T20:00:00Z'),
      recurring: true,
    });
  });

  it('includes an override moved before the first instance', () => {
    const text = crlf(
      [
        'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
        'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250301T100000Z', 'DTEND:20250301T110000Z', 'RRULE:FREQ=DAILY;COUNT=2', 'END:VEVENT',
        'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20250101T000000Z', 'RECURRENCE-ID:20250301T100000Z', 'DTSTART:20250220T080000Z', 'DTEND:20250220T090000Z', 'END:VEVENT',
        'END:VCALENDAR', '',
      ].join('\n'),
    );
    expect(analyzeCalendarObject(text)).toMatchObject({
      rangeStart: utc('2025-02-20T08:00:00Z'),
      rangeEnd: utc('2025-03-02T11:00:00Z'),
    });
  });

  it('stretches the end for a THISANDFUTURE override moving later instances', () => {
    const text = crlf(
      [
        'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
        'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250301T100000Z', 'DTEND:20250301T110000Z', 'RRULE:FREQ=DAILY;COUNT=5', 'END:VEVENT',
        'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20250101T000000Z', 'RECURRENCE-ID;RANGE=THISANDFUTURE:20250303T100000Z', 'DTSTART:20250303T180000Z', 'DTEND:20250303T190000Z', 'END:VEVENT',
        'END:VCALENDAR', '',
      ].join('\n'),
    );
    // The 5th instance, shifted by 8 h, ends 5 March 19:00Z.
    expect(analyzeCalendarObject(text).rangeEnd).toBeGreaterThanOrEqual(utc('2025-03-05T19:00:00Z'));
  });

  it('accepts LF line endings, a missing final newline and a byte order mark', () => {
    const lf = fixture('ios-event.ics');
    expect(analyzeCalendarObject(lf).uid).toBe('A1B2C3D4-E5F6-4789-ABCD-0123456789AB');
    expect(analyzeCalendarObject(crlf(lf).trimEnd()).uid).toBe('A1B2C3D4-E5F6-4789-ABCD-0123456789AB');
    expect(analyzeCalendarObject(`\uFEFF${crlf(lf)}`).uid).toBe('A1B2C3D4-E5F6-4789-ABCD-0123456789AB');
  });

  it('accepts overridden instances without their master', () => {
    const info = analyzeCalendarObject(calendar('RECURRENCE-ID:20250301T100000Z', 'DTSTART:20250302T100000Z'));
    expect(info).toMatchObject({ uid: 'u1', recurring: true, rangeStart: utc('2025-03-02T10:00:00Z') });
  });
});

describe('analyzeCalendarObject: validation', () => {
  const twoEvents = (a: string[], b: string[]) =>
    crlf(
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', ...a, 'END:VEVENT', 'BEGIN:VEVENT', ...b, 'END:VEVENT', 'END:VCALENDAR', ''].join('\n'),
    );
  const data = CAL('valid-calendar-data');
  const object = CAL('valid-calendar-object-resource');

  it.each([
    ['an empty body', '', data],
    ['blank lines', '\r\n\r\n', data],
    ['text that is not iCalendar', 'hello world', data],
    ['an unterminated component', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n', data],
    ['a bare VEVENT', 'BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20250101T000000Z\r\nEND:VEVENT\r\n', data],
    ['two VCALENDARs', `${calendar('DTSTART:20250101T000000Z')}${calendar('DTSTART:20250101T000000Z')}`, data],
    ['a VCALENDAR without VEVENT', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n', data],
    ['a VEVENT without UID', calendar('DTSTART:20250101T000000Z').replace('UID:u1\r\n', ''), data],
    ['a VEVENT without DTSTART', calendar('SUMMARY:x'), data],
    ['a malformed DTSTART', calendar('DTSTART:tomorrow'), data],
    ['a malformed RRULE', calendar('DTSTART:20250101T000000Z', 'RRULE:FREQ=FORTNIGHTLY'), data],
    ['DTEND and DURATION together', calendar('DTSTART:20250101T000000Z', 'DTEND:20250101T010000Z', 'DURATION:PT1H'), data],
    ['DTEND before DTSTART', calendar('DTSTART:20250101T100000Z', 'DTEND:20250101T090000Z'), data],
    ['DTEND a DATE, DTSTART a DATE-TIME', calendar('DTSTART:20250101T100000Z', 'DTEND;VALUE=DATE:20250102'), data],
    ['a negative DURATION', calendar('DTSTART:20250101T100000Z', 'DURATION:-PT1H'), data],
    ['invalid UTF-8 (decoded as U+FFFD)', calendar('DTSTART:20250101T000000Z', 'SUMMARY:caf\uFFFD'), data],
    ['a NUL byte', calendar('DTSTART:20250101T000000Z', 'SUMMARY:a\u0000b'), data],
    ['a control character', calendar('DTSTART:20250101T000000Z', 'SUMMARY:a\u001Bb'), data],
    ['a TZID nobody knows, without VTIMEZONE', calendar('DTSTART;TZID=Mars/Olympus:20250101T000000'), data],
    ['a 600-byte UID', calendar('DTSTART:20250101T000000Z').replace('UID:u1', `UID:${'u'.repeat(600)}`), data],
    ['a METHOD property', calendar('DTSTART:20250101T000000Z').replace('VERSION:2.0', 'VERSION:2.0\r\nMETHOD:REQUEST'), object],
    ['mixed UIDs', twoEvents(['UID:a', 'DTSTART:20250101T000000Z'], ['UID:b', 'DTSTART:20250101T000000Z']), object],
    ['two masters', twoEvents(['UID:a', 'DTSTART:20250101T000000Z'], ['UID:a', 'DTSTART:20250102T000000Z']), object],
    [
      'two overrides of one instance',
      twoEvents(
        ['UID:a', 'RECURRENCE-ID:20250101T000000Z', 'DTSTART:20250101T000000Z'],
        ['UID:a', 'RECURRENCE-ID:20250101T000000Z', 'DTSTART:20250101T020000Z'],
      ),
      object,
    ],
  ])('rejects %s with 403', (_label, text, condition) => {
    expect(rejection(text)).toMatchObject({ status: 403, condition });
  });

  it.each(['VTODO', 'VJOURNAL', 'VFREEBUSY', 'X-CUSTOM'])('rejects a %s as an unsupported component', (name) => {
    const text = calendar('DTSTART:20250101T000000Z').replace(
      'END:VCALENDAR',
      `BEGIN:${name}\r\nUID:t1\r\nDTSTAMP:20250101T000000Z\r\nEND:${name}\r\nEND:VCALENDAR`,
    );
    expect(rejection(text)).toMatchObject({ status: 403, condition: CAL('supported-calendar-component') });
  });

  it('rejects a task-only calendar as an unsupported component, not as missing an event', () => {
    const text = crlf('BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nUID:t\nDTSTAMP:20250101T000000Z\nEND:VTODO\nEND:VCALENDAR\n');
    expect(rejection(text).condition).toBe(CAL('supported-calendar-component'));
  });

  it('never leaks a stack trace in the message', () => {
    expect(rejection(calendar('DTSTART:tomorrow')).message).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
});

describe('etagFor', () => {
  it('is a quoted, strong, content-derived tag', () => {
    const text = crlf(fixture('ios-event.ics'));
    const tag = etagFor(text);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(etagFor(text)).toBe(tag);
    expect(etagFor(text.replace('Rappel', 'Rappel!'))).not.toBe(tag);
    expect(etagFor(fixture('ios-event.ics'))).not.toBe(tag); // line endings are bytes too
  });
});
