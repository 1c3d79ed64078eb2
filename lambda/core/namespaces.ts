/** XML namespaces of the protocols we speak, and the prefixes we write them with. */
export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CS: 'http://calendarserver.org/ns/',
  APPLE: 'http://apple.com/ns/ical/',
} as const;

export const PREFERRED_PREFIXES: Record<string, string> = {
  [NS.DAV]: 'd',
  [NS.CALDAV]: 'cal',
  [NS.CS]: 'cs',
  [NS.APPLE]: 'ical',
};

/** Clark notation: `{namespace}local`. */
export type Clark = string;

export const clark = (ns: string, local: string): Clark => `{${ns}}${local}`;

/** The one way names are written: D('href'), CAL('calendar-data'), CS('getctag'), ICAL('calendar-color'). */
export const D = (local: string): Clark => clark(NS.DAV, local);
export const CAL = (local: string): Clark => clark(NS.CALDAV, local);
export const CS = (local: string): Clark => clark(NS.CS, local);
export const ICAL = (local: string): Clark => clark(NS.APPLE, local);

/** Names recur in every response of a multistatus: each is split once (bounded: names come from requests too). */
const split = new Map<string, { ns: string; local: string }>();
const MAX_SPLIT = 2000;

export function splitClark(name: Clark): { ns: string; local: string } {
  const known = split.get(name);
  if (known) return known;
  const m = /^\{([^}]*)\}(.+)$/.exec(name);
  const parts = Object.freeze(m ? { ns: m[1], local: m[2] } : { ns: '', local: name });
  if (split.size >= MAX_SPLIT) split.clear();
  split.set(name, parts);
  return parts;
}
