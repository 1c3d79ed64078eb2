/**
 * The time an event covers, for range listing: derived from the iCalendar the CRM fields map
 * to, so recurrence (COUNT, UNTIL, RDATE, overrides) and all-day/floating slack follow exactly
 * the rules the CalDAV store uses for its own prefilter. Building it also validates the fields
 * (times, end before start, RRULE, participant e-mails) with the mapping's CrmValidationError.
 */
import { analyzeCalendarObject } from '../../core/ics';
import { crmEventToIcs } from '../mapping';
import { CrmValidationError, type CrmEventDraft, type CrmUser } from '../types';

export interface EventSpan {
  /** Epoch ms; null = unbounded on that side. */
  rangeStart: number | null;
  rangeEnd: number | null;
}

export function spanOfEvent(event: CrmEventDraft & { id: string }, owner: CrmUser): EventSpan {
  // Without the stored iCalendar: only CRM-owned fields decide the span.
  const ics = crmEventToIcs({ ...event, caldav: event.caldav ? { uid: event.caldav.uid } : null }, { owner, now: new Date(0) });
  try {
    const { rangeStart, rangeEnd } = analyzeCalendarObject(ics);
    return { rangeStart, rangeEnd };
  } catch (err) {
    throw new CrmValidationError('Recurring_Activity', err instanceof Error ? err.message : 'not a valid event');
  }
}

/** Whether a span overlaps [from, to): the EventRange rules of the connector port. */
export function overlaps(span: EventSpan, from: number | null, to: number | null): boolean {
  if (to !== null && span.rangeStart !== null && span.rangeStart >= to) return false;
  if (from !== null && span.rangeEnd !== null && span.rangeEnd < from) return false;
  return true;
}
