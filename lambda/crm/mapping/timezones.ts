/**
 * Instants and wall times. The CRM speaks ISO 8601 with offset; iCalendar speaks wall time plus
 * TZID (resolved through the file's VTIMEZONE, else generated from Intl), UTC, floating or DATE.
 * Floating times and TZIDs nobody can resolve are read in the owner's zone.
 */
import ICAL from 'ical.js';
import { CrmValidationError } from '../types';
import { comps, firstProp, icalProp, parseRaw, serializeRaw, type RawComp } from './raw';
import { isIanaZone, vtimezoneFromIntl } from '../../core/ics/vtimezone';
import { sharedZone } from '../../core/ics/shared-zones';

/** Where a DATE-TIME lives: a named zone, UTC, or floating (wall time, no zone). */
export type ZoneSpec = { kind: 'tzid'; tzid: string } | { kind: 'utc' } | { kind: 'floating' };

export class Zones {
  private readonly cache = new Map<string, ICAL.Timezone | null>();

  constructor(
    /** Each definition's text, which keys its shared zone (core/ics/shared-zones.ts): parsed only for a zone not yet shared. */
    private readonly defined: Map<string, string>,
    /** IANA zone for floating times and unresolvable TZIDs. */
    readonly fallback: string,
    private readonly fromYear: number,
  ) {}

  static of(vcal: RawComp | null, fallback: string, fromYear: number): Zones {
    const defined = new Map<string, string>();
    for (const vtz of vcal ? comps(vcal, 'VTIMEZONE') : []) {
      const tzid = firstProp(vtz, 'TZID');
      if (tzid) defined.set(String(icalProp(tzid).getFirstValue()), serializeRaw({ nodes: [vtz], eol: '\r\n' }));
    }
    return new Zones(defined, fallback, fromYear);
  }

  has(tzid: string): boolean {
    return this.defined.has(tzid);
  }

  /** The zone for a TZID: the file's definition first, then Intl's; null if neither knows it. */
  get(tzid: string): ICAL.Timezone | null {
    if (!this.cache.has(tzid)) {
      const own = this.defined.get(tzid);
      // Definitions are built (parsed, or generated from Intl) only for a zone not shared yet.
      const zone =
        own !== undefined
          ? sharedZone(() => new ICAL.Component(ICAL.parse(own)), tzid, own)
          : isIanaZone(tzid)
            ? sharedZone(() => vtimezoneFromIntl(tzid, this.fromYear)!, tzid, `intl ${tzid} ${this.fromYear}`)
            : null;
      this.cache.set(tzid, zone);
    }
    return this.cache.get(tzid)!;
  }

  /** The zone a wall time is read in. */
  resolve(spec: ZoneSpec): ICAL.Timezone {
    if (spec.kind === 'utc') return ICAL.Timezone.utcTimezone;
    const tz = spec.kind === 'tzid' ? this.get(spec.tzid) : null;
    return tz ?? this.get(this.fallback) ?? ICAL.Timezone.utcTimezone;
  }
}

/** The zone a parsed DATE-TIME property value was written in. */
export function specOf(prop: ICAL.Property, value: ICAL.Time): ZoneSpec {
  if (value.zone === ICAL.Timezone.utcTimezone) return { kind: 'utc' };
  const tzid = prop.getParameter('tzid');
  return typeof tzid === 'string' && tzid ? { kind: 'tzid', tzid } : { kind: 'floating' };
}

/** Epoch ms of a wall time read in `zone`. */
export function instantOf(value: ICAL.Time, zone: ICAL.Timezone): number {
  const t = new ICAL.Time(
    { year: value.year, month: value.month, day: value.day, hour: value.hour, minute: value.minute, second: value.second },
    zone,
  );
  return t.toUnixTime() * 1000;
}

/**
 * The wall time of `ms` in `zone`. Not ical.js's convertToZone: it looks the offset up with the
 * UTC time read as local, an hour off next to a DST change. Here every offset in force within a
 * day is tried; a wall time whose own offset is the one used is consistent. Just before a
 * spring-forward both are (ical.js reads gap times with the new offset): the earlier is real.
 * In the first pass of a repeated hour neither is (ical.js reads repeated times with the new
 * offset): the later, in the old offset, is real. isoIn then takes the offset from the instant.
 */
