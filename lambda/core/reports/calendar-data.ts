/**
 * The CALDAV:calendar-data property of a REPORT (RFC 4791 §9.6): the stored text untouched, or
 * shaped by expand, limit-recurrence-set and a comp/prop selection.
 */
import ICAL from 'ical.js';
import { badRequest, forbidden } from '../errors';
import { parseTimeRange } from '../filter/parse';
import type { TimeRange } from '../filter/types';
import { parseForQuery, type ZoneContext } from '../filter/zones';
import { CAL } from '../namespaces';
import { findChild, findChildren, type XmlElement } from '../xml';
import { expandCalendar, limitRecurrenceSet } from './expand';

/** A CALDAV:comp selection (§9.6.1): which properties and subcomponents to return. */
export interface CompSelection {
  name: string;
  /** null = all properties (allprop). */
  props: Array<{ name: string; novalue: boolean }> | null;
  /** null = all subcomponents, in full (allcomp). */
  comps: CompSelection[] | null;
}

export interface CalendarDataSpec {
  expand?: TimeRange;
  limitRecurrenceSet?: TimeRange;
  select?: CompSelection;
}

const malformed = (message: string) => badRequest(message);

export function parseCalendarDataSpec(element: XmlElement): CalendarDataSpec {
  const type = element.attrs['content-type'] ?? 'text/calendar';
  const version = element.attrs['version'] ?? '2.0';
  if (type.toLowerCase() !== 'text/calendar' || version !== '2.0') {
    throw forbidden(`calendar-data ${type} ${version} is not supported`, CAL('supported-calendar-data'));
  }
  const expand = findChild(element, CAL('expand'));
  const limit = findChild(element, CAL('limit-recurrence-set'));
  const comp = findChild(element, CAL('comp'));
  const spec: CalendarDataSpec = {};
  if (expand) spec.expand = boundedRange(expand);
  if (limit) spec.limitRecurrenceSet = boundedRange(limit);
  if (comp) {
    spec.select = parseComp(comp);
    if (spec.select.name !== 'VCALENDAR') throw malformed('The outer CALDAV:comp must name VCALENDAR');
  }
  return spec;
}

/** expand and limit-recurrence-set require both ends (§9.6.5, §9.6.6). */
function boundedRange(element: XmlElement): TimeRange {
  const range = parseTimeRange(element, malformed);
  if (range.start === null || range.end === null) throw malformed(`${element.name} needs start and end`);
  return range;
}

function parseComp(element: XmlElement): CompSelection {
  const name = element.attrs['name']?.trim().toUpperCase();
  if (!name) throw malformed('CALDAV:comp needs a name');
  const allprop = findChild(element, CAL('allprop')) !== undefined;
  const allcomp = findChild(element, CAL('allcomp')) !== undefined;
  return {
    name,
    props: allprop
      ? null
      : findChildren(element, CAL('prop')).map((p) => ({
          name: (p.attrs['name'] ?? '').trim().toUpperCase(),
          novalue: p.attrs['novalue'] === 'yes',
        })),
    comps: allcomp ? null : findChildren(element, CAL('comp')).map(parseComp),
  };
}

const isEmpty = (spec: CalendarDataSpec) => !spec.expand && !spec.limitRecurrenceSet && !spec.select;

/** The text to return. Stored data that fails to parse is returned as stored. */
export function renderCalendarData(ics: string, spec: CalendarDataSpec, zones: ZoneContext): string {
  if (isEmpty(spec)) return ics;
  let vcalendar: ICAL.Component;
  try {
    vcalendar = parseForQuery(ics);
  } catch {
    return ics;
  }
  if (spec.limitRecurrenceSet) vcalendar = limitRecurrenceSet(vcalendar, spec.limitRecurrenceSet, zones);
  if (spec.expand) vcalendar = expandCalendar(vcalendar, spec.expand, zones);
  if (spec.select) vcalendar = select(vcalendar, spec.select);
  return `${vcalendar.toString()}\r\n`;
}

function select(comp: ICAL.Component, selection: CompSelection): ICAL.Component {
  const out = new ICAL.Component(comp.name);
  for (const prop of comp.getAllProperties()) {
    const wanted = selection.props === null ? { novalue: false } : selection.props.find((p) => p.name === prop.name.toUpperCase());
    if (!wanted) continue;
    const jCal = structuredClone(prop.jCal);
    // novalue: the property is returned without its value (§9.6.4).
    out.addProperty(new ICAL.Property(wanted.novalue ? [jCal[0], jCal[1], 'unknown', ''] : jCal));
  }
  for (const sub of comp.getAllSubcomponents()) {
    if (selection.comps === null) {
      out.addSubcomponent(new ICAL.Component(structuredClone(sub.jCal)));
      continue;
    }
    const child = selection.comps.find((c) => c.name === sub.name.toUpperCase());
    if (child) out.addSubcomponent(select(sub, child));
  }
  return out;
}
