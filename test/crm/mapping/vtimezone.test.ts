import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { instantOf, isoIn, wallTime } from '../../../lambda/crm/mapping/timezones';
import { intlOffset, vtimezoneFromIntl } from '../../../lambda/core/ics/vtimezone';

/**
 * ical.js's offset (minutes) for the wall time Intl shows at `ms`, read through the generated
 * VTIMEZONE: local -> offset is what ical.js does exactly (UTC -> local it only approximates).
 */
function icalOffset(comp: ICAL.Component, tzid: string, ms: number): number {
  const tz = new ICAL.Timezone({ component: comp, tzid });
  const d = new Date(ms + intlOffset(tzid, ms)! * 60_000);
  const local = new ICAL.Time({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() }, tz);
  return tz.utcOffset(local) / 60;
}

const HOUR = 3_600_000;

describe('vtimezoneFromIntl', () => {
  it('writes regular DST zones as two yearly RRULE observances', () => {
    const text = vtimezoneFromIntl('America/Los_Angeles', 2023)!.toString();
    expect(text).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(text).toContain('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU');
    expect(text).toContain('TZOFFSETFROM:-0800');
    expect(text).toContain('TZNAME:PDT');
    const berlin = vtimezoneFromIntl('Europe/Berlin', 2023)!.toString();
    expect(berlin).toContain('BYDAY=-1SU');
  });

  it.each(['America/Los_Angeles', 'Europe/Berlin', 'Australia/Sydney', 'Europe/London', 'America/Sao_Paulo', 'Asia/Kolkata', 'Asia/Tehran'])(
    '%s agrees with Intl around every transition and mid-season, years ahead',
    (tzid) => {
      const from = 2017;
      const comp = vtimezoneFromIntl(tzid, from)!;
      const samples: number[] = [];
      for (let ms = Date.UTC(from, 0, 2); ms < Date.UTC(from + 20, 0, 1); ms += 5 * 24 * HOUR + 7 * HOUR) samples.push(ms);
      // Skip the ambiguous hours around a change (a repeated wall time has two offsets).
      const clear = samples.filter((ms) => intlOffset(tzid, ms - 3 * HOUR) === intlOffset(tzid, ms + 3 * HOUR));
      expect(clear.length).toBeGreaterThan(1000);
      for (const ms of clear) expect([tzid, new Date(ms).toISOString(), icalOffset(comp, tzid, ms)]).toEqual([tzid, new Date(ms).toISOString(), intlOffset(tzid, ms)]);
    },
  );

  it('lands on the exact transition minute', () => {
    const tz = new ICAL.Timezone({ component: vtimezoneFromIntl('America/Los_Angeles', 2023)!, tzid: 'America/Los_Angeles' });
    const local = (hour: number, minute: number) => new ICAL.Time({ year: 2030, month: 3, day: 10, hour, minute }, tz);
    expect(tz.utcOffset(local(1, 59)) / 60).toBe(-480);
    expect(tz.utcOffset(local(3, 0)) / 60).toBe(-420);
  });

  it('wallTime/isoIn are exact next to a DST change (ical.js convertToZone is not)', () => {
    const tz = new ICAL.Timezone({ component: vtimezoneFromIntl('America/Los_Angeles', 2023)!, tzid: 'America/Los_Angeles' });
    const change = Date.UTC(2030, 2, 10, 10, 0); // 02:00 PST -> 03:00 PDT
    expect(isoIn(change - 60_000, tz)).toBe('2030-03-10T01:59:00-08:00');
    expect(isoIn(change, tz)).toBe('2030-03-10T03:00:00-07:00');
    const back = Date.UTC(2030, 10, 3, 9, 0); // 02:00 PDT -> 01:00 PST
    expect(isoIn(back - 60_000, tz)).toBe('2030-11-03T01:59:00-07:00');
    expect(isoIn(back, tz)).toBe('2030-11-03T01:00:00-08:00');
    expect(instantOf(wallTime(change + 5 * 60_000, tz), tz)).toBe(change + 5 * 60_000);
  });

  it.each(['America/Los_Angeles', 'Europe/Berlin', 'Australia/Sydney'])('%s: isoIn matches Intl every 15 minutes across both changes', (tzid) => {
    const tz = new ICAL.Timezone({ component: vtimezoneFromIntl(tzid, 2029)!, tzid });
    for (let ms = Date.UTC(2030, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 15 * 60_000) {
      if (intlOffset(tzid, ms - 3 * HOUR) === intlOffset(tzid, ms + 3 * HOUR)) continue;
      const iso = isoIn(ms, tz);
      const off = intlOffset(tzid, ms)!;
      expect([new Date(ms).toISOString(), Date.parse(iso), iso.slice(19)]).toEqual([
        new Date(ms).toISOString(),
        ms,
        `${off < 0 ? '-' : '+'}${String(Math.trunc(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`,
      ]);
    }
  });

  it('fixed-offset zones get one STANDARD observance; unknown zones null', () => {
    const text = vtimezoneFromIntl('Asia/Tokyo', 2024)!.toString();
    expect(text.match(/BEGIN:STANDARD/g)).toHaveLength(1);
    expect(text).toContain('TZOFFSETTO:+0900');
    expect(vtimezoneFromIntl('Pacific Standard Time', 2024)).toBeNull();
  });
});
