/**
 * CRM event -> iCalendar. With `previousIcs` the previous text is edited in place: only lines
 * for fields the CRM owns and whose meaning changed are replaced, so everything else (X-APPLE-*,
 * URL, CATEGORIES, VTIMEZONEs, extra VALARMs, attendee parameters, folding, line endings) keeps
 * its bytes. When nothing the CRM owns changed, `previousIcs` comes back as is (same ETag).
 *
 * A component that did change gets DTSTAMP and LAST-MODIFIED set to `now`; SEQUENCE is bumped
 * only when start, end or recurrence changed (RFC 5546 §2.1.4), never on new events.
 * When the venue changes, iOS's X-APPLE-STRUCTURED-LOCATION (the old place's map pin) is dropped.
 */
import ICAL from 'ical.js';
import { CrmValidationError, type CrmEventDraft, type CrmEventFields, type CrmRecurrenceException, type CrmUser } from '../types';
import { SERIES, writeRemindAt, type ReminderMark } from './alarms';
import { writeParticipants } from './attendees';
import { noEdit, type Edit, type EditCtx } from './context';
import { readTimes, startOf, writeTimes } from './datetimes';
import { cloneProp, comps, firstProp, icalProp, insertProp, makeComp, makeProp, props, removeNode, replaceNode, serializeRaw, type RawComp, type RawNode } from './raw';
import { instanceTimes, recurrenceIdKey, recurrenceIdProp, recurrenceKey, writeRecurrence } from './recurrence';
import { eventsOf } from './to-crm';
import { Zones, vtimezoneRaw, yearHint, type ZoneSpec } from './timezones';

export interface ToIcsOptions {
  owner: CrmUser;
  /** The stored iCalendar of this event, to edit instead of building a new one. */
  previousIcs?: string;
  /** Clock for DTSTAMP/LAST-MODIFIED (tests pin it). */
  now?: Date;
}

export const PRODID = '-//crm-caldav//EN';

/** The UID a CRM-created event gets: stable, derived from the CRM id. */
export const uidForCrmId = (id: string) => `crm-${id}@crm-caldav`;

/** The inverse of uidForCrmId: the CRM id a CRM-made UID was derived from, or null. */
export const crmIdFromUid = (uid: string): string | null => /^crm-(.+)@crm-caldav$/.exec(uid)?.[1] ?? null;

type ComponentFields = Partial<Omit<CrmEventFields, 'Recurring_Activity' | 'Recurrence_Exceptions'>>;

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

function line(name: string, value: string | ICAL.Time, eol: string) {
  const prop = new ICAL.Property(name);
  prop.setValue(value);
  return makeProp(prop, eol);
}

