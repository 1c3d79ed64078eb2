/**
 * The initial export's window: events starting from the first day of the month before
 * CalDAV was enabled, 00:00 in the user's time zone, up to the end of the enable day there.
 * Calendar arithmetic is done on wall dates and turned into instants through Intl's zone rules.
 */
import { intlOffset } from '../core/ics/vtimezone';

export interface ExportWindow {
  /** Epoch ms, inclusive: 00:00 on the first day of the previous month. */
  start: number;
  /** Epoch ms, exclusive: 00:00 on the day after the enable day. */
  end: number;
}

interface WallDate {
  year: number;
  /** 1-12; out-of-range values roll over (Date.UTC semantics). */
  month: number;
  day: number;
}

const dateParts = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `ms` in `timeZone`. */
export function wallDateOf(ms: number, timeZone: string): WallDate {
  let f = dateParts.get(timeZone);
  if (!f) dateParts.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' })));
  const part = (type: string) => Number(f.formatToParts(new Date(ms)).find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/**
 * The instant of 00:00 on `date` in `timeZone`. Both offsets around the naive UTC reading are
 * tried; a candidate is consistent when the zone has that offset at that instant. Where midnight
 * falls in a DST gap (zones that spring forward at 24:00) neither is, and the day starts at the
 * later one, the first instant after the gap.
 */
export function startOfDay(date: WallDate, timeZone: string): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day);
  const offsetAt = (ms: number) => intlOffset(timeZone, ms) ?? 0;
  const offsets = new Set([offsetAt(naive - 86_400_000), offsetAt(naive), offsetAt(naive + 86_400_000)]);
  const candidates = [...offsets].map((o) => ({ o, at: naive - o * 60_000 }));
  const consistent = candidates.filter((c) => offsetAt(c.at) === c.o).map((c) => c.at);
  return consistent.length ? Math.min(...consistent) : Math.max(...candidates.map((c) => c.at));
}

export function exportWindow(enabledAt: string, timeZone: string): ExportWindow {
  const enabled = Date.parse(enabledAt);
  if (!Number.isFinite(enabled)) throw new RangeError(`enabledAt is not an instant: ${enabledAt}`);
  const day = wallDateOf(enabled, timeZone);
  return {
    start: startOfDay({ year: day.year, month: day.month - 1, day: 1 }, timeZone),
    end: startOfDay({ year: day.year, month: day.month, day: day.day + 1 }, timeZone),
  };
}
