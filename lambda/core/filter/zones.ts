/**
 * Reading iCalendar times as instants. ical.js resolves TZIDs against the object's own
 * VTIMEZONEs; what it cannot resolve comes back floating. Floating times and DATE values are
 * read in the query's or calendar's time zone (RFC 4791 §9.9, §7.3), UTC when none is known.
 */
import ICAL from 'ical.js';

export interface ZoneContext {
  /** Zone for floating times and all-day dates; null means UTC. */
  floating: ICAL.Timezone | null;
}

export const UTC_CONTEXT: ZoneContext = { floating: null };

const isFloating = (time: ICAL.Time) => !time.zone || time.zone.tzid === 'floating';

/**
 * @param tzid the TZID parameter of the property the time came from: when the object carries no
 *   VTIMEZONE for it, an IANA name is still honoured through Intl.
 */
export function epochMs(time: ICAL.Time, zones: ZoneContext, tzid?: string): number {
  if (!isFloating(time)) return time.toUnixTime() * 1000;
  if (tzid && !time.isDate) {
    const viaIntl = ianaEpoch(time, tzid);
    if (viaIntl !== null) return viaIntl;
  }
  if (zones.floating) {
    const local = time.clone();
    local.zone = zones.floating;
    return local.toUnixTime() * 1000;
  }
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
}

/** The instant of a DATE or DATE-TIME property value. */
export function propEpochMs(prop: ICAL.Property, zones: ZoneContext): number | null {
  const value = prop.getFirstValue();
  if (!(value instanceof ICAL.Time)) return null;
  return epochMs(value, zones, tzidOf(prop));
}

export function tzidOf(prop: ICAL.Property | null): string | undefined {
  const tzid = prop?.getParameter('tzid');
  return typeof tzid === 'string' ? tzid : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(tzid: string): Intl.DateTimeFormat | null {
  if (!formatters.has(tzid)) {
    let fmt: Intl.DateTimeFormat | null = null;
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tzid,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      fmt = null; // not an IANA name (e.g. a Windows zone name): treat as floating
    }
    if (formatters.size < 500) formatters.set(tzid, fmt);
    return fmt;
  }
  return formatters.get(tzid) ?? null;
}

function ianaEpoch(time: ICAL.Time, tzid: string): number | null {
  const fmt = formatterFor(tzid);
  if (!fmt) return null;
  const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  const offsetAt = (ms: number) => {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - ms;
  };
  // Two rounds settle the offset except inside a DST gap, where either side is acceptable.
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}

/** The zone of a VCALENDAR text holding one VTIMEZONE (CALDAV:timezone, calendar-timezone). */
export function zoneFromCalendarText(text: string | undefined): ICAL.Timezone | null {
  if (!text?.trim()) return null;
  try {
    const vtimezone = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vtimezone');
    return vtimezone ? new ICAL.Timezone(vtimezone) : null;
  } catch {
    return null;
  }
}

/** VTIMEZONE definitions seen so far, by their full content: most calendars repeat a handful. */
const sharedZones = new Map<string, ICAL.Timezone>();
const MAX_SHARED_ZONES = 256;

/**
 * Parses a calendar object for querying, reusing one ICAL.Timezone per distinct VTIMEZONE. ical.js
 * hydrates a fresh Timezone for every parsed object and recomputes its transitions from the
 * definition's first DTSTART (iOS sends 1981 for Europe/Paris), which was most of the cost of a
 * calendar-query; a shared Timezone keeps the transitions it computed. Keyed by content, so two
 * objects with different definitions under one TZID each keep their own.
 */
export function parseForQuery(ics: string): ICAL.Component {
  const vcalendar = new ICAL.Component(ICAL.parse(ics));
  const byTzid = new Map<string, ICAL.Timezone>();
  for (const vtimezone of vcalendar.getAllSubcomponents('vtimezone')) {
    const tzid = vtimezone.getFirstPropertyValue('tzid');
    if (typeof tzid !== 'string') continue;
    const key = JSON.stringify(vtimezone.jCal);
    let zone = sharedZones.get(key);
    if (!zone) {
      if (sharedZones.size >= MAX_SHARED_ZONES) sharedZones.clear();
      zone = new ICAL.Timezone({ component: vtimezone, tzid });
      sharedZones.set(key, zone);
    }
    byTzid.set(tzid, zone);
  }
  if (byTzid.size > 0) {
    // Subcomponents resolve TZIDs through the root's getTimeZoneByID.
    const own = vcalendar.getTimeZoneByID.bind(vcalendar);
    vcalendar.getTimeZoneByID = (tzid: string) => byTzid.get(tzid) ?? own(tzid);
  }
  return vcalendar;
}