function skeleton(uid: string, now: Date): string {
  const stamp = ICAL.Time.fromJSDate(now, true).toICALString();
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN', 'BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

/** Sets a TEXT property, or removes it for null/''. Returns whether anything changed. */
export function setText(comp: RawComp, name: string, value: string | null, ctx: EditCtx, edit: Edit, field: string): boolean {
  if (value !== null && typeof value !== 'string') throw new CrmValidationError(field, 'expected a string or null');
  const lines = props(comp, name);
  const current = lines[0] ? icalProp(lines[0]).getFirstValue() : null;
  if ((current || null) === (value || null)) return false;
  edit.changed = true;
  if (!value) {
    lines.forEach((l) => removeNode(comp, l));
    return true;
  }
  const prop = lines[0] ? cloneProp(lines[0]) : new ICAL.Property(name.toLowerCase());
  prop.removeParameter('altrep');
  prop.setValue(value);
  if (lines[0]) replaceNode(comp, lines[0], makeProp(prop, ctx.eol));
  else insertProp(comp, makeProp(prop, ctx.eol));
  return true;
}

function validateParticipants(list: unknown, field: string): void {
  if (!Array.isArray(list)) throw new CrmValidationError(field, 'expected an array');
  list.forEach((p: { Email?: unknown }, i) => {
    if (typeof p?.Email !== 'string' || !EMAIL.test(p.Email)) throw new CrmValidationError(`${field}[${i}].Email`, 'malformed e-mail');
  });
}

function applyFields(comp: RawComp, f: ComponentFields, seed: string, mark: ReminderMark, ctx: EditCtx, prefix: string, newZone?: ZoneSpec): Edit {
  const edit = noEdit();
  if (f.Event_Title !== undefined) setText(comp, 'SUMMARY', f.Event_Title, ctx, edit, `${prefix}Event_Title`);
  if (f.Start_DateTime !== undefined || f.End_DateTime !== undefined || f.All_day !== undefined) {
    const have = firstProp(comp, 'DTSTART') ? readTimes(comp, ctx.zones) : null;
    const times = { All_day: f.All_day ?? have?.All_day ?? false, Start_DateTime: f.Start_DateTime ?? have?.Start_DateTime ?? '', End_DateTime: f.End_DateTime ?? have?.End_DateTime ?? '' };
    writeTimes(comp, times, ctx, edit, prefix, newZone);
  }
  if (f.Venue !== undefined && setText(comp, 'LOCATION', f.Venue, ctx, edit, `${prefix}Venue`)) {
    props(comp, 'X-APPLE-STRUCTURED-LOCATION').forEach((l) => removeNode(comp, l));
  }
  if (f.Description !== undefined) setText(comp, 'DESCRIPTION', f.Description, ctx, edit, `${prefix}Description`);
  if (f.Participants !== undefined) {
    validateParticipants(f.Participants, `${prefix}Participants`);
    writeParticipants(comp, f.Participants, ctx, edit);
  }
  if (f.Remind_At !== undefined) writeRemindAt(comp, f.Remind_At, seed, mark, ctx, edit, `${prefix}Remind_At`);
  return edit;
}

/** DTSTAMP and LAST-MODIFIED of a changed component, SEQUENCE when the change is significant (shared with tasks). */
export function stamp(comp: RawComp, edit: Edit, now: Date, bumpSequence: boolean, eol: string): void {
  const utc = ICAL.Time.fromJSDate(now, true);
  for (const name of ['DTSTAMP', 'LAST-MODIFIED']) {
    const old = firstProp(comp, name);
    const next = line(name.toLowerCase(), utc, eol);
    if (old) replaceNode(comp, old, next);
    else insertProp(comp, next, ['DTSTAMP', 'UID']);
  }
  if (!bumpSequence || !edit.significant) return;
  const seq = firstProp(comp, 'SEQUENCE');
  const prop = new ICAL.Property('sequence');
  prop.setValue(seq ? Number(icalProp(seq).getFirstValue()) + 1 : 1);
  if (seq) replaceNode(comp, seq, makeProp(prop, eol));
  else insertProp(comp, makeProp(prop, eol), ['LAST-MODIFIED', 'DTSTAMP']);
}

function newOverride(ex: CrmRecurrenceException, uid: string, master: RawComp, ctx: EditCtx, field: string): RawComp {
  const rid = recurrenceIdProp(ex.Recurrence_Id, startOf(master, ctx.zones), ctx, `${field}.Recurrence_Id`);
  return makeComp('VEVENT', ctx.eol, [line('uid', uid, ctx.eol), rid]);
}

function overrideFields(event: CrmEventDraft, ex: CrmRecurrenceException, isNew: boolean, field: string): ComponentFields {
  if (!isNew) return ex;
  const times = ex.Start_DateTime !== undefined ? { All_day: ex.All_day ?? event.All_day, Start_DateTime: ex.Start_DateTime, End_DateTime: ex.End_DateTime ?? ex.Start_DateTime } : instanceTimes(event, ex.Recurrence_Id, `${field}.Recurrence_Id`);
  return {
    Event_Title: ex.Event_Title ?? event.Event_Title,
    ...times,
    Venue: ex.Venue !== undefined ? ex.Venue : event.Venue,
    Description: ex.Description !== undefined ? ex.Description : event.Description,
    Participants: ex.Participants ?? event.Participants,
    Remind_At: ex.Remind_At !== undefined ? ex.Remind_At : event.Remind_At,
  };
}

/** Adds a generated VTIMEZONE for every TZID used but not defined (Intl zones only). */
export function ensureTimezones(vcal: RawComp, fromYear: number, eol: string): void {
  const defined = new Set(comps(vcal, 'VTIMEZONE').map((c) => String(icalProp(firstProp(c, 'TZID')!).getFirstValue())));
  const used = new Set<string>();
  const walk = (n: RawNode) => {
    if (n.kind === 'comp') return n.name !== 'VTIMEZONE' && n.children.forEach(walk);
    const tzid = /;TZID=("[^"]*"|[^;:]*)/i.exec(n.text)?.[1]?.replace(/"/g, '');
    if (tzid) used.add(tzid);
  };
  vcal.children.forEach(walk);
  for (const tzid of used) {
    if (defined.has(tzid)) continue;
    const vtz = vtimezoneRaw(tzid, fromYear, eol);
    if (!vtz) continue;
    const at = vcal.children.findIndex((c) => c.kind === 'comp' && c.name !== 'VTIMEZONE');
    vcal.children.splice(at < 0 ? vcal.children.length : at, 0, vtz);
  }
}

