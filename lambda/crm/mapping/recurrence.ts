/**
 * RRULE / EXDATE / RDATE <-> Recurring_Activity. The RRULE text is carried verbatim (validated
 * here, since ical.js accepts nonsense like `FREQ` missing); EXDATE/RDATE values become ISO in
 * the event's own zone. Lines are compared by meaning, so an unchanged recurrence keeps its
 * exact bytes; a changed EXDATE or RDATE set is rewritten one value per line, as iOS writes them.
 * Only the first RRULE is mapped (RFC 5545 deprecates several).
 */
import ICAL from 'ical.js';
import { CrmValidationError, type CrmRecurrence } from '../types';
import type { Edit, EditCtx } from './context';
import { instantOfProp, isoOfValue, parseTimes, startOf, type StartInfo } from './datetimes';
import { firstProp, icalProp, insertProp, makeProp, props, removeNode, replaceNode, type RawComp, type RawProp } from './raw';
import { parseIsoDate, parseIsoInstant, setTimeValue, timeIn } from './timezones';

const PARTS = new Set(['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST']);
const FREQS = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

/** Parses and checks an RRULE value; throws CrmValidationError naming `field`. */
export function validateRrule(text: unknown, field: string): ICAL.Recur {
  if (typeof text !== 'string' || text.trim() === '') throw new CrmValidationError(field, 'empty RRULE');
  const value = text.replace(/^RRULE:/i, '');
  const seen = new Map<string, string>();
  for (const part of value.split(';')) {
    const [k, v, ...rest] = part.split('=');
    const name = (k ?? '').toUpperCase();
    if (!PARTS.has(name) || !v || rest.length) throw new CrmValidationError(field, `invalid RRULE part "${part}"`);
    if (seen.has(name)) throw new CrmValidationError(field, `repeated RRULE part ${name}`);
    seen.set(name, v);
  }
  if (!FREQS.has((seen.get('FREQ') ?? '').toUpperCase())) throw new CrmValidationError(field, 'RRULE needs a valid FREQ');
  if (seen.has('COUNT') && seen.has('UNTIL')) throw new CrmValidationError(field, 'RRULE cannot have both COUNT and UNTIL');
  for (const n of ['COUNT', 'INTERVAL']) {
    if (seen.has(n) && !/^[1-9]\d*$/.test(seen.get(n)!)) throw new CrmValidationError(field, `${n} must be a positive integer`);
  }
  try {
    return ICAL.Recur.fromString(value);
  } catch (err) {
    throw new CrmValidationError(field, err instanceof Error ? err.message : 'invalid RRULE');
  }
}

/** Writes a CRM date or date-time in the form of the series' DTSTART (DATE, TZID, UTC, floating). */
function setValueLike(prop: ICAL.Property, iso: string, start: StartInfo, ctx: EditCtx, field: string): void {
  if (start.value.isDate) setTimeValue(prop, parseIsoDate(iso, field), start.spec);
  else setTimeValue(prop, timeIn(parseIsoInstant(iso, field), start.spec, ctx.zones), start.spec);
}

const rruleValue = (line: RawProp) => line.text.slice(line.text.indexOf(':') + 1);

function dateValues(ev: RawComp, name: string): { prop: ICAL.Property; value: ICAL.Time }[] {
  return props(ev, name).flatMap((line) => {
    const prop = icalProp(line);
    return prop.getValues().map((v) => ({ prop, value: v instanceof ICAL.Period ? v.start : (v as ICAL.Time) }));
  });
}

export function readRecurrence(ev: RawComp, start: StartInfo, zones: EditCtx['zones']): CrmRecurrence | null {
  const rrule = firstProp(ev, 'RRULE');
  const rdates = dateValues(ev, 'RDATE');
  if (!rrule && rdates.length === 0) return null;
  const rec: CrmRecurrence = { RRULE: '' };
  if (rrule) {
    rec.RRULE = rruleValue(rrule);
    validateRrule(rec.RRULE, 'RRULE');
  }
  const exdates = dateValues(ev, 'EXDATE');
  if (exdates.length) rec.EXDATE = exdates.map((d) => isoOfValue(d.prop, d.value, start, zones));
  if (rdates.length) rec.RDATE = rdates.map((d) => isoOfValue(d.prop, d.value, start, zones));
  return rec;
}

/** Comparable key of an instant or date, whichever form it is written in. */
const keyOfValue = (prop: ICAL.Property, value: ICAL.Time, zones: EditCtx['zones']) =>
  value.isDate ? `D${value.toICALString()}` : `T${instantOfProp(prop, value, zones)}`;

