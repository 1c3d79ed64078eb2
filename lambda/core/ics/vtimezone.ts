/**
 * VTIMEZONE from the platform's IANA data (Intl). ical.js carries no zone database, so a TZID the
 * file does not define (new CRM events, a TZID sent without VTIMEZONE) gets one generated here.
 *
 * Transitions are found by sampling Intl offsets over a span of years. When every year in the
 * span has the same two transitions on an "nth/last weekday of month" rule (all DST zones in use
 * today), the zone is written as two RRULE observances, valid for any later year too. Otherwise
 * each transition in the span becomes its own observance (the last offset then holds for later
 * dates: a documented limit for zones without regular rules).
 */
import ICAL from 'ical.js';

const DAY = 86_400_000;
/** Sampling step: offsets changing twice within a week (none in use today) would be missed. */
const STEP = 7 * DAY;
const MINUTE = 60_000;
const SPAN_YEARS = 12;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** UTC offset of `tz` at `ms` in minutes, or null when Intl does not know the zone. */
export function intlOffset(tz: string, ms: number): number | null {
  let f = offsetFormats.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    } catch {
      return null;
    }
    offsetFormats.set(tz, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name);
  if (!m) return null;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

export const isIanaZone = (tz: string): boolean => intlOffset(tz, 0) !== null;

function shortName(tz: string, ms: number): string | undefined {
  for (const locale of ['en-US', 'en-GB']) {
    const f = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: 'short' });
    const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value;
    if (name && !/^(GMT|UTC)/.test(name)) return name;
  }
  return undefined;
}

interface Transition {
  at: number;
  from: number;
  to: number;
}

function transitions(tz: string, fromMs: number, toMs: number): Transition[] {
  const out: Transition[] = [];
  let prev = intlOffset(tz, fromMs)!;
  for (let t = fromMs; t < toMs; t += STEP) {
    const next = intlOffset(tz, t + STEP)!;
    if (next === prev) continue;
    let lo = t;
    let hi = t + STEP;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (intlOffset(tz, mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, from: prev, to: next });
    prev = next;
  }
  return out;
}

/** Wall-clock fields of the instant in the offset in force just before it. */
function localBefore(t: Transition) {
  const d = new Date(t.at + t.from * MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    daysInMonth: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  };
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** `2SU`, `-1SU`, or null when the transitions do not follow one weekday rule. */
function yearlyRule(ts: Transition[]): string | null {
  const fields = ts.map(localBefore);
  const f0 = fields[0]!;
  const same = fields.every(
    (f) => f.month === f0.month && f.weekday === f0.weekday && f.hour === f0.hour && f.minute === f0.minute,
  );
  if (!same) return null;
  const nth = Math.ceil(f0.day / 7);
  if (nth < 5 && fields.every((f) => Math.ceil(f.day / 7) === nth)) return `${nth}${WEEKDAYS[f0.weekday]}`;
  if (fields.every((f) => f.day + 7 > f.daysInMonth)) return `-1${WEEKDAYS[f0.weekday]}`;
  return null;
}

const utcOffset = (min: number) => ICAL.UtcOffset.fromSeconds(min * 60);

function observance(tz: string, t: Transition, isDaylight: boolean, rrule?: string): ICAL.Component {
  const kind = isDaylight ? 'daylight' : 'standard';
  const obs = new ICAL.Component(kind);
  const f = localBefore(t);
  obs.addPropertyWithValue('tzoffsetfrom', utcOffset(t.from));
  obs.addPropertyWithValue('tzoffsetto', utcOffset(t.to));
  const name = shortName(tz, t.at);
  if (name) obs.addPropertyWithValue('tzname', name);
  obs.addPropertyWithValue(
    'dtstart',
    ICAL.Time.fromData({ year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: 0 }),
  );
  if (rrule) obs.addPropertyWithValue('rrule', ICAL.Recur.fromString(rrule));
  return obs;
}

/**
 * A VTIMEZONE for IANA zone `tzid` valid from `fromYear` on, or null when Intl does not know
 * the zone.
 */
export function vtimezoneFromIntl(tzid: string, fromYear: number): ICAL.Component | null {
  const key = `${tzid}/${fromYear}`;
  if (!generated.has(key)) generated.set(key, generate(tzid, fromYear));
  const comp = generated.get(key);
  return comp ? new ICAL.Component(comp.toJSON()) : null;
}

/** Generated zones by `tzid/fromYear`: sampling Intl costs milliseconds, zones rarely vary. */
const generated = new Map<string, ICAL.Component | null>();

function generate(tzid: string, fromYear: number): ICAL.Component | null {
  if (!isIanaZone(tzid)) return null;
  const vtz = new ICAL.Component('vtimezone');
  vtz.addPropertyWithValue('tzid', tzid);
  const start = Date.UTC(fromYear, 0, 1);
  const ts = transitions(tzid, start, Date.UTC(fromYear + SPAN_YEARS, 0, 1));
  const initial = intlOffset(tzid, start)!;
  if (ts.length === 0) {
    vtz.addSubcomponent(observance(tzid, { at: Date.UTC(1970, 0, 1) - initial * MINUTE, from: initial, to: initial }, false));
    return vtz;
  }
  const odd = ts.filter((_, i) => i % 2 === 1);
  const even = ts.filter((_, i) => i % 2 === 0);
  const regular =
    ts.length === SPAN_YEARS * 2 &&
    ts.every((t, i) => t.from === ts[i % 2]!.from && t.to === ts[i % 2]!.to);
  const rules = regular ? [yearlyRule(even), yearlyRule(odd)] : [null, null];
  // ical.js gives offset 0 before a zone's first observance: the fixed first one covers that.
  vtz.addSubcomponent(observance(tzid, { at: Date.UTC(1970, 0, 1) - initial * MINUTE, from: initial, to: initial }, initial > ts[0]!.to));
  if (rules[0] && rules[1]) {
    [ts[0]!, ts[1]!].forEach((t, i) => vtz.addSubcomponent(observance(tzid, t, t.to > t.from, `FREQ=YEARLY;BYMONTH=${localBefore(t).month};BYDAY=${rules[i]}`)));
    return vtz;
  }
  for (const t of ts) vtz.addSubcomponent(observance(tzid, t, t.to > t.from));
  return vtz;
}
