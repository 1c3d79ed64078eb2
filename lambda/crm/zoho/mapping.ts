/**
 * Zoho's Events records <-> the CRM port's events (crm/types.ts, whose field names follow Zoho's).
 * Pure. What differs is the shape of a few fields:
 *
 * - all-day events: Zoho holds date-times; we read the dates (an end at midnight is exclusive) and
 *   write the first day from 00:00 to the last day's 23:59 in the owner's zone;
 * - `Remind_At`: an array of `{unit, period}` (Events in v8), or an ALARM string (`TRIGGER=-PT15M`,
 *   or an absolute `TRIGGER=DATE-TIME:…`), as the org's field metadata says;
 * - `Recurring_Activity.RRULE`: Zoho writes UNTIL as a dashed date (`UNTIL=2024-06-01`) and may
 *   carry `DTSTART`; ours is the iCalendar value (`UNTIL=20240601T215959Z`); `EXDATE` is a string;
 * - participants: Zoho may leave out a lead's or contact's e-mail (the connector fills it in);
 * - what Zoho cannot hold (overridden instances, extra alarms, X- properties) stays in the link's
 *   iCalendar, so the overrides reported here are the link's.
 */
import { createHash } from 'node:crypto';
import { intlOffset } from '../../core/ics/vtimezone';
import type { CaldavLink, CrmEvent, CrmEventDraft, CrmParticipant, CrmRecurrence, ParticipantStatus, ParticipantType } from '../types';
import type { FieldsMeta } from './state';

export type ZohoRecord = Record<string, unknown>;

/** The fields we read and write; Zoho's list calls need them named (at most 50). */
export const EVENT_FIELDS = ['Event_Title', 'Start_DateTime', 'End_DateTime', 'All_day', 'Venue', 'Description', 'Owner', 'Participants', 'Remind_At', 'Recurring_Activity', 'What_Id', 'Created_Time', 'Modified_Time'];

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const pad = (n: number) => String(n).padStart(2, '0');

/** The owner as Zoho embeds it; its e-mail may be missing (the connector resolves it by id). */
export interface ZohoOwner {
  id: string;
  name: string;
  email: string | null;
}

export function ownerOf(record: ZohoRecord): ZohoOwner | null {
  const o = record.Owner as { id?: unknown; name?: unknown; email?: unknown } | undefined;
  if (!o || typeof o.id !== 'string') return null;
  return { id: o.id, name: str(o.name) ?? '', email: str(o.email)?.toLowerCase() ?? null };
}

// Time zones and dates.

/** `+02:00` of an ISO date-time, or `Z` as `+00:00`. */
const offsetText = (iso: string) => /([+-]\d{2}:\d{2}|Z)$/.exec(iso)?.[1]?.replace('Z', '+00:00') ?? '+00:00';

