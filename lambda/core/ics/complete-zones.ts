/**
 * TZIDs without a VTIMEZONE (RFC 5545 §3.2.19 requires one per TZID). A known IANA name is
 * completed with a VTIMEZONE generated from the platform's zone data, as RFC 7809 lets a server
 * do for clients that leave standard zones out; any other name cannot be resolved and is refused.
 */
import ICAL from 'ical.js';
import { invalidData } from './parse';
import { isIanaZone, vtimezoneFromIntl } from './vtimezone';

/** Every TZID parameter in the events or to-dos (DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE, RDATE, …). */
function referencedZones(components: ICAL.Component[]): Set<string> {
  const zones = new Set<string>();
  const visit = (comp: ICAL.Component) => {
    for (const prop of comp.getAllProperties()) {
      const tzid = prop.getParameter('tzid');
      if (typeof tzid === 'string' && tzid !== '') zones.add(tzid);
    }
    comp.getAllSubcomponents().forEach(visit);
  };
  components.forEach(visit);
  return zones;
}

/** The earliest year the object's times name: where generated zone rules must start. */
function firstYear(components: ICAL.Component[]): number {
  const years = components.flatMap((c) => ['dtstart', 'due'].map((p) => c.getFirstPropertyValue(p)).filter((v): v is ICAL.Time => v instanceof ICAL.Time).map((t) => t.year));
  return years.length ? Math.min(...years) : new Date().getUTCFullYear();
}

/**
 * The text with a VTIMEZONE inserted before the first VEVENT (or VTODO) for each referenced IANA
 * zone it does not define; null when nothing is missing. Throws valid-calendar-data for unknown zones.
 */
export function completeTimezones(text: string, vcalendar: ICAL.Component, components: ICAL.Component[]): string | null {
  const defined = new Set(vcalendar.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid'))));
  const missing = [...referencedZones(components)].filter((tzid) => !defined.has(tzid));
  if (missing.length === 0) return null;
  const unknown = missing.filter((tzid) => !isIanaZone(tzid));
  if (unknown.length > 0) throw invalidData(`TZID ${unknown.map((z) => `"${z}"`).join(', ')} has no VTIMEZONE and is not a time zone this server knows`);
  const fromYear = firstYear(components);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const blocks = missing.map((tzid) => vtimezoneFromIntl(tzid, fromYear)!.toString().split(/\r?\n/).join(eol));
  const at = text.search(/^BEGIN:(VEVENT|VTODO)\r?$/im);
  return `${text.slice(0, at)}${blocks.join(eol)}${eol}${text.slice(at)}`;
}
