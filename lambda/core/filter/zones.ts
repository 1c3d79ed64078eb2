/**
 * Reading iCalendar times as instants. ical.js resolves TZIDs against the object's own
 * VTIMEZONEs; what it cannot resolve comes back floating. Floating times and DATE values are
 * read in the query's or calendar's time zone (RFC 4791 §9.9, §7.3), UTC when none is known.
 */
import ICAL from 'ical.js';
import { useSharedZones } from '../ics/shared-zones';

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

/** Parses a calendar object for querying, its TZIDs resolved to shared zones (ics/shared-zones.ts). */
export const parseForQuery = (ics: string): ICAL.Component => useSharedZones(new ICAL.Component(ICAL.parse(ics)));
