/**
 * DTSTART / DTEND / DURATION <-> Start_DateTime, End_DateTime, All_day.
 *
 * All-day: iCalendar DATE values with an exclusive DTEND; the CRM keeps the INCLUSIVE last day
 * (a one-day event has End = Start), as CRM calendars display it. Timed: the CRM gets ISO 8601
 * in the event's own zone (TZID), or in the owner's zone for UTC and floating times.
 * Writing keeps each line whose instant (or date) is unchanged, and keeps the form the file
 * used: TZID stays TZID, UTC stays UTC, DURATION stays DURATION.
 */
import ICAL from 'ical.js';
import { CrmValidationError, type CrmEventFields } from '../types';
import type { Edit, EditCtx } from './context';
import { cloneProp, firstProp, icalProp, insertProp, makeProp, removeNode, replaceNode, type RawComp, type RawProp } from './raw';
import { dateText, instantOf, isoIn, parseIsoDate, parseIsoInstant, setTimeValue, specOf, timeIn, type ZoneSpec, type Zones } from './timezones';

export type EventTimes = Pick<CrmEventFields, 'All_day' | 'Start_DateTime' | 'End_DateTime'>;

const DAY_S = 86_400;

export interface StartInfo {
  value: ICAL.Time;
  spec: ZoneSpec;
  /** Zone CRM-side ISO values of this event are expressed in. */
  display: ICAL.Timezone;
}

export function startOf(ev: RawComp, zones: Zones, field = 'DTSTART'): StartInfo {
  const line = firstProp(ev, 'DTSTART');
  const value = line ? (icalProp(line).getFirstValue() as ICAL.Time | null) : null;
  if (!line || !value) throw new CrmValidationError(field, 'VEVENT without DTSTART');
  const spec = specOf(icalProp(line), value);
  return { value, spec, display: displayZone(spec, zones) };
}

export function displayZone(spec: ZoneSpec, zones: Zones): ICAL.Timezone {
  return spec.kind === 'tzid' && zones.get(spec.tzid) ? zones.get(spec.tzid)! : zones.resolve({ kind: 'floating' });
}

/** Epoch ms (timed) of a parsed DATE-TIME property value, honouring its own TZID. */
export function instantOfProp(prop: ICAL.Property, value: ICAL.Time, zones: Zones): number {
  return instantOf(value, zones.resolve(specOf(prop, value)));
}

/** ISO for a recurrence-related value (RECURRENCE-ID, EXDATE, RDATE) of an event. */
export function isoOfValue(prop: ICAL.Property, value: ICAL.Time, start: StartInfo, zones: Zones): string {
  return value.isDate ? dateText(value) : isoIn(instantOfProp(prop, value, zones), start.display);
}

export function readTimes(ev: RawComp, zones: Zones): EventTimes {
  const start = startOf(ev, zones);
  const dtend = firstProp(ev, 'DTEND');
  const duration = firstProp(ev, 'DURATION');
  if (start.value.isDate) {
    let end = start.value.clone();
    if (dtend) end = (icalProp(dtend).getFirstValue() as ICAL.Time).clone();
    else if (duration) end.addDuration(icalProp(duration).getFirstValue() as ICAL.Duration);
    else end.adjust(1, 0, 0, 0);
    end.isDate = true;
    end.adjust(-1, 0, 0, 0);
    if (end.compare(start.value) < 0) end = start.value;
    return { All_day: true, Start_DateTime: dateText(start.value), End_DateTime: dateText(end) };
  }
  const startMs = instantOfProp(icalProp(firstProp(ev, 'DTSTART')!), start.value, zones);
  let endMs = startMs;
  if (dtend) endMs = instantOfProp(icalProp(dtend), icalProp(dtend).getFirstValue() as ICAL.Time, zones);
  else if (duration) endMs += (icalProp(duration).getFirstValue() as ICAL.Duration).toSeconds() * 1000;
  return { All_day: false, Start_DateTime: isoIn(startMs, start.display), End_DateTime: isoIn(Math.max(endMs, startMs), start.display) };
}

type Want = { allDay: true; start: ICAL.Time; end: ICAL.Time } | { allDay: false; start: number; end: number };

/** Validates CRM times; `prefix` names the record the fields belong to in errors. */
export function parseTimes(t: EventTimes, prefix = ''): Want {
  if (t.All_day) {
    const start = parseIsoDate(t.Start_DateTime, `${prefix}Start_DateTime`);
    const last = parseIsoDate(t.End_DateTime, `${prefix}End_DateTime`);
    if (last.compare(start) < 0) throw new CrmValidationError(`${prefix}End_DateTime`, 'ends before it starts');
    const end = last.clone();
    end.adjust(1, 0, 0, 0);
    return { allDay: true, start, end };
  }
  const start = parseIsoInstant(t.Start_DateTime, `${prefix}Start_DateTime`);
  const end = parseIsoInstant(t.End_DateTime, `${prefix}End_DateTime`);
  if (end < start) throw new CrmValidationError(`${prefix}End_DateTime`, 'ends before it starts');
  return { allDay: false, start, end };
}