export function wallTime(ms: number, zone: ICAL.Timezone): ICAL.Time {
  if (zone === ICAL.Timezone.utcTimezone) return ICAL.Time.fromJSDate(new Date(ms), true);
  const at = (offsetSeconds: number) => {
    const d = new Date(ms + offsetSeconds * 1000);
    return new ICAL.Time(
      { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() },
      zone,
    );
  };
  const offsets = new Set([-86_400, 0, 86_400].map((shift) => zone.utcOffset(at(shift))));
  const candidates = [...offsets].map((o) => ({ o, t: at(o) }));
  const consistent = candidates.filter((c) => zone.utcOffset(c.t) === c.o);
  const sorted = (consistent.length ? consistent : candidates).sort((a, b) => a.t.compare(b.t));
  return (consistent.length ? sorted[0] : sorted[sorted.length - 1])!.t;
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** ISO 8601 with the zone's offset at that instant, e.g. `2024-03-10T09:00:00-07:00`. */
export function isoIn(ms: number, zone: ICAL.Timezone): string {
  const t = wallTime(ms, zone);
  const off = Math.round((ms - Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second)) / -60_000);
  const sign = off < 0 ? '-' : '+';
  return (
    `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}` +
    `${sign}${pad(Math.trunc(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
  );
}

export const dateText = (t: ICAL.Time): string => `${t.year}-${pad(t.month)}-${pad(t.day)}`;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of an ISO date-time with offset; throws CrmValidationError naming `field`. */
export function parseIsoInstant(value: unknown, field: string): number {
  const m = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (!m) throw new CrmValidationError(field, 'expected ISO 8601 date-time with offset');
  const [, y, mo, d, h, mi, s, z] = m;
  const local = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0));
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h! > 23 || +mi! > 59) {
    throw new CrmValidationError(field, 'date-time out of range');
  }
  if (z === 'Z') return local;
  const sign = z!.startsWith('-') ? -1 : 1;
  const digits = z!.slice(1).replace(':', '');
  return local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** An all-day date `YYYY-MM-DD` as an ical.js DATE; throws CrmValidationError naming `field`. */
export function parseIsoDate(value: unknown, field: string): ICAL.Time {
  const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  const t = m ? ICAL.Time.fromDateString(value as string) : null;
  if (!t || dateText(t) !== value) throw new CrmValidationError(field, 'expected date YYYY-MM-DD');
  return t;
}

/** The year a text mentions first: VTIMEZONEs are generated from there on. */
export function yearHint(values: string[]): number {
  for (const v of values) {
    const m = /^(\d{4})/.exec(v);
    if (m) return Number(m[1]) - 1;
  }
  return new Date().getUTCFullYear() - 1;
}

/** Serialized VTIMEZONE for `tzid` as raw lines, or null for a zone Intl does not know. */
export function vtimezoneRaw(tzid: string, fromYear: number, eol: string): RawComp | null {
  const comp = vtimezoneFromIntl(tzid, fromYear);
  if (!comp) return null;
  const doc = parseRaw(comp.toString().replace(/\r\n/g, eol) + eol);
  return comps(doc, 'VTIMEZONE')[0] ?? null;
}

/** Sets a DATE/DATE-TIME value with the TZID parameter matching `spec` (ical.js does not). */
export function setTimeValue(prop: ICAL.Property, value: ICAL.Time, spec: ZoneSpec): void {
  prop.setValue(value);
  if (!value.isDate && spec.kind === 'tzid') prop.setParameter('tzid', spec.tzid);
  else prop.removeParameter('tzid');
}

/** The wall time of `ms` written in `spec`'s form (UTC, floating in the fallback, or TZID). */
export function timeIn(ms: number, spec: ZoneSpec, zones: Zones): ICAL.Time {
  const t = wallTime(ms, zones.resolve(spec));
  if (spec.kind !== 'floating') return t;
  return ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second });
}
