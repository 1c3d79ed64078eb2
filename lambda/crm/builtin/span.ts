/**
 * The time an event covers, for range listing: derived from the iCalendar the CRM fields map
 * to, so recurrence (COUNT, UNTIL, RDATE, overrides) and all-day/floating slack follow exactly
 * the rules the CalDAV store uses for its own prefilter. Building it also validates the fields
 * (times, end before start, RRULE, participant e-mails) with the mapping's CrmValidationError.
 */
import { analyzeCalendarObject } from '../../core/ics';
import { crmEventToIcs } from '../mapping';
import { CrmValidationError, type CrmEvent, type CrmEventDraft, type CrmUser } from '../types';

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

/**
 * The span a phone's edit leaves as it was, or null when it must be computed again: an edit of a
 * single event (neither before nor after recurring) that keeps its times, all-day flag,
 * participants and reminder. Its span depends on nothing else (a single event's times are instants
 * or all-day dates, neither read in the owner's zone), and the fields left out (title, venue,
 * description) cannot fail the checks spanOfEvent makes: from a phone they come out of a
 * calendar object the CalDAV side has already validated. Renaming an event is a common edit, and
 * spanOfEvent's render-and-parse was a third of a phone PUT's CPU (bench/README.md).
 */
export function unchangedSpan(before: CrmEvent | null, stored: EventSpan | null, after: CrmEvent): EventSpan | null {
  if (!before || !stored || before.Deleted || after.Deleted) return null;
  const single = (e: CrmEvent) => e.Recurring_Activity === null && e.Recurrence_Exceptions.length === 0;
  if (!single(before) || !single(after)) return null;
  const same =
    before.Start_DateTime === after.Start_DateTime &&
    before.End_DateTime === after.End_DateTime &&
    before.All_day === after.All_day &&
    before.Remind_At === after.Remind_At &&
    JSON.stringify(before.Participants) === JSON.stringify(after.Participants);
  return same ? stored : null;
}

/** Whether a span overlaps [from, to): the EventRange rules of the connector port. */
export function overlaps(span: EventSpan, from: number | null, to: number | null): boolean {
  if (to !== null && span.rangeStart !== null && span.rangeStart >= to) return false;
  if (from !== null && span.rangeEnd !== null && span.rangeEnd < from) return false;
  return true;
}
