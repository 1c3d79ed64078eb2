/** VALARM time-range test (RFC 4791 §9.9): does any trigger, repeats included, fall in range? */
import ICAL from 'ical.js';
import { instanceBounds, type Instance } from './instances';
import type { TimeRange } from './types';
import { epochMs, tzidOf, type ZoneContext } from './zones';

/** REPEAT is a small count in practice; the cap keeps a hostile value from spinning. */
const MAX_REPEATS = 1000;

export function alarmOverlaps(alarm: ICAL.Component, owner: Instance, range: TimeRange, zones: ZoneContext): boolean {
  const trigger = alarm.getFirstProperty('trigger');
  const value = trigger?.getFirstValue();
  let first: number | null = null;
  if (value instanceof ICAL.Time) {
    first = epochMs(value, zones, tzidOf(trigger));
  } else if (value instanceof ICAL.Duration) {
    const bounds = instanceBounds(owner);
    const anchor = String(trigger?.getParameter('related') ?? '').toUpperCase() === 'END' ? bounds.end : bounds.start;
    if (anchor !== null) first = anchor + value.toSeconds() * 1000;
  }
  if (first === null) return false;
  const s = range.start ?? -Infinity;
  const e = range.end ?? Infinity;
  const hits = (t: number) => s <= t && e > t;
  if (hits(first)) return true;
  const repeat = Number(alarm.getFirstPropertyValue('repeat') ?? 0);
  const interval = alarm.getFirstPropertyValue('duration');
  if (!(interval instanceof ICAL.Duration) || !(repeat > 0)) return false;
  const step = interval.toSeconds() * 1000;
  for (let i = 1; i <= Math.min(repeat, MAX_REPEATS); i++) if (hits(first + i * step)) return true;
  return false;
}
