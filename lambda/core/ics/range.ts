/**
 * The span of time a calendar object covers, stored beside it so the store can prefilter
 * time-range queries. The bounds must never be too narrow (a missed event is a sync bug) but
 * may be generous: the exact RFC 4791 §9.9 matching happens afterwards on the parsed object.
 */
import ICAL from 'ical.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Floating times and dates are read in a zone only known at query time; UTC offsets in use run
 * from -12:00 to +14:00, so ±14 h around the UTC reading covers every zone.
 */
export const FLOATING_SLACK_MS = 14 * HOUR_MS;
/** A COUNT rule is expanded to find its last instance; beyond this many it counts as unbounded. */
export const MAX_COUNT_EXPANSION = 10_000;

export interface TimeSpan {
  /** Epoch ms of the earliest instance start; null when unknown below. */
  rangeStart: number | null;
  /** Epoch ms of the latest instance end; null when the recurrence never ends. */
  rangeEnd: number | null;
  recurring: boolean;
}

/** A span under construction; `hi` null once any instance is unbounded. */
interface Acc {
  lo: number;
  hi: number | null;
}

/**
 * Covers every instance of the given VEVENTs (one UID: a master and its overrides). VTODOs are
 * unbounded: RFC 4791 §9.9 lets a to-do without dates match every range, and the tasks list is
 * never prefiltered by time.
 */
export function spanOf(components: ICAL.Component[]): TimeSpan {
  const recurs = (c: ICAL.Component) => c.hasProperty('rrule') || c.hasProperty('rdate') || c.hasProperty('recurrence-id');
  if (components.some((c) => c.name === 'vtodo')) return { rangeStart: null, rangeEnd: null, recurring: components.some(recurs) };
  const events = components;
  const acc: Acc = { lo: Infinity, hi: -Infinity };
  let recurring = false;
  let futureShift = 0;
  for (const event of events) {
    const start = event.getFirstPropertyValue('dtstart') as ICAL.Time;
    const length = lengthOf(event, start);
    addInstance(acc, start, length);
    if (event.hasProperty('recurrence-id')) {
      recurring = true;
      futureShift = Math.max(futureShift, thisAndFutureShift(event, start, length));
    } else if (event.hasProperty('rrule') || event.hasProperty('rdate')) {
      recurring = true;
      addRecurrences(acc, event, start, length);
    }
  }
  // A THISANDFUTURE override moves every later instance; stretch the end by the furthest move.
  const hi = acc.hi === null ? null : acc.hi + futureShift;
  return { rangeStart: Number.isFinite(acc.lo) ? acc.lo : null, rangeEnd: hi, recurring };
}

/** The instance length: DTEND − DTSTART, DURATION, or the RFC 5545 §3.6.1 defaults. */
function lengthOf(event: ICAL.Component, start: ICAL.Time): ICAL.Duration {
  const duration = event.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration) return duration;
  const end = event.getFirstPropertyValue('dtend');
  if (end instanceof ICAL.Time) {
    // Same zone: wall-clock length, as instances keep it across DST changes.
    return end.zone === start.zone ? end.subtractDate(start) : end.subtractDateTz(start);
  }
  return ICAL.Duration.fromSeconds(start.isDate ? DAY_MS / 1000 : 0);
}

function addInstance(acc: Acc, start: ICAL.Time, length: ICAL.Duration) {
  const end = start.clone();
  end.addDuration(length);
  widen(acc, start);
  widen(acc, end);
}

function widen(acc: Acc, time: ICAL.Time) {
  const { ms, slack } = instant(time);
  acc.lo = Math.min(acc.lo, ms - slack);
  if (acc.hi !== null) acc.hi = Math.max(acc.hi, ms + slack);
}

/** A time as epoch ms, with the uncertainty of reading a floating time or a date as UTC. */
function instant(time: ICAL.Time): { ms: number; slack: number } {
  const floating = time.isDate || !time.zone || time.zone.tzid === 'floating';
  if (!floating) return { ms: time.toUnixTime() * 1000, slack: 0 };
  const ms = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  return { ms, slack: FLOATING_SLACK_MS };
}

/** RRULE and RDATE instances; EXDATE only removes instances, so it cannot widen the span. */
function addRecurrences(acc: Acc, master: ICAL.Component, start: ICAL.Time, length: ICAL.Duration) {
  for (const prop of master.getAllProperties('rdate')) {
    for (const value of prop.getValues() as unknown[]) {
      if (value instanceof ICAL.Period) {
        widen(acc, value.start);
        widen(acc, value.getEnd());
      } else if (value instanceof ICAL.Time) {
        addInstance(acc, value, length);
      }
    }
  }
  for (const prop of master.getAllProperties('rrule')) {
    const rule = prop.getFirstValue();
    if (!(rule instanceof ICAL.Recur)) continue;
    const last = lastStart(rule, start);
    if (last === null) acc.hi = null;
    else addInstance(acc, last, length);
  }
}

/**
 * A start no instance of the rule begins after; null when there is none. UNTIL is such a bound
 * without expanding (a daily rule until 2099 stays cheap); COUNT is expanded with ical.js.
 */
function lastStart(rule: ICAL.Recur, dtstart: ICAL.Time): ICAL.Time | null {
  if (rule.until) {
    if (!rule.until.isDate) return rule.until;
    // A DATE UNTIL includes its whole day, whatever time of day the instances start.
    const endOfDay = rule.until.clone();
    endOfDay.isDate = false;
    endOfDay.hour = 23;
    endOfDay.minute = 59;
    endOfDay.second = 59;
    return endOfDay;
  }
  if (!rule.count || rule.count > MAX_COUNT_EXPANSION) return null;
  try {
    const iterator = rule.iterator(dtstart);
    let last = dtstart;
    for (let i = 0; i < rule.count; i++) {
      const next = iterator.next();
      if (!next) break;
      if (next.compare(last) > 0) last = next;
    }
    return last;
  } catch {
    return null; // a rule ical.js cannot expand: assume it never ends
  }
}

/** How much later than its master's instances a RANGE=THISANDFUTURE override can end. */
function thisAndFutureShift(override: ICAL.Component, start: ICAL.Time, length: ICAL.Duration): number {
  const rid = override.getFirstProperty('recurrence-id');
  if (String(rid?.getParameter('range') ?? '').toUpperCase() !== 'THISANDFUTURE') return 0;
  const original = rid?.getFirstValue();
  if (!(original instanceof ICAL.Time)) return 0;
  const moved = instant(start).ms - instant(original).ms;
  // The master's own length is unknown here; the override's full length is a safe upper bound.
  return Math.max(0, moved) + Math.max(0, length.toSeconds() * 1000) + 2 * FLOATING_SLACK_MS;
}
