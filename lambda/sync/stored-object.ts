/** A calendar object record for iCalendar text produced on the server side (CRM -> CalDAV). */
import { analyzeCalendarObject, etagFor, type ComponentName } from '../core/ics';
import type { StoredObject } from '../store/types';

/** `component`: what the collection holds, VEVENT for the calendar, VTODO for the tasks list. */
export function storedObjectFor(name: string, ics: string, now: Date, component: ComponentName = 'VEVENT'): StoredObject {
  const { text, ...info } = analyzeCalendarObject(ics, component);
  return { name, ...info, etag: etagFor(text), ics: text, lastModified: now.toISOString(), size: Buffer.byteLength(text, 'utf8') };
}