function keyOfIso(iso: string, field: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `D${parseIsoDate(iso, field).toICALString()}` : `T${parseIsoInstant(iso, field)}`;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

function writeDates(ev: RawComp, name: 'EXDATE' | 'RDATE', want: string[], start: StartInfo, ctx: EditCtx, edit: Edit, field: string): void {
  const wantKeys = want.map((iso, i) => keyOfIso(iso, `${field}[${i}]`));
  const haveKeys = dateValues(ev, name).map((d) => keyOfValue(d.prop, d.value, ctx.zones));
  if (sameSet(wantKeys, haveKeys)) return;
  edit.changed = edit.significant = true;
  const old = props(ev, name);
  const lines = want.map((iso, i) => {
    const prop = new ICAL.Property(name.toLowerCase());
    setValueLike(prop, iso, start, ctx, `${field}[${i}]`);
    return makeProp(prop, ctx.eol);
  });
  const anchor = old[0];
  for (const line of old.slice(1)) removeNode(ev, line);
  if (anchor) {
    const [first, ...rest] = lines;
    if (first) replaceNode(ev, anchor, first);
    else removeNode(ev, anchor);
    rest.reverse().forEach((l) => ev.children.splice(ev.children.indexOf(first!) + 1, 0, l));
  } else {
    for (const l of lines) insertProp(ev, l, [name, 'RRULE', 'EXDATE', 'DTEND', 'DURATION', 'DTSTART']);
  }
}

export function writeRecurrence(ev: RawComp, rec: CrmRecurrence | null, ctx: EditCtx, edit: Edit): void {
  const field = 'Recurring_Activity';
  const rrule = firstProp(ev, 'RRULE');
  const want = rec?.RRULE ? validateRrule(rec.RRULE, `${field}.RRULE`) : null;
  if (!want && rrule) {
    for (const line of props(ev, 'RRULE')) removeNode(ev, line);
    edit.changed = edit.significant = true;
  } else if (want && (!rrule || ICAL.Recur.fromString(rruleValue(rrule)).toString() !== want.toString())) {
    const prop = new ICAL.Property('rrule');
    prop.setValue(want);
    const line = makeProp(prop, ctx.eol);
    if (rrule) replaceNode(ev, rrule, line);
    else insertProp(ev, line, ['DTEND', 'DURATION', 'DTSTART']);
    edit.changed = edit.significant = true;
  }
  const start = startOf(ev, ctx.zones);
  writeDates(ev, 'EXDATE', rec?.EXDATE ?? [], start, ctx, edit, `${field}.EXDATE`);
  writeDates(ev, 'RDATE', rec?.RDATE ?? [], start, ctx, edit, `${field}.RDATE`);
}

/** Key of a RECURRENCE-ID line, comparable with `recurrenceKey` of a CRM Recurrence_Id. */
export function recurrenceIdKey(line: RawProp, zones: EditCtx['zones']): string {
  const prop = icalProp(line);
  return keyOfValue(prop, prop.getFirstValue() as ICAL.Time, zones);
}

export const recurrenceKey = (iso: string, field: string) => keyOfIso(iso, field);

/** A RECURRENCE-ID property for a CRM Recurrence_Id, in the series' DTSTART form. */
export function recurrenceIdProp(iso: string, start: StartInfo, ctx: EditCtx, field: string): RawProp {
  const prop = new ICAL.Property('recurrence-id');
  setValueLike(prop, iso, start, ctx, field);
  return makeProp(prop, ctx.eol);
}

/** Times of one instance of the series starting at `iso`, for a new override with no times. */
export function instanceTimes(master: { All_day: boolean; Start_DateTime: string; End_DateTime: string }, iso: string, field: string) {
  const series = parseTimes(master);
  if (series.allDay) {
    const start = parseIsoDate(iso, field);
    const end = start.clone();
    end.addDuration(series.end.subtractDate(series.start));
    end.adjust(-1, 0, 0, 0);
    return { All_day: true, Start_DateTime: iso, End_DateTime: end.toString() };
  }
  const startMs = parseIsoInstant(iso, field);
  const offset = /(Z|[+-]\d{2}:?\d{2})$/.exec(iso)?.[1] ?? 'Z';
  const endMs = startMs + (series.end - series.start);
  const sign = offset === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
  const offMin = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.replace(':', '').slice(3, 5) || 0));
  const local = new Date(endMs + offMin * 60_000).toISOString().slice(0, 19);
  return { All_day: false, Start_DateTime: iso, End_DateTime: `${local}${offset === 'Z' ? 'Z' : offset}` };
}
