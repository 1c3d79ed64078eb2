import { describe, expect, it } from 'vitest';
import { DavError } from '../../../lambda/core/errors';
import { parseUtc } from '../../../lambda/core/filter/parse';
import { parseFilterXml } from './helpers';

const condition = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DavError) return `${err.status} ${err.condition}`;
    throw err;
  }
  return 'no error';
};

describe('parseFilter', () => {
  it('reads nested comp-, prop- and param-filters with their tests', () => {
    const f = parseFilterXml(`
      <c:comp-filter name="VCALENDAR">
        <c:comp-filter name="vevent">
          <c:time-range start="20250101T000000Z" end="20250201T000000Z"/>
          <c:prop-filter name="SUMMARY"><c:text-match collation="i;octet" negate-condition="yes">x</c:text-match></c:prop-filter>
          <c:prop-filter name="ATTENDEE">
            <c:param-filter name="PARTSTAT"><c:text-match>ACCEPTED</c:text-match></c:param-filter>
            <c:param-filter name="ROLE"><c:is-not-defined/></c:param-filter>
          </c:prop-filter>
          <c:comp-filter name="VALARM"><c:is-not-defined/></c:comp-filter>
        </c:comp-filter>
      </c:comp-filter>`);
    const event = f.compFilters[0];
    expect(event.name).toBe('VEVENT');
    expect(event.timeRange).toEqual({ start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 1, 1) });
    expect(event.propFilters[0].textMatch).toEqual({ text: 'x', collation: 'i;octet', matchType: 'contains', negate: true });
    expect(event.propFilters[1].paramFilters[0].textMatch?.collation).toBe('i;ascii-casemap');
    expect(event.propFilters[1].paramFilters[1].isNotDefined).toBe(true);
    expect(event.compFilters[0]).toMatchObject({ name: 'VALARM', isNotDefined: true });
  });

  it('accepts a time-range with one open end', () => {
    const f = parseFilterXml(
      '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20250101T000000Z"/></c:comp-filter></c:comp-filter>',
    );
    expect(f.compFilters[0].timeRange).toEqual({ start: Date.UTC(2025, 0, 1), end: null });
  });

  it.each([
    ['no comp-filter', ''],
    ['a top level other than VCALENDAR', '<c:comp-filter name="VEVENT"/>'],
    ['two top-level comp-filters', '<c:comp-filter name="VCALENDAR"/><c:comp-filter name="VCALENDAR"/>'],
    ['a comp-filter without name', '<c:comp-filter name="VCALENDAR"><c:comp-filter/></c:comp-filter>'],
    ['a time-range without bounds', '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range/></c:comp-filter></c:comp-filter>'],
    ['a malformed date', '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="2025-01-01"/></c:comp-filter></c:comp-filter>'],
    ['an impossible date', '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20250231T000000Z"/></c:comp-filter></c:comp-filter>'],
    ['a bad negate-condition', '<c:comp-filter name="VCALENDAR"><c:prop-filter name="X"><c:text-match negate-condition="maybe">a</c:text-match></c:prop-filter></c:comp-filter>'],
  ])('refuses %s with 403 valid-filter', (_, xml) => {
    expect(condition(() => parseFilterXml(xml))).toBe('403 {urn:ietf:params:xml:ns:caldav}valid-filter');
  });

  it('refuses an unknown collation with 403 supported-collation', () => {
    const xml = '<c:comp-filter name="VCALENDAR"><c:prop-filter name="X"><c:text-match collation="i;basic">a</c:text-match></c:prop-filter></c:comp-filter>';
    expect(condition(() => parseFilterXml(xml))).toBe('403 {urn:ietf:params:xml:ns:caldav}supported-collation');
  });
});

describe('parseUtc', () => {
  it('reads UTC date-times and dates', () => {
    expect(parseUtc('20250115T103000Z')).toBe(Date.UTC(2025, 0, 15, 10, 30));
    expect(parseUtc('20250115')).toBe(Date.UTC(2025, 0, 15));
    expect(parseUtc(undefined)).toBeNull();
  });
});
