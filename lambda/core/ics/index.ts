/**
 * What the protocol layer needs to know about an iCalendar body before storing it verbatim:
 * that it is a valid calendar object resource, its UID and the time span it covers.
 */
import { DavError } from '../errors';
import { completeTimezones } from './complete-zones';
import { invalidData, messageOf, parseCalendarObject, type ComponentName } from './parse';
import { spanOf, type TimeSpan } from './range';

export { UnsupportedComponent, type ComponentName } from './parse';

export { etagFor } from './etag';
export { FLOATING_SLACK_MS, MAX_COUNT_EXPANSION, type TimeSpan } from './range';

export interface CalendarObjectInfo extends TimeSpan {
  uid: string;
  /** What to store: the text as sent, or completed with VTIMEZONEs for IANA TZIDs it left out. */
  text: string;
}

/**
 * Throws a 403 DavError naming the CalDAV precondition the text violates. `component`: what the
 * collection holds, VEVENTs (the calendar) or VTODOs (the tasks list).
 */
export function analyzeCalendarObject(text: string, component: ComponentName = 'VEVENT'): CalendarObjectInfo {
  try {
    const parsed = parseCalendarObject(text, component);
    const completed = completeTimezones(text, parsed.vcalendar, parsed.components);
    const { uid, components } = completed === null ? parsed : parseCalendarObject(completed, component);
    return { uid, ...spanOf(components), text: completed ?? text };
  } catch (err) {
    if (err instanceof DavError) throw err;
    // ical.js decodes property values lazily, so a malformed date or rule surfaces here.
    throw invalidData(`Not valid iCalendar data: ${messageOf(err)}`);
  }
}
