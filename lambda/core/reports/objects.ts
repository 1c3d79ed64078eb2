/** What every calendar REPORT shares: the requested properties and one response per object. */
import { zoneFromCalendarText, type ZoneContext } from '../filter/zones';
import { hrefs, type ListRef } from '../paths';
import { propResponse, type PropRequest } from '../props';
import { keptResponse, requestShape } from '../props/kept-responses';
import { CAL, D } from '../namespaces';
import { ALLPROP, propRequestOf } from '../props/request';
import { statusLine } from '../responses';
import type { DavContext } from '../types';
import { el, findChild, type XmlElement } from '../xml';
import type { CalendarMeta, ObjectSummary, StoredObject } from '../../store/types';
import { parseCalendarDataSpec, renderCalendarData, type CalendarDataSpec } from './calendar-data';

export interface ReportProps {
  request: PropRequest;
  /** How to render calendar-data; null when it was not asked for. */
  calendarData: CalendarDataSpec | null;
}

const CALENDAR_DATA = CAL('calendar-data');

/** RFC 4791 §7.8/§7.9: the prop part is optional and then means allprop. */
export function reportProps(root: XmlElement): ReportProps {
  const hasChoice = ['prop', 'allprop', 'propname'].some((n) => findChild(root, D(n)));
  const request = hasChoice ? propRequestOf(root) : ALLPROP;
  const wanted =
    (request.type === 'prop' && request.names.includes(CALENDAR_DATA)) ||
    (request.type === 'allprop' && request.include.includes(CALENDAR_DATA));
  const element = findChild(findChild(root, D(request.type === 'allprop' ? 'include' : 'prop')), CALENDAR_DATA);
  return { request, calendarData: wanted && element ? parseCalendarDataSpec(element) : null };
}

/** Whether the objects must be loaded in full (summaries lack the text). */
export const needsText = (props: ReportProps) => props.calendarData !== null;

/**
 * A REPORT's responses: without calendar-data, kept between requests (props/kept-responses.ts),
 * unless `fresh` (objects read for this request only, as a change log's summaries are: keeping
 * their responses would cost a serialization that is never used again).
 */
export function objectResponses(at: ListRef, props: ReportProps, ctx: DavContext, zones: ZoneContext, fresh = false) {
  const { calendarData } = props;
  const shape = calendarData || fresh ? null : requestShape(hrefs.calendar(at.email, at.list), props.request, ctx);
  return (object: StoredObject | ObjectSummary): XmlElement => {
    const res = { kind: 'object', email: at.email, list: at.list, object } as const;
    const overrides = calendarData && 'ics' in object ? { [CALENDAR_DATA]: renderCalendarData(object.ics, calendarData, zones) } : {};
    const response = () => propResponse(hrefs.object(at.email, object.name, at.list), res, props.request, ctx, overrides);
    return shape === null ? response() : keptResponse(object, shape, response);
  };
}

/** A response with a bare status: a missing multiget href, a sync-collection removal. */
export const statusResponse = (href: string, status: number): XmlElement =>
  el(D('response'), el(D('href'), href), el(D('status'), statusLine(status)));

/** Floating times are read in the query's CALDAV:timezone, else the calendar's, else UTC. */
export function zonesFor(meta: CalendarMeta, queryTimezone?: string): ZoneContext {
  return { floating: zoneFromCalendarText(queryTimezone) ?? zoneFromCalendarText(meta.props[CAL('calendar-timezone')]) };
}
