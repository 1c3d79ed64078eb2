/**
 * What the protocol layer needs to know about an iCalendar body before storing it verbatim:
 * that it is a valid calendar object resource, its UID and the time span it covers.
 */
import { DavError } from '../errors';
import { completeTimezones } from './complete-zones';
import { invalidData, messageOf, parseCalendarObject } from './parse';
import { spanOf, type TimeSpan } from './range';

export { etagFor } from './etag';
export { FLOATING_SLACK_MS, MAX_COUNT_EXPANSION, type TimeSpan } from './range';

export interface CalendarObjectInfo extends TimeSpan {
  uid: string;
  /** What to store: the text as sent, or completed with VTIMEZONEs for IANA TZIDs it left out. */
  text: string;
}

/** Throws a 403 DavError naming the CalDAV precondition the text violates. */
export function analyzeCalendarObject(text: string): CalendarObjectInfo {
  try {
    const parsed = parseCalendarObject(text);
    const completed = completeTimezones(text, parsed.vcalendar, parsed.events);
    const { uid, events } = completed === null ? parsed : parseCalendarObject(completed);
    return { uid, ...spanOf(events), text: completed ?? text };
  } catch (err) {
    if (err instanceof DavError) throw err;
    // ical.js decodes property values lazily, so a malformed date or rule surfaces here.
    throw invalidData(`Not valid iCalendar data: ${messageOf(err)}`);
  }
}
