/**
 * CALDAV:expand (RFC 4791 §9.6.5) and CALDAV:limit-recurrence-set (§9.6.6) applied to a parsed
 * VCALENDAR.
 */
import ICAL from 'ical.js';
import { RECURRING_COMPONENTS, asInstance, instancesOf, type Instance } from '../filter/instances';
import { instanceOverlaps } from '../filter/time-range';
import type { TimeRange } from '../filter/types';
import { epochMs, tzidOf, type ZoneContext } from '../filter/zones';

const RECURRENCE_PROPS = ['rrule', 'rdate', 'exrule', 'exdate'];

/**
 * Each recurring component becomes its occurrences that overlap the range, each with a
 * RECURRENCE-ID and no recurrence rules; one-off components outside the range are dropped. Every
 * DATE-TIME is written in UTC, so VTIMEZONEs are no longer needed and are removed. All-day
 * values stay DATE: they have no UTC form.
 */
export function expandCalendar(vcalendar: ICAL.Component, range: TimeRange, zones: ZoneContext): ICAL.Component {
  const out = new ICAL.Component('vcalendar');
  for (const prop of vcalendar.getAllProperties()) out.addProperty(new ICAL.Property(structuredClone(prop.jCal)));
  const names = [...new Set(vcalendar.getAllSubcomponents().map((c) => c.name))];
  for (const name of names) {
    if (name === 'vtimezone') continue;
    if (!RECURRING_COMPONENTS.has(name.toUpperCase())) {
      for (const comp of vcalendar.getAllSubcomponents(name)) out.addSubcomponent(toUtc(clone(comp), zones));
      continue;
    }
    const hits = [...instancesOf(vcalendar, name, zones, range.end, range.start)]
      .filter((inst) => instanceOverlaps(inst, range, zones))
      .sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0));
    for (const inst of hits) out.addSubcomponent(renderInstance(inst, zones));
  }
  return out;
}

function renderInstance(inst: Instance, zones: ZoneContext): ICAL.Component {
  const comp = clone(inst.component);
  for (const name of RECURRENCE_PROPS) comp.removeAllProperties(name);
  if (inst.start && inst.startMs !== null) setTime(comp, 'dtstart', inst.start, inst.startMs);
  // Only rewrite an explicit end: DURATION stays valid as is.
  for (const endName of ['dtend', 'due']) {
    if (comp.hasProperty(endName) && inst.end && inst.endMs !== null) setTime(comp, endName, inst.end, inst.endMs);
  }
  if (inst.recurrenceId) {
    setTime(comp, 'recurrence-id', inst.recurrenceId, epochMs(inst.recurrenceId, zones, inst.recurrenceTzid));
  }
  return toUtc(comp, zones);
}

function setTime(comp: ICAL.Component, name: string, time: ICAL.Time, ms: number) {
  let prop = comp.getFirstProperty(name);
  if (!prop) prop = comp.addProperty(new ICAL.Property(name));
  prop.removeParameter('tzid');
  if (time.isDate) {
    prop.resetType('date');
    prop.setValue(time.clone());
  } else {
    prop.resetType('date-time');
    prop.setValue(utcTime(ms));
  }
}

const utcTime = (ms: number) => ICAL.Time.fromJSDate(new Date(ms), true);

/** Rewrites every zoned or floating DATE-TIME in the component tree as UTC. */
function toUtc(comp: ICAL.Component, zones: ZoneContext): ICAL.Component {
  for (const prop of comp.getAllProperties()) {
    const values: unknown[] = prop.getValues();
    const zoned = (v: unknown): v is ICAL.Time => v instanceof ICAL.Time && !v.isDate && v.zone?.tzid !== 'UTC';
    if (!values.some(zoned)) continue;
    const tzid = tzidOf(prop);
    const converted = values.map((v) => (zoned(v) ? utcTime(epochMs(v, zones, tzid)) : v));
    prop.removeParameter('tzid');
    if (converted.length === 1) prop.setValue(converted[0]);
    else prop.setValues(converted);
  }
  for (const sub of comp.getAllSubcomponents()) toUtc(sub, zones);
  return comp;
}

const clone = (comp: ICAL.Component) => new ICAL.Component(structuredClone(comp.jCal));

/**
 * Keeps the master and drops overridden occurrences that neither start nor fall in the range
 * (their RECURRENCE-ID or their own times). A THISANDFUTURE override before the range end still
 * shapes later occurrences, so it stays.
 */
export function limitRecurrenceSet(vcalendar: ICAL.Component, range: TimeRange, zones: ZoneContext): ICAL.Component {
  const out = clone(vcalendar);
  const s = range.start ?? -Infinity;
  const e = range.end ?? Infinity;
  for (const comp of out.getAllSubcomponents()) {
    const ridProp = comp.getFirstProperty('recurrence-id');
    const rid = ridProp?.getFirstValue();
    if (!ridProp || !(rid instanceof ICAL.Time) || !RECURRING_COMPONENTS.has(comp.name.toUpperCase())) continue;
    const ridMs = epochMs(rid, zones, tzidOf(ridProp));
    const future = String(ridProp.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE';
    const keep =
      instanceOverlaps(asInstance(comp, zones), range, zones) || (ridMs >= s && ridMs < e) || (future && ridMs < e);
    if (!keep) out.removeSubcomponent(comp);
  }
  return out;
}
