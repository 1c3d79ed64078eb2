/**
 * The occurrences of a component (RFC 5545 §3.8.5): RRULE and RDATE minus EXDATE, where an
 * overriding component (same UID, with RECURRENCE-ID) replaces the occurrence it names and
 * carries its own times. Times become instants through the zone rules of zones.ts.
 */
import ICAL from 'ical.js';
import { epochMs, tzidOf, type ZoneContext } from './zones';

export const DAY_MS = 86_400_000;
/** Upper bound on generated occurrences per component: a guard against minutely rules. */
const MAX_OCCURRENCES = 20_000;
export const RECURRING_COMPONENTS = new Set(['VEVENT', 'VTODO', 'VJOURNAL']);

/** One occurrence of a component, with its times as instants. */
export interface Instance {
  /** The master the occurrence was generated from, or the overriding component. */
  component: ICAL.Component;
  /** DTSTART of this occurrence, as a value in its own zone (DATE for all-day). */
  start: ICAL.Time | null;
  startTzid?: string;
  startMs: number | null;
  /** DTEND (or DUE) of this occurrence, given or derived from DURATION. */
  end: ICAL.Time | null;
  endTzid?: string;
  endMs: number | null;
  /** RECURRENCE-ID for an occurrence of a recurring set; null for a one-off component. */
  recurrenceId: ICAL.Time | null;
  recurrenceTzid?: string;
}

/** The end of a component: DTEND (VEVENT), DUE (VTODO), or DTSTART + DURATION. */
function endOf(comp: ICAL.Component, start: ICAL.Time | null): { end: ICAL.Time | null; tzid?: string } {
  const endProp = comp.getFirstProperty('dtend') ?? comp.getFirstProperty('due');
  const end = endProp?.getFirstValue();
  if (end instanceof ICAL.Time) return { end, tzid: tzidOf(endProp) };
  const duration = comp.getFirstPropertyValue('duration');
  if (start && duration instanceof ICAL.Duration) {
    const derived = start.clone();
    derived.addDuration(duration);
    return { end: derived };
  }
  return { end: null };
}

function timeOf(comp: ICAL.Component, name: string): { time: ICAL.Time | null; tzid?: string } {
  const prop = comp.getFirstProperty(name);
  const value = prop?.getFirstValue();
  return value instanceof ICAL.Time ? { time: value, tzid: tzidOf(prop) } : { time: null };
}

function makeInstance(
  comp: ICAL.Component,
  zones: ZoneContext,
  start: { time: ICAL.Time | null; tzid?: string },
  end: { end: ICAL.Time | null; tzid?: string },
  recurrence: { time: ICAL.Time | null; tzid?: string },
): Instance {
  return {
    component: comp,
    start: start.time,
    startTzid: start.tzid,
    startMs: start.time ? epochMs(start.time, zones, start.tzid) : null,
    end: end.end,
    endTzid: end.tzid,
    endMs: end.end ? epochMs(end.end, zones, end.tzid) : null,
    recurrenceId: recurrence.time,
    recurrenceTzid: recurrence.tzid,
  };
}

const isRecurring = (comp: ICAL.Component) => comp.hasProperty('rrule') || comp.hasProperty('rdate');

/**
 * Every occurrence of the `name` components of a VCALENDAR. Generated occurrences stop once they
 * start at or after `until` (they cannot overlap a range ending there); null means no bound, in
 * which case an unbounded rule runs until MAX_OCCURRENCES. Generated occurrences that end well
 * before `from` are skipped unbuilt (only a speed-up: callers still test each instance).
 */
export function* instancesOf(
  vcalendar: ICAL.Component,
  name: string,
  zones: ZoneContext,
  until: number | null,
  from: number | null = null,
): Generator<Instance> {
  const comps = vcalendar.getAllSubcomponents(name.toLowerCase());
  const overrides = comps.filter((c) => c.hasProperty('recurrence-id'));
  // Occurrences replaced by an override, per UID, as instants of their RECURRENCE-ID.
  const replaced = new Map<string, Set<number>>();
  for (const o of overrides) {
    const rid = timeOf(o, 'recurrence-id');
    if (!rid.time) continue;
    const uid = String(o.getFirstPropertyValue('uid') ?? '');
    const set = replaced.get(uid) ?? new Set<number>();
    set.add(epochMs(rid.time, zones, rid.tzid));
    replaced.set(uid, set);
  }
  for (const comp of comps) {
    const start = timeOf(comp, 'dtstart');
    if (comp.hasProperty('recurrence-id')) {
      yield makeInstance(comp, zones, start, endOf(comp, start.time), timeOf(comp, 'recurrence-id'));
    } else if (!isRecurring(comp) || !start.time) {
      yield makeInstance(comp, zones, start, endOf(comp, start.time), { time: null });
    } else {
      const skip = replaced.get(String(comp.getFirstPropertyValue('uid') ?? '')) ?? new Set<number>();
      yield* occurrencesOf(comp, start.time, start.tzid, zones, { from, until }, skip);
    }
  }
}

