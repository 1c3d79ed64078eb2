import { describe, expect, it } from 'vitest';
import { CALENDAR_SETTINGS } from '../../../lambda/core/props/calendar-settings';

const check = (local: string, ns: string, text: string) => CALENDAR_SETTINGS[`{${ns}}${local}`]!.check(text);
const APPLE = 'http://apple.com/ns/ical/';
const CALDAV = 'urn:ietf:params:xml:ns:caldav';

describe('calendar settings', () => {
  it('accepts Apple colours with or without alpha', () => {
    expect(check('calendar-color', APPLE, '#FF2968FF')).toBeNull();
    expect(check('calendar-color', APPLE, '#ff2968')).toBeNull();
    expect(check('calendar-color', APPLE, 'FF2968')?.status).toBe(409);
  });

  it('accepts integer orders only', () => {
    expect(check('calendar-order', APPLE, '-2')).toBeNull();
    expect(check('calendar-order', APPLE, '1.5')?.status).toBe(409);
  });

  it('wants exactly one VTIMEZONE inside a VCALENDAR', () => {
    const tz = (inner: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${inner}END:VCALENDAR\r\n`;
    const vtz = 'BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n';
    expect(check('calendar-timezone', CALDAV, tz(vtz))).toBeNull();
    expect(check('calendar-timezone', CALDAV, tz(vtz + vtz))?.condition).toBe(`{${CALDAV}}valid-calendar-data`);
    expect(check('calendar-timezone', CALDAV, 'not ical')?.status).toBe(403);
  });

  it('names the calendar after the e-mail address by default', () => {
    expect(CALENDAR_SETTINGS['{DAV:}displayname']!.fallback?.('a@b.c', 'events')).toBe('a@b.c');
    expect(CALENDAR_SETTINGS['{DAV:}displayname']!.fallback?.('a@b.c', 'tasks')).toBe('Tasks (a@b.c)');
    expect(check('displayname', 'DAV:', '')?.status).toBe(409);
  });
});
