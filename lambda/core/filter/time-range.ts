/**
 * Time-range semantics of RFC 4791 §9.9, tested per occurrence: see instances.ts for how a
 * recurring component becomes occurrences.
 */
import ICAL from 'ical.js';
import { DAY_MS, type Instance } from './instances';
import type { TimeRange } from './types';
import { propEpochMs, type ZoneContext } from './zones';

const rangeStart = (r: TimeRange) => r.start ?? -Infinity;
const rangeEnd = (r: TimeRange) => r.end ?? Infinity;

/** RFC 4791 §9.9 for the component kinds we know; others never overlap. */
export function instanceOverlaps(inst: Instance, range: TimeRange, zones: ZoneContext): boolean {
  const s = rangeStart(range);
  const e = rangeEnd(range);
  const comp = inst.component;
  switch (comp.name.toUpperCase()) {
    case 'VEVENT': {
      if (inst.startMs === null) return false;
      const start = inst.startMs;
      let end = inst.endMs;
      // No DTEND and no DURATION: an all-day event lasts one day, a timed one is a point.
      if (end === null && inst.start?.isDate) end = start + DAY_MS;
      if (end === null || end <= start) return s <= start && e > start;
      return s < end && e > start;
    }
    case 'VTODO':
      return todoOverlaps(inst, comp, s, e, zones);
    case 'VJOURNAL': {
      if (inst.startMs === null) return false;
      const end = inst.start?.isDate ? inst.startMs + DAY_MS : inst.startMs;
      return end > inst.startMs ? s < end && e > inst.startMs : s <= inst.startMs && e > inst.startMs;
    }
    default:
      return false;
  }
}

function todoOverlaps(inst: Instance, comp: ICAL.Component, s: number, e: number, zones: ZoneContext): boolean {
  const start = inst.startMs;
  const due = inst.endMs;
  if (start !== null && due !== null) {
    return (s < due || s <= start) && (e > start || e >= due);
  }
  if (start !== null) return s <= start && e > start;
  if (due !== null) return s < due && e >= due;
  const completedProp = comp.getFirstProperty('completed');
  const createdProp = comp.getFirstProperty('created');
  const completed = completedProp ? propEpochMs(completedProp, zones) : null;
  const created = createdProp ? propEpochMs(createdProp, zones) : null;
  if (completed !== null && created !== null) {
    return (s <= created || s <= completed) && (e >= created || e >= completed);
  }
  if (completed !== null) return s <= completed && e >= completed;
  if (created !== null) return e > created;
  return true;
}