/** The zone's offset at noon of `date` (YYYY-MM-DD) as `+HH:MM`. */
export function offsetOn(date: string, timeZone: string): string {
  const minutes = intlOffset(timeZone, Date.parse(`${date}T12:00:00Z`)) ?? 0;
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** An ISO date-time as the same instant in `timeZone`, with that zone's offset (`2024-03-10T09:00:00-07:00`). */
export function inZone(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || iso.length <= 10) return iso;
  const minutes = intlOffset(timeZone, ms) ?? 0;
  const sign = minutes < 0 ? '-' : '+';
  return `${new Date(ms + minutes * 60_000).toISOString().slice(0, 19)}${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** The wall time of an ISO date-time in `timeZone`, as `YYYY-MM-DDTHH:MM` (a bare date as itself). */
function wallIn(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (iso.length <= 10 || Number.isNaN(ms)) return `${iso.slice(0, 10)}T00:00`;
  return new Date(ms + (intlOffset(timeZone, ms) ?? 0) * 60_000).toISOString().slice(0, 16);
}

/**
 * Zoho's all-day start and end date-times as our dates (the end inclusive), read in the owner's
 * zone: Zoho writes date-times in the zone of the user whose token wrote them.
 */
export function allDayDates(start: string, end: string, timeZone = 'UTC'): { Start_DateTime: string; End_DateTime: string } {
  const first = wallIn(start, timeZone).slice(0, 10);
  const endWall = wallIn(end, timeZone);
  let last = endWall.slice(0, 10);
  // An end at midnight after the start is the exclusive end of the day before.
  if (endWall.endsWith('T00:00') && last > first) last = dayBefore(last);
  return { Start_DateTime: first, End_DateTime: last < first ? first : last };
}

// Reminders.

const PERIOD_MINUTES: Record<string, number> = { minutes: 1, minute: 1, hours: 60, hour: 60, days: 1440, day: 1440, weeks: 10080, week: 10080 };

/** Minutes before the start, or null; `start` for an absolute ALARM trigger. */
export function remindAtOf(value: unknown, start: string): number | null {
  if (Array.isArray(value)) {
    const first = value[0] as { unit?: unknown; period?: unknown } | undefined;
    const unit = Number(first?.unit);
    const factor = PERIOD_MINUTES[String(first?.period ?? 'minutes').toLowerCase()];
    return first && Number.isFinite(unit) && unit >= 0 && factor ? Math.round(unit * factor) : null;
  }
  const alarm = typeof value === 'string' ? value : str((value as { ALARM?: unknown } | null)?.ALARM);
  if (!alarm) return null;
  const trigger = /TRIGGER=([^;]+)/i.exec(alarm)?.[1] ?? '';
  const absolute = /^DATE-TIME:(.+)$/i.exec(trigger);
  if (absolute) {
    const minutes = Math.round((Date.parse(start) - Date.parse(absolute[1]!)) / 60_000);
    return Number.isFinite(minutes) && minutes >= 0 ? minutes : null;
  }
  const relative = /^-?P(?:(\d+)W)?(?:(\d+)D)?(?:T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(trigger);
  if (!relative) return null;
  const [, w, d, h, m] = relative.map((x) => Number(x ?? 0));
  return w! * 10080 + d! * 1440 + h! * 60 + m!;
}

export function remindAtFor(minutes: number | null, meta: Pick<FieldsMeta, 'remindAt'>): unknown {
  if (minutes === null) return null;
  if (meta.remindAt === 'reminders') return [{ unit: minutes, period: 'minutes' }];
  return { ALARM: `FREQ=NONE;ACTION=POPUP;TRIGGER=-PT${minutes}M` };
}

// Recurrence.

/**
 * Zoho's RRULE as an iCalendar RRULE value: DTSTART and Zoho's spelled-out default INTERVAL=1
 * dropped, a dashed UNTIL made the end of that day.
 */
export function rruleFromZoho(rrule: string, start: string, allDay: boolean): string {
  return rrule
    .replace(/^RRULE:/i, '')
    .split(';')
    .filter((part) => part && !/^DTSTART/i.test(part) && !/^INTERVAL=1$/i.test(part))
    .map((part) => {
      const until = /^UNTIL=(\d{4})-(\d{2})-(\d{2})$/i.exec(part);
      if (!until) return part;
      const [, y, mo, d] = until;
      if (allDay) return `UNTIL=${y}${mo}${d}`;
      const ms = Date.parse(`${y}-${mo}-${d}T23:59:59${offsetText(start)}`);
      return `UNTIL=${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
    })
    .join(';');
}

/** Ours as Zoho writes it: UNTIL as the dashed date it falls on in the event's own offset. */
export function rruleForZoho(rrule: string, start: string): string {
  return rrule
    .split(';')
    .map((part) => {
      const until = /^UNTIL=(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/i.exec(part);
      if (!until) return part;
      const [, y, mo, d, h, mi, s, z] = until;
      if (h === undefined || !z) return `UNTIL=${y}-${mo}-${d}`;
      const offset = offsetText(start);
      const sign = offset.startsWith('-') ? -1 : 1;
      const offsetMs = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
      const local = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi!, +s!) + offsetMs);
      return `UNTIL=${local.toISOString().slice(0, 10)}`;
    })
    .join(';');
}

function recurrenceOf(value: unknown, start: string, allDay: boolean): CrmRecurrence | null {
  const rec = value as { RRULE?: unknown; EXDATE?: unknown } | null | undefined;
  const rrule = str(rec?.RRULE);
  if (!rrule) return null;
  const exdates = typeof rec?.EXDATE === 'string' ? rec.EXDATE.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(rec?.EXDATE) ? rec.EXDATE.map(String) : [];
  return { RRULE: rruleFromZoho(rrule, start, allDay), ...(exdates.length ? { EXDATE: exdates } : {}) };
}

// Participants.

const TYPES = new Set<ParticipantType>(['lead', 'contact', 'user', 'email']);
const STATUSES = new Set<ParticipantStatus>(['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED']);

export function participantsOf(value: unknown): CrmParticipant[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((p: Record<string, unknown>): CrmParticipant[] => {
    const type = String(p.type ?? '').toLowerCase() as ParticipantType;
    if (!TYPES.has(type)) return [];
    const Email = str(p.Email) ?? (type === 'email' ? str(p.participant) : null) ?? '';
    const participant = str(p.participant) ?? Email;
    const status = String(p.status ?? '').toUpperCase().replace('_', '-') as ParticipantStatus;
    return [{ type, participant, Email, ...(str(p.name) ? { name: str(p.name)! } : {}), ...(STATUSES.has(status) ? { status } : {}) }];
  });
}

