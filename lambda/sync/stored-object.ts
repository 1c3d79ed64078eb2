/** A calendar object record for iCalendar text produced on the server side (CRM -> CalDAV). */
import { analyzeCalendarObject, etagFor } from '../core/ics';
import type { StoredObject } from '../store/types';

export function storedObjectFor(name: string, ics: string, now: Date): StoredObject {
  const { text, ...info } = analyzeCalendarObject(ics);
  return { name, ...info, etag: etagFor(text), ics: text, lastModified: now.toISOString(), size: Buffer.byteLength(text, 'utf8') };
}