function* occurrencesOf(
  master: ICAL.Component,
  dtstart: ICAL.Time,
  tzid: string | undefined,
  zones: ZoneContext,
  bounds: { from: number | null; until: number | null },
  skip: Set<number>,
): Generator<Instance> {
  const masterEnd = endOf(master, dtstart);
  const startMs = epochMs(dtstart, zones, tzid);
  // Generous: a day of slack covers DST and all-day lengths.
  const reach = (masterEnd.end ? Math.max(0, epochMs(masterEnd.end, zones, masterEnd.tzid) - startMs) : 0) + DAY_MS;
  const skipBefore = bounds.from === null ? -Infinity : bounds.from - reach;
  // Same zone on both ends: keep the wall-clock length, so DST shifts do not stretch instances.
  const sameZone = masterEnd.end !== null && masterEnd.tzid === tzid && masterEnd.end.zone === dtstart.zone;
  const length = masterEnd.end ? (sameZone ? masterEnd.end.subtractDate(dtstart) : masterEnd.end.subtractDateTz(dtstart)) : null;
  for (const occurrence of occurrenceTimes(master, dtstart, zones, tzid)) {
    const ms = epochMs(occurrence, zones, tzid);
    if (bounds.until !== null && ms >= bounds.until) return;
    if (ms < skipBefore || skip.has(ms)) continue;
    let end: ICAL.Time | null = null;
    if (length) {
      end = occurrence.clone();
      end.addDuration(length);
    }
    yield makeInstance(
      master,
      zones,
      { time: occurrence, tzid },
      // The end was derived from the occurrence, so it is in the occurrence's zone.
      { end, tzid },
      { time: occurrence, tzid },
    );
  }
}

/**
 * Occurrence start times in ascending order. ical.js leaves DTSTART out when only RDATEs recur,
 * although RFC 5545 §3.8.5.2 counts it as the first instance, so it is put back here.
 */
function* occurrenceTimes(
  master: ICAL.Component,
  dtstart: ICAL.Time,
  zones: ZoneContext,
  tzid: string | undefined,
): Generator<ICAL.Time> {
  let expansion: ICAL.RecurExpansion;
  try {
    expansion = new ICAL.RecurExpansion({ component: master, dtstart });
  } catch {
    yield dtstart;
    return;
  }
  const startMs = epochMs(dtstart, zones, tzid);
  let dtstartPending = !isExcluded(master, dtstart, startMs, zones);
  for (let i = 0; i < MAX_OCCURRENCES; i++) {
    let next: ICAL.Time | undefined;
    try {
      next = expansion.next() ?? undefined;
    } catch {
      next = undefined; // impossible or malformed rule: stop where it broke
    }
    if (dtstartPending && (!next || epochMs(next, zones, tzid) >= startMs)) {
      dtstartPending = false;
      yield dtstart;
      if (next && epochMs(next, zones, tzid) === startMs) continue;
    }
    if (!next) return;
    yield next;
  }
}

function isExcluded(master: ICAL.Component, time: ICAL.Time, ms: number, zones: ZoneContext): boolean {
  for (const prop of master.getAllProperties('exdate')) {
    for (const value of prop.getValues()) {
      if (!(value instanceof ICAL.Time)) continue;
      if (value.isDate ? value.year === time.year && value.month === time.month && value.day === time.day
        : epochMs(value, zones, tzidOf(prop)) === ms) return true;
    }
  }
  return false;
}

/** A component taken as it stands, without recurrence expansion. */
export function asInstance(comp: ICAL.Component, zones: ZoneContext): Instance {
  const start = timeOf(comp, 'dtstart');
  return makeInstance(comp, zones, start, endOf(comp, start.time), timeOf(comp, 'recurrence-id'));
}

/** Start and end of an instance per the VEVENT rules, for relating alarms to it. */
export function instanceBounds(inst: Instance): { start: number | null; end: number | null } {
  if (inst.startMs === null) return { start: null, end: inst.endMs };
  const end = inst.endMs ?? (inst.start?.isDate ? inst.startMs + DAY_MS : inst.startMs);
  return { start: inst.startMs, end };
}