export function crmEventToIcs(event: CrmEventDraft, opts: ToIcsOptions): string {
  const now = opts.now ?? new Date();
  const isNew = opts.previousIcs === undefined;
  const seedId = event.id ?? event.caldav?.uid;
  if (!seedId) throw new CrmValidationError('id', 'a new event needs an id or caldav.uid');
  const base = opts.previousIcs ?? skeleton(event.caldav?.uid ?? uidForCrmId(seedId), now);
  const { doc, vcal, master, overrides, uid } = eventsOf(base);
  const fromYear = yearHint([event.Start_DateTime]);
  const ctx: EditCtx = { zones: Zones.of(vcal, opts.owner.timeZone, fromYear), eol: doc.eol, owner: opts.owner };
  const edits = new Map<RawComp, Edit>();

  // Which alarm is each component's reminder: what the link remembers (undefined: the first).
  const marks = event.caldav?.reminders;
  const markOf = (key: string): ReminderMark => (marks && key in marks ? marks[key] : undefined);
  const masterEdit = applyFields(master, event, `${uid}`, markOf(SERIES), ctx, '');
  writeRecurrence(master, event.Recurring_Activity, ctx, masterEdit);
  edits.set(master, masterEdit);

  const byKey = new Map(overrides.map((ov) => [recurrenceIdKey(firstProp(ov, 'RECURRENCE-ID')!, ctx.zones), ov]));
  const kept = new Set<RawComp>();
  // A caller that does not send exceptions at all leaves the phone's overrides alone.
  const exceptions = event.Recurrence_Exceptions;
  exceptions?.forEach((ex, i) => {
    const field = `Recurrence_Exceptions[${i}]`;
    const key = recurrenceKey(ex.Recurrence_Id, `${field}.Recurrence_Id`);
    let comp = byKey.get(key);
    const created = !comp;
    if (!comp) {
      comp = newOverride(ex, uid ?? '', master, ctx, field);
      const last = vcal.children.reduce((at, c, j) => (c.kind === 'comp' && c.name === 'VEVENT' ? j : at), -1);
      vcal.children.splice(last + 1, 0, comp);
      byKey.set(key, comp);
    }
    kept.add(comp);
    const edit = applyFields(comp, overrideFields(event, ex, created, field), `${uid}/${key}`, markOf(key), ctx, `${field}.`, startOf(master, ctx.zones).spec);
    edits.set(comp, created ? { changed: true, significant: true } : edit);
  });
  for (const ov of overrides) {
    if (!exceptions || kept.has(ov)) continue;
    removeNode(vcal, ov);
    masterEdit.changed = masterEdit.significant = true;
  }

  if (!isNew && [...edits.values()].every((e) => !e.changed)) return opts.previousIcs!;
  for (const [comp, edit] of edits) if (edit.changed) stamp(comp, edit, now, !isNew, ctx.eol);
  ensureTimezones(vcal, fromYear, ctx.eol);
  return serializeRaw(doc);
}
