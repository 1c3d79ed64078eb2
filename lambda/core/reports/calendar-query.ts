/**
 * CALDAV:calendar-query (RFC 4791 §7.8). The store narrows candidates by the event time-range
 * (Radicale's prefilter); each candidate is then parsed and matched exactly.
 */
import { forbidden } from '../errors';
import { matchesFilter } from '../filter/match';
import { parseFilter } from '../filter/parse';
import { parsedForMatching } from '../filter/parsed';
import type { CompFilter, TimeRange } from '../filter/types';
import { CAL } from '../namespaces';
import { multistatus } from '../responses';
import type { DavContext, DavResponse } from '../types';
import { findChild, type XmlElement } from '../xml';
import type { StoredObject } from '../../store/types';
import { objectResponses, reportProps, zonesFor } from './objects';
import { listKey, type ListRef } from '../paths';

/**
 * Margin around the range given to the store's prefilter. The stored bounds already allow for
 * floating times (FLOATING_SLACK_MS in ics/range.ts); this only keeps items whose bounds an older
 * version computed more tightly from slipping out. Exact matching follows, so a margin costs only
 * a few extra parses.
 */
const PREFILTER_MARGIN_MS = 24 * 3600 * 1000;

/** @param objectName set when the request-URI is one object rather than the calendar. */
export async function calendarQuery(
  root: XmlElement,
  at: ListRef,
  objectName: string | null,
  ctx: DavContext,
): Promise<DavResponse> {
  const props = reportProps(root);
  const filterElement = findChild(root, CAL('filter'));
  if (!filterElement) throw forbidden('calendar-query needs a CALDAV:filter', CAL('valid-filter'));
  const filter = parseFilter(filterElement);
  const key = listKey(at);
  const meta = await ctx.store.getCalendar(key);
  const zones = zonesFor(meta, findChild(root, CAL('timezone'))?.text);

  let candidates: StoredObject[];
  if (objectName !== null) {
    const one = await ctx.store.getObject(key, objectName);
    candidates = one ? [one] : [];
  } else {
    const range = prefilterRange(filter);
    candidates = await ctx.store.findInRange(
      key,
      range?.start == null ? null : range.start - PREFILTER_MARGIN_MS,
      range?.end == null ? null : range.end + PREFILTER_MARGIN_MS,
      meta.seq,
    );
  }
  const matches = candidates
    .filter((o) => {
      try {
        return matchesFilter(parsedForMatching(o.ics), filter, zones);
      } catch {
        return false; // unparsable stored data matches nothing rather than failing the query
      }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return multistatus(matches.map(objectResponses(at, props, ctx, zones)));
}

/** The VEVENT time-range every match must satisfy, if the filter has one. */
function prefilterRange(filter: CompFilter): TimeRange | null {
  const event = filter.compFilters.find((f) => f.name === 'VEVENT' && !f.isNotDefined && f.timeRange);
  return event?.timeRange ?? null;
}
