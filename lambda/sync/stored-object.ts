/** A calendar object record for iCalendar text produced on the server side (CRM -> CalDAV). */
import { analyzeCalendarObject, etagFor } from '../core/ics';
import type { StoredObject } from '../store/types';

export function storedObjectFor(name: string, ics: string, now: Date): StoredObject {
  return {
    name,
    ...analyzeCalendarObject(ics),
    etag: etagFor(ics),
    ics,
    lastModified: now.toISOString(),
    size: Buffer.byteLength(ics, 'utf8'),
  };
}
