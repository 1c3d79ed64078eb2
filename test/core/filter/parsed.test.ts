import { describe, expect, it } from 'vitest';
import { parsedForMatching } from '../../../lambda/core/filter/parsed';

const ics = (uid: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTART:20261202T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

describe('parsedForMatching', () => {
  it('parses a text once and hands the same component to the next query', () => {
    const first = parsedForMatching(ics('a'));
    expect(parsedForMatching(ics('a'))).toBe(first);
    expect(parsedForMatching(ics('b'))).not.toBe(first);
    expect(first.getFirstSubcomponent('vevent')?.getFirstPropertyValue('uid')).toBe('a');
  });

  it('throws for unparsable text every time, remembering nothing', () => {
    expect(() => parsedForMatching('BEGIN:VCALENDAR\r\nnot ical')).toThrow();
    expect(() => parsedForMatching('BEGIN:VCALENDAR\r\nnot ical')).toThrow();
  });
});
