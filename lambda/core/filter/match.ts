/**
 * Matches a parsed VCALENDAR against a CALDAV:filter (RFC 4791 §9.7). Components that recur are
 * matched occurrence by occurrence when a time-range asks for it, so that prop-filters see the
 * overriding component of an overridden occurrence.
 */
import ICAL from 'ical.js';
import { alarmOverlaps } from './alarm';
import { textMatches } from './text-match';
import { RECURRING_COMPONENTS, asInstance, instancesOf, type Instance } from './instances';
import { instanceOverlaps } from './time-range';
import type { CompFilter, ParamFilter, PropFilter, TimeRange } from './types';
import { propEpochMs, type ZoneContext } from './zones';

export function matchesFilter(vcalendar: ICAL.Component, filter: CompFilter, zones: ZoneContext): boolean {
  const present = vcalendar.name.toUpperCase() === filter.name;
  if (filter.isNotDefined) return !present;
  return present && componentMatches({ component: vcalendar, instance: null }, filter, zones);
}

interface Candidate {
  component: ICAL.Component;
  /** The occurrence being tested, when the component is a (possibly recurring) event or task. */
  instance: Instance | null;
}

function componentMatches(c: Candidate, filter: CompFilter, zones: ZoneContext): boolean {
  return (
    filter.propFilters.every((f) => propFilterMatches(c.component, f, zones)) &&
    filter.compFilters.every((f) => compFilterMatches(c, f, zones))
  );
}

function compFilterMatches(parent: Candidate, filter: CompFilter, zones: ZoneContext): boolean {
  const name = filter.name.toLowerCase();
  if (filter.isNotDefined) return parent.component.getAllSubcomponents(name).length === 0;
  for (const c of candidates(parent, filter, zones)) {
    if (componentMatches(c, filter, zones)) return true;
  }
  return false;
}

/** Subcomponents that satisfy the filter's time-range (all of them when it has none). */
function* candidates(parent: Candidate, filter: CompFilter, zones: ZoneContext): Generator<Candidate> {
  const name = filter.name.toLowerCase();
  const range = filter.timeRange;
  const atTop = parent.component.name.toLowerCase() === 'vcalendar';
  if (atTop && RECURRING_COMPONENTS.has(filter.name)) {
    if (!range) {
      for (const component of parent.component.getAllSubcomponents(name)) {
        yield { component, instance: asInstance(component, zones) };
      }
      return;
    }
    for (const instance of instancesOf(parent.component, name, zones, range.end, range.start)) {
      if (instanceOverlaps(instance, range, zones)) yield { component: instance.component, instance };
    }
    return;
  }
  for (const component of parent.component.getAllSubcomponents(name)) {
    if (!range || subcomponentOverlaps(component, parent, range, zones)) yield { component, instance: null };
  }
}

function subcomponentOverlaps(comp: ICAL.Component, parent: Candidate, range: TimeRange, zones: ZoneContext) {
  if (comp.name.toLowerCase() === 'valarm') {
    const owner = parent.instance ?? asInstance(parent.component, zones);
    return alarmOverlaps(comp, owner, range, zones);
  }
  // VFREEBUSY, VAVAILABILITY…: not stored by this server, so never in range.
  return false;
}

function propFilterMatches(comp: ICAL.Component, filter: PropFilter, zones: ZoneContext): boolean {
  const props = comp.getAllProperties(filter.name.toLowerCase());
  if (filter.isNotDefined) return props.length === 0;
  return props.some(
    (p) =>
      (!filter.timeRange || propInRange(p, filter.timeRange, zones)) &&
      (!filter.textMatch || textMatches(filter.textMatch, propText(p))) &&
      filter.paramFilters.every((f) => paramFilterMatches(p, f)),
  );
}

/** RFC 4791 §9.9 for DATE/DATE-TIME properties such as DTSTAMP: start <= value < end. */
function propInRange(prop: ICAL.Property, range: TimeRange, zones: ZoneContext): boolean {
  const t = propEpochMs(prop, zones);
  return t !== null && (range.start ?? -Infinity) <= t && (range.end ?? Infinity) > t;
}

/** The value as text: unescaped for TEXT, iCalendar form for the rest; lists comma-joined. */
function propText(prop: ICAL.Property): string {
  return prop
    .getValues()
    .map((v: unknown) =>
      v !== null && typeof v === 'object' && 'toICALString' in v && typeof v.toICALString === 'function'
        ? String(v.toICALString())
        : String(v),
    )
    .join(',');
}

function paramFilterMatches(prop: ICAL.Property, filter: ParamFilter): boolean {
  const value: unknown = prop.getParameter(filter.name.toLowerCase());
  if (filter.isNotDefined) return value === undefined || value === null;
  if (value === undefined || value === null) return false;
  if (!filter.textMatch) return true;
  const values = Array.isArray(value) ? value.map(String) : [String(value)];
  const match = filter.textMatch;
  return values.some((v) => textMatches(match, v));
}