const participantsFor = (list: CrmParticipant[]) =>
  list.map((p) => ({ type: p.type, participant: p.participant, Email: p.Email, ...(p.name ? { name: p.name } : {}), ...(p.status ? { status: p.status.toLowerCase() } : {}) }));

// Whole records.

/**
 * A Zoho event record as the port's event. `owner` has the e-mail filled in; `link` is ours
 * (null for an event never seen on CalDAV); `exceptions` the link text's overridden instances.
 */
export function eventFromZoho(record: ZohoRecord, owner: { id: string; email: string; name: string }, link: CaldavLink | null, exceptions: CrmEvent['Recurrence_Exceptions'] = [], timeZone = 'UTC'): CrmEvent {
  const allDay = record.All_day === true;
  const start = str(record.Start_DateTime) ?? '';
  const end = str(record.End_DateTime) ?? start;
  const times = allDay ? allDayDates(start, end, timeZone) : { Start_DateTime: inZone(start, timeZone), End_DateTime: inZone(end, timeZone) };
  return {
    id: String(record.id),
    Event_Title: str(record.Event_Title) ?? '',
    ...times,
    All_day: allDay,
    Venue: str(record.Venue),
    Description: str(record.Description),
    Participants: participantsOf(record.Participants),
    Remind_At: remindAtOf(record.Remind_At, start),
    Recurring_Activity: recurrenceOf(record.Recurring_Activity, start, allDay),
    Recurrence_Exceptions: exceptions,
    Owner: owner,
    Created_Time: instantText(str(record.Created_Time) ?? str(record.Modified_Time) ?? ''),
    Modified_Time: instantText(str(record.Modified_Time) ?? ''),
    Deleted: false,
    caldav: link,
  };
}

/**
 * Zoho's timestamps (whole seconds, in the zone of whoever's token asked) as the port's: UTC
 * instants in one format, so versions compare as text as the built-in CRM's do.
 */
export const instantText = (iso: string): string => (Number.isNaN(Date.parse(iso)) ? iso : new Date(Date.parse(iso)).toISOString());

/** The identity our unique Zoho field holds for an object: one per owner and UID, short enough for a text field. */
export const caldavIdentity = (owner: string, uid: string) => createHash('sha256').update(`${owner.toLowerCase()}\n${uid}`).digest('hex').slice(0, 40);

export interface ToZohoOptions {
  meta: FieldsMeta;
  /** The owner's zone, for all-day events' times. */
  timeZone: string;
  sendNotification: boolean;
}

/**
 * The fields a write sends: every field the CRM port owns (Zoho's PUT changes only the fields
 * given, so What_Id, check-in and custom fields stay as they are), the owner on create, and the
 * CalDAV identity in our unique field when the org has one.
 */
export function recordForZoho(draft: CrmEventDraft, ownerId: string | null, opts: ToZohoOptions): ZohoRecord {
  const times = draft.All_day
    ? {
        Start_DateTime: `${draft.Start_DateTime.slice(0, 10)}T00:00:00${offsetOn(draft.Start_DateTime.slice(0, 10), opts.timeZone)}`,
        End_DateTime: `${draft.End_DateTime.slice(0, 10)}T23:59:00${offsetOn(draft.End_DateTime.slice(0, 10), opts.timeZone)}`,
      }
    : { Start_DateTime: draft.Start_DateTime, End_DateTime: draft.End_DateTime };
  const rec = draft.Recurring_Activity;
  const record: ZohoRecord = {
    Event_Title: draft.Event_Title,
    ...times,
    All_day: draft.All_day,
    Venue: draft.Venue,
    Description: draft.Description,
    Participants: participantsFor(draft.Participants),
    Remind_At: remindAtFor(draft.Remind_At, opts.meta),
    Recurring_Activity: rec ? { RRULE: rruleForZoho(rec.RRULE, times.Start_DateTime), ...(rec.EXDATE?.length ? { EXDATE: rec.EXDATE.join(',') } : {}) } : null,
    $send_notification: opts.sendNotification,
  };
  if (ownerId) record.Owner = { id: ownerId };
  if (opts.meta.uidField && draft.caldav?.uid) record[opts.meta.uidField] = caldavIdentity(draft.Owner.email, draft.caldav.uid);
  return record;
}
