/**
 * Turns a CALDAV:filter element (RFC 4791 §9.7) into a typed filter. Structural problems are the
 * CALDAV:valid-filter precondition, unknown collations CALDAV:supported-collation (§7.8): both 403.
 */
import { forbidden } from '../errors';
import { CAL } from '../namespaces';
import { findChild, findChildren, type XmlElement } from '../xml';
import type { Collation, CompFilter, MatchType, ParamFilter, PropFilter, TextMatch, TimeRange } from './types';

const invalid = (message: string) => forbidden(message, CAL('valid-filter'));

const COLLATIONS: readonly Collation[] = ['i;ascii-casemap', 'i;unicode-casemap', 'i;octet'];
const MATCH_TYPES: readonly MatchType[] = ['equals', 'contains', 'starts-with', 'ends-with'];

/** @param filter the CALDAV:filter element; its one comp-filter must name VCALENDAR. */
export function parseFilter(filter: XmlElement): CompFilter {
  const comps = findChildren(filter, CAL('comp-filter'));
  if (comps.length !== 1) throw invalid('CALDAV:filter must hold exactly one comp-filter');
  const root = parseCompFilter(comps[0]);
  if (root.name !== 'VCALENDAR') throw invalid('The top-level comp-filter must name VCALENDAR');
  if (root.timeRange) throw invalid('time-range is not allowed on VCALENDAR');
  return root;
}

function nameOf(element: XmlElement): string {
  const name = element.attrs['name']?.trim();
  if (!name) throw invalid(`${element.name} needs a name attribute`);
  return name.toUpperCase();
}

function parseCompFilter(element: XmlElement): CompFilter {
  const timeRange = findChild(element, CAL('time-range'));
  return {
    name: nameOf(element),
    isNotDefined: findChild(element, CAL('is-not-defined')) !== undefined,
    ...(timeRange && { timeRange: parseTimeRange(timeRange) }),
    propFilters: findChildren(element, CAL('prop-filter')).map(parsePropFilter),
    compFilters: findChildren(element, CAL('comp-filter')).map(parseCompFilter),
  };
}

function parsePropFilter(element: XmlElement): PropFilter {
  const timeRange = findChild(element, CAL('time-range'));
  const textMatch = findChild(element, CAL('text-match'));
  if (timeRange && textMatch) throw invalid('prop-filter may hold time-range or text-match, not both');
  return {
    name: nameOf(element),
    isNotDefined: findChild(element, CAL('is-not-defined')) !== undefined,
    ...(timeRange && { timeRange: parseTimeRange(timeRange) }),
    ...(textMatch && { textMatch: parseTextMatch(textMatch) }),
    paramFilters: findChildren(element, CAL('param-filter')).map(parseParamFilter),
  };
}

function parseParamFilter(element: XmlElement): ParamFilter {
  const textMatch = findChild(element, CAL('text-match'));
  return {
    name: nameOf(element),
    isNotDefined: findChild(element, CAL('is-not-defined')) !== undefined,
    ...(textMatch && { textMatch: parseTextMatch(textMatch) }),
  };
}

export function parseTextMatch(element: XmlElement): TextMatch {
  const collation = (element.attrs['collation'] ?? 'i;ascii-casemap') as Collation;
  if (!COLLATIONS.includes(collation)) {
    throw forbidden(`Unsupported collation ${collation}`, CAL('supported-collation'));
  }
  // match-type comes from CardDAV (RFC 6352 §10.5.4); clients use it in CalDAV too.
  const matchType = (element.attrs['match-type'] ?? 'contains') as MatchType;
  if (!MATCH_TYPES.includes(matchType)) throw invalid(`Unsupported match-type ${matchType}`);
  const negate = element.attrs['negate-condition'] ?? 'no';
  if (negate !== 'yes' && negate !== 'no') throw invalid('negate-condition must be "yes" or "no"');
  return { text: element.text, collation, matchType, negate: negate === 'yes' };
}

/** Reads start/end of a time-range (or expand, limit-recurrence-set) element. */
export function parseTimeRange(element: XmlElement, onError = invalid): TimeRange {
  const start = parseUtc(element.attrs['start'], onError);
  const end = parseUtc(element.attrs['end'], onError);
  if (start === null && end === null) throw onError(`${element.name} needs a start or an end`);
  return { start, end };
}

/** `YYYYMMDDTHHMMSSZ` (RFC 4791 §9.9: "date with UTC time"); a missing Z is read as UTC too. */
export function parseUtc(value: string | undefined, onError = invalid): number | null {
  if (value === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value.trim());
  if (!m) throw onError(`Invalid UTC date-time "${value}"`);
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1);
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 60) {
    throw onError(`Invalid UTC date-time "${value}"`);
  }
  return ms;
}
