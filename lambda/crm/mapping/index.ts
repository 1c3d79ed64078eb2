/** iCalendar <-> CRM event mapping (pure; ical.js only). */
export { attendeeEmails, icsToCrmEvent, type ToCrmContext } from './to-crm';
export { crmEventToIcs, crmIdFromUid, uidForCrmId, PRODID, type ToIcsOptions } from './to-ics';
export { validateRrule } from './recurrence';
export type { Lookup } from './attendees';
