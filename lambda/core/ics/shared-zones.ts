/**
 * One ICAL.Timezone per distinct VTIMEZONE definition, for the whole container. ical.js hydrates a
 * fresh Timezone for every parsed object and recomputes its transitions from the definition's
 * first DTSTART (iOS sends 1981 for Europe/Paris, 1970 for others) on the first time it converts:
 * that expansion was most of the CPU of a calendar-query and half of a phone PUT's (bench/README.md).
 * A shared Timezone keeps the transitions it computed. Keyed by content, so two objects with
 * different definitions under one TZID each keep their own.
 */
import ICAL from 'ical.js';

const zones = new Map<string, ICAL.Timezone>();
const MAX_ZONES = 256;

/**
 * The shared zone for a definition; `key` defaults to the component's content. The definition may
 * come as a function, called only when no zone is kept for `key` yet (a parse saved on every hit).
 */
export function sharedZone(vtimezone: ICAL.Component | (() => ICAL.Component), tzid: string, key?: string): ICAL.Timezone {
  let definition = typeof vtimezone === 'function' ? undefined : vtimezone;
  const definitionOf = () => (definition ??= (vtimezone as () => ICAL.Component)());
  const k = key ?? JSON.stringify(definitionOf().jCal);
  let zone = zones.get(k);
  if (!zone) {
    if (zones.size >= MAX_ZONES) zones.clear();
    zone = new ICAL.Timezone({ component: definitionOf(), tzid });
    zones.set(k, zone);
  }
  return zone;
}

/** Makes a parsed VCALENDAR resolve its TZIDs to the shared zones of its own VTIMEZONEs. */
export function useSharedZones(vcalendar: ICAL.Component): ICAL.Component {
  const byTzid = new Map<string, ICAL.Timezone>();
  for (const vtimezone of vcalendar.getAllSubcomponents('vtimezone')) {
    const tzid = vtimezone.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string') byTzid.set(tzid, sharedZone(vtimezone, tzid));
  }
  if (byTzid.size > 0) {
    // Subcomponents resolve TZIDs through the root's getTimeZoneByID.
    const own = vcalendar.getTimeZoneByID.bind(vcalendar);
    vcalendar.getTimeZoneByID = (tzid: string) => byTzid.get(tzid) ?? own(tzid);
  }
  return vcalendar;
}
