/** The export window and the selection of events, as pure functions. */
import { describe, expect, it } from 'vitest';
import type { CrmEvent, CrmUser } from '../../lambda/crm/types';
import { distanceInWindow, planExport } from '../../lambda/jobs/select';
import { exportWindow, startOfDay } from '../../lambda/jobs/window';
import { draft } from '../crm/builtin/helpers';

const iso = (ms: number) => new Date(ms).toISOString();
const windowIso = (enabledAt: string, tz: string) => {
  const w = exportWindow(enabledAt, tz);
  return [iso(w.start), iso(w.end)];
};

describe('exportWindow', () => {
  it('runs from 00:00 on the first of the previous month to the end of the enable day, in the user\'s zone', () => {
    expect(windowIso('2026-11-25T10:00:00Z', 'Europe/Berlin')).toEqual(['2026-09-30T22:00:00.000Z', '2026-11-25T23:00:00.000Z']);
    expect(windowIso('2026-11-25T10:00:00Z', 'UTC')).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-26T00:00:00.000Z']);
    expect(windowIso('2026-11-25T10:00:00Z', 'Asia/Kolkata')).toEqual(['2026-09-30T18:30:00.000Z', '2026-11-25T18:30:00.000Z']);
  });

  it('takes the enable day as the user saw it, across the year boundary', () => {
    // 31 December, 18:00 in Los Angeles, already 1 January in UTC.
    expect(windowIso('2026-01-01T02:00:00Z', 'America/Los_Angeles')).toEqual(['2025-11-01T07:00:00.000Z', '2026-01-01T08:00:00.000Z']);
    // 1 January in Auckland while still 31 December in UTC.
    expect(windowIso('2025-12-31T12:00:00Z', 'Pacific/Auckland')).toEqual(['2025-11-30T11:00:00.000Z', '2026-01-01T11:00:00.000Z']);
  });

  it('honours a DST change inside the window and a midnight that does not exist', () => {
    // Berlin: the window start is in summer time (+02), its end in winter time (+01).
    expect(windowIso('2026-11-02T09:00:00Z', 'Europe/Berlin')).toEqual(['2026-09-30T22:00:00.000Z', '2026-11-02T23:00:00.000Z']);
    // Chile springs forward at 24:00 on 5 September 2026: that day starts at 01:00 (-03).
    expect(iso(startOfDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
  });

  it('refuses an enable date that is not an instant', () => {
    expect(() => exportWindow('yesterday', 'UTC')).toThrow(RangeError);
  });
});

const PAT: CrmUser = { id: 'p', email: 'pat@zillum.com', name: 'Pat', timeZone: 'Europe/Berlin' };
const ENABLED_AT = '2026-11-25T10:00:00.000Z';
const WINDOW = exportWindow(ENABLED_AT, PAT.timeZone);
const ENABLED = Date.parse(ENABLED_AT);

let n = 0;
function ev(start: string, end: string, extra: Partial<CrmEvent> = {}): CrmEvent {
  const fields = draft({ Start_DateTime: start, End_DateTime: end, All_day: /^\d{4}-\d{2}-\d{2}$/.test(start), Owner: { id: 'p', email: 'Pat@Zillum.com', name: 'Pat' } });
  return { ...fields, id: `e${++n}`, Created_Time: '2026-01-01T00:00:00Z', Modified_Time: '2026-01-01T00:00:00Z', Deleted: false, ...extra };
}

describe('distanceInWindow', () => {
  it('reads all-day dates at midnight in the user\'s zone', () => {
    expect(distanceInWindow(ev('2026-10-01', '2026-10-01'), PAT, WINDOW, ENABLED)).toBe(ENABLED - WINDOW.start);
    expect(distanceInWindow(ev('2026-09-30', '2026-09-30'), PAT, WINDOW, ENABLED)).toBeNull();
  });

  it('counts a series by its occurrence nearest the enable moment, minus EXDATEs, plus moved overrides', () => {
    const weekly = { RRULE: 'FREQ=WEEKLY;BYDAY=WE' };
    // Wednesdays 09:00 Berlin; the nearest to Wednesday 25 November 11:00 is that morning.
    expect(distanceInWindow(ev('2025-01-01T09:00:00+01:00', '2025-01-01T10:00:00+01:00', { Recurring_Activity: weekly }), PAT, WINDOW, ENABLED)).toBe(2 * 3_600_000);
    // Only one occurrence falls in the window and it is excluded: out.
    const one = { RRULE: 'FREQ=YEARLY', EXDATE: ['2026-11-04T09:00:00+01:00'] };
    expect(distanceInWindow(ev('2025-11-04T09:00:00+01:00', '2025-11-04T10:00:00+01:00', { Recurring_Activity: one }), PAT, WINDOW, ENABLED)).toBeNull();
    // A yearly series whose in-window occurrence was moved to the enable day.
    const moved = ev('2025-11-04T09:00:00+01:00', '2025-11-04T10:00:00+01:00', {
      Recurring_Activity: { RRULE: 'FREQ=YEARLY;COUNT=2' },
      Recurrence_Exceptions: [{ Recurrence_Id: '2026-11-04T09:00:00+01:00', Start_DateTime: '2026-11-25T12:00:00+01:00', End_DateTime: '2026-11-25T13:00:00+01:00' }],
    });
    expect(distanceInWindow(moved, PAT, WINDOW, ENABLED)).toBe(3_600_000);
  });
});

describe('planExport', () => {
  it('keeps own live events, nearest first, ties by id, and counts what the limit leaves out', () => {
    const a = ev('2026-11-25T09:00:00+01:00', '2026-11-25T10:00:00+01:00');
    const b = ev('2026-11-25T13:00:00+01:00', '2026-11-25T14:00:00+01:00');
    const c = ev('2026-10-02T09:00:00+02:00', '2026-10-02T10:00:00+02:00');
    const gone = ev('2026-11-25T11:00:00+01:00', '2026-11-25T12:00:00+01:00', { Deleted: true });
    const other = ev('2026-11-25T11:00:00+01:00', '2026-11-25T12:00:00+01:00', { Owner: { id: 's', email: 'sam@zillum.com', name: 'Sam' } });
    const outside = ev('2026-12-01T09:00:00+01:00', '2026-12-01T10:00:00+01:00');
    expect(planExport([c, b, gone, other, outside, a], PAT, WINDOW, ENABLED_AT)).toEqual({ ids: [a.id, b.id, c.id], leftOut: 0 });
    expect(planExport([c, b, a], PAT, WINDOW, ENABLED_AT, 2)).toEqual({ ids: [a.id, b.id], leftOut: 1 });
  });
});