/** Zone for a new DTSTART: the owner's when the CRM offset agrees with it, else UTC. */
function newSpec(iso: string, ms: number, ctx: EditCtx): ZoneSpec {
  const tz = ctx.zones.get(ctx.owner.timeZone);
  return tz && isoIn(ms, tz).slice(19) === isoMatchOffset(iso) ? { kind: 'tzid', tzid: ctx.owner.timeZone } : { kind: 'utc' };
}

const isoMatchOffset = (iso: string) => {
  const z = /(Z|[+-]\d{2}:?\d{2})$/.exec(iso)?.[1] ?? '';
  return z === 'Z' ? '+00:00' : z.length === 5 ? `${z.slice(0, 3)}:${z.slice(3)}` : z;
};

function propWith(name: string, old: RawProp | undefined, value: ICAL.Time | ICAL.Duration, sameKind: boolean, eol: string, spec: ZoneSpec = { kind: 'floating' }): RawProp {
  const prop = old && sameKind ? cloneProp(old) : new ICAL.Property(name.toLowerCase());
  if (value instanceof ICAL.Duration) prop.setValue(value);
  else setTimeValue(prop, value, spec);
  return makeProp(prop, eol);
}

/**
 * `newZone` is the form for a DTSTART the component does not have yet (an override takes the
 * series'); by default the owner's zone when the CRM offset agrees with it, else UTC.
 */
export function writeTimes(ev: RawComp, times: EventTimes, ctx: EditCtx, edit: Edit, prefix = '', newZone?: ZoneSpec): void {
  const want = parseTimes(times, prefix);
  const dtstart = firstProp(ev, 'DTSTART');
  const dtend = firstProp(ev, 'DTEND');
  const duration = firstProp(ev, 'DURATION');
  const old = dtstart ? startOf(ev, ctx.zones) : null;
  const sameKind = !!old && old.value.isDate === want.allDay;
  const set = (name: string, line: RawProp | undefined, next: RawProp) => {
    if (line) replaceNode(ev, line, next);
    else insertProp(ev, next, name === 'DTSTART' ? ['SUMMARY', 'DTSTAMP', 'UID'] : ['DTSTART']);
    edit.changed = edit.significant = true;
  };

  if (want.allDay) {
    if (!sameKind || old!.value.compare(want.start) !== 0) set('DTSTART', dtstart, propWith('DTSTART', dtstart, want.start, sameKind, ctx.eol));
    const days = want.end.subtractDate(want.start).toSeconds() / DAY_S;
    const endKindOk = sameKind && (!dtend || (icalProp(dtend).getFirstValue() as ICAL.Time).isDate);
    if (endKindOk && dtend) {
      if ((icalProp(dtend).getFirstValue() as ICAL.Time).compare(want.end) !== 0) set('DTEND', dtend, propWith('DTEND', dtend, want.end, true, ctx.eol));
    } else if (endKindOk && duration) {
      if ((icalProp(duration).getFirstValue() as ICAL.Duration).toSeconds() !== days * DAY_S) {
        set('DURATION', duration, propWith('DURATION', duration, ICAL.Duration.fromSeconds(days * DAY_S), true, ctx.eol));
      }
    } else if (!(endKindOk && days === 1)) {
      if (duration) removeNode(ev, duration);
      set('DTEND', dtend, propWith('DTEND', dtend, want.end, false, ctx.eol));
    }
    return;
  }

  const startSpec = sameKind ? old!.spec : (newZone ?? newSpec(times.Start_DateTime, want.start, ctx));
  if (!sameKind || instantOfProp(icalProp(dtstart!), old!.value, ctx.zones) !== want.start) {
    set('DTSTART', dtstart, propWith('DTSTART', dtstart, timeIn(want.start, startSpec, ctx.zones), sameKind, ctx.eol, startSpec));
  }
  const endValue = dtend ? (icalProp(dtend).getFirstValue() as ICAL.Time) : null;
  if (sameKind && dtend && endValue && !endValue.isDate) {
    if (instantOfProp(icalProp(dtend), endValue, ctx.zones) !== want.end) {
      const spec = specOf(icalProp(dtend), endValue);
      set('DTEND', dtend, propWith('DTEND', dtend, timeIn(want.end, spec, ctx.zones), true, ctx.eol, spec));
    }
  } else if (sameKind && duration && !dtend) {
    const seconds = (want.end - want.start) / 1000;
    if ((icalProp(duration).getFirstValue() as ICAL.Duration).toSeconds() !== seconds) {
      set('DURATION', duration, propWith('DURATION', duration, ICAL.Duration.fromSeconds(seconds), true, ctx.eol));
    }
  } else if (!(sameKind && !dtend && !duration && want.end === want.start)) {
    if (duration) removeNode(ev, duration);
    set('DTEND', dtend, propWith('DTEND', dtend, timeIn(want.end, startSpec, ctx.zones), false, ctx.eol, startSpec));
  }
}
