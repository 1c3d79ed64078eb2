/**
 * iCalendar -> CRM event. Reads the same line tree the reverse direction edits, so both sides
 * agree on what "unchanged" means. The input text is kept as `caldav.ics` for the way back.
 */
import type ICAL from 'ical.js';
import { CrmError, CrmValidationError, type CrmEventDraft, type CrmEventFields, type CrmRecurrenceException, type CrmUser } from '../types';
import { SERIES, readReminder } from './alarms';
import { emailOf, key, organizerKeys, readParticipants, type Lookup } from './attendees';
import { isoOfValue, readTimes, startOf } from './datetimes';
import { comps, firstProp, icalProp, parseRaw, props, type RawComp } from './raw';
import { readRecurrence, recurrenceIdKey } from './recurrence';
import { Zones, yearHint } from './timezones';

export interface ToCrmContext {
  owner: CrmUser;
  lookup: Lookup;
  /** The CRM event this object already maps to: its id, owner and timestamps are kept. */
  existing?: CrmEventDraft;
}

const text = (ev: RawComp, name: string): string | null => {
  const line = firstProp(ev, name);
  const v = line ? icalProp(line).getFirstValue() : null;
  return typeof v === 'string' && v !== '' ? v : null;
};

/** The VCALENDAR, its series VEVENT (no RECURRENCE-ID) and its overrides. */
export function eventsOf(ics: string) {
  const doc = parseRaw(ics);
  const vcal = comps(doc, 'VCALENDAR')[0];
  if (!vcal) throw new CrmValidationError('ics', 'no VCALENDAR');
  const vevents = comps(vcal, 'VEVENT');
  if (vevents.length === 0) throw new CrmValidationError('ics', 'no VEVENT');
  const uids = new Set(vevents.map((e) => text(e, 'UID')));
  if (uids.size > 1) throw new CrmValidationError('UID', 'VEVENTs with different UIDs');
  const master = vevents.find((e) => !firstProp(e, 'RECURRENCE-ID')) ?? vevents[0]!;
  const overrides = vevents.filter((e) => e !== master && firstProp(e, 'RECURRENCE-ID'));
  return { doc, vcal, master, overrides, uid: text(master, 'UID') };
}

/** The attendee addresses a CRM mapping of this iCalendar will look up (owner and organizer left out), lower-cased. */
export function attendeeEmails(ics: string, ownerEmail: string): string[] {
  const { master, overrides } = eventsOf(ics);
  const found = new Set<string>();
  for (const ev of [master, ...overrides]) {
    const skip = organizerKeys(ev, ownerEmail);
    for (const line of props(ev, 'ATTENDEE')) {
      const email = emailOf(icalProp(line));
      if (email && !skip.has(key(email))) found.add(key(email));
    }
  }
  return [...found];
}

/** Throws CrmValidationError (never a parser error) for iCalendar the CRM cannot take. */
export async function icsToCrmEvent(ics: string, ctx: ToCrmContext): Promise<CrmEventDraft> {
  try {
    return await toCrm(ics, ctx);
  } catch (err) {
    if (err instanceof CrmError) throw err;
    throw new CrmValidationError('ics', err instanceof Error ? err.message : 'unreadable iCalendar');
  }
}

/**
 * The components of the last text exchanged with the CRM, by reminder key (SERIES or the RECURRENCE-ID's), and
 * the marks the link keeps: what the reminder of each component is decided against.
 */
function previousOf(existing: CrmEventDraft | undefined, zones: Zones): { marks: Record<string, string | null> | undefined; comps: Map<string, RawComp> } {
  const comps = new Map<string, RawComp>();
  const text = existing?.caldav?.ics;
  if (text) {
    try {
      const before = eventsOf(text);
      comps.set(SERIES, before.master);
      for (const ov of before.overrides) comps.set(recurrenceIdKey(firstProp(ov, 'RECURRENCE-ID')!, zones), ov);
    } catch {
      // An unreadable old text only means no alarm counts as seen before.
    }
  }
  // A link from before the marks: its first alarms were the reminders, as the old rule had it.
  return { marks: existing?.caldav ? existing.caldav.reminders ?? {} : undefined, comps };
}

async function toCrm(ics: string, ctx: ToCrmContext): Promise<CrmEventDraft> {
  const { vcal, master, overrides, uid } = eventsOf(ics);
  if (!uid) throw new CrmValidationError('UID', 'VEVENT without UID');
  const dtstart = firstProp(master, 'DTSTART');
  const zones = Zones.of(vcal, ctx.owner.timeZone, yearHint(dtstart ? [dtstart.text.slice(dtstart.text.indexOf(':') + 1)] : []));
  const start = startOf(master, zones);
  const previous = previousOf(ctx.existing, zones);
  const reminders: Record<string, string | null> = {};
  const reminderOf = (comp: RawComp, key: string, seed: string) => {
    const mark = previous.marks === undefined ? undefined : key in previous.marks ? previous.marks[key] : undefined;
    const read = readReminder(comp, mark, previous.comps.get(key) ?? null, seed);
    reminders[key] = read.mark;
    return read.minutes;
  };

  const fields: CrmEventFields = {
    Event_Title: text(master, 'SUMMARY') ?? '',
    ...readTimes(master, zones),
    Venue: text(master, 'LOCATION'),
    Description: text(master, 'DESCRIPTION'),
    Participants: await readParticipants(master, ctx.owner.email, ctx.lookup),
    Remind_At: reminderOf(master, SERIES, uid),
    Recurring_Activity: readRecurrence(master, start, zones),
    Recurrence_Exceptions: [],
  };
  for (const ov of overrides) {
    const rid = firstProp(ov, 'RECURRENCE-ID')!;
    const prop: ICAL.Property = icalProp(rid);
    const key = recurrenceIdKey(rid, zones);
    const exception: CrmRecurrenceException = {
      Recurrence_Id: isoOfValue(prop, prop.getFirstValue() as ICAL.Time, start, zones),
      Event_Title: text(ov, 'SUMMARY') ?? '',
      ...readTimes(ov, zones),
      Venue: text(ov, 'LOCATION'),
      Description: text(ov, 'DESCRIPTION'),
      Participants: await readParticipants(ov, ctx.owner.email, ctx.lookup),
      Remind_At: reminderOf(ov, key, `${uid}/${key}`),
    };
    fields.Recurrence_Exceptions.push(exception);
  }

  const existing = ctx.existing;
  const owner = { id: ctx.owner.id, email: ctx.owner.email, name: ctx.owner.name };
  return {
    ...existing,
    ...fields,
    Owner: existing?.Owner ?? owner,
    caldav: { ...existing?.caldav, uid, ics, reminders },
  };
}
