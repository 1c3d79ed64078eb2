/**
 * VTODO -> CRM task. Reads the same line tree the reverse direction edits (task-to-ics.ts), so
 * both sides agree on what "unchanged" means. Only the series VTODO is mapped: a phone's
 * overridden instances (RECURRENCE-ID) stay in the stored text. The input is kept as `caldav.ics`.
 */
import { CrmError, CrmValidationError, type CrmTaskDraft, type CrmTaskFields, type CrmUser, type TaskPicklists } from '../types';
import { SERIES, readReminderWith } from './alarms';
import { startOf } from './datetimes';
import { comps, firstProp, parseRaw, type RawComp } from './raw';
import { readRecurrence } from './recurrence';
import { anchorsOf, taskReminder } from './task-alarms';
import { completedOf, dueDateOf, priorityLevelOf, priorityValueFor, statusValueFor, textOf, todoStatusOf } from './task-fields';
import { Zones, isoIn, yearHint } from './timezones';

export interface ToCrmTaskContext {
  owner: CrmUser;
  picklists: TaskPicklists;
  /** The CRM task this object already maps to: its id, owner, links and timestamps are kept. */
  existing?: CrmTaskDraft;
}

/** The VCALENDAR, its series VTODO (no RECURRENCE-ID) and its overrides. */
export function todosOf(ics: string) {
  const doc = parseRaw(ics);
  const vcal = comps(doc, 'VCALENDAR')[0];
  if (!vcal) throw new CrmValidationError('ics', 'no VCALENDAR');
  const vtodos = comps(vcal, 'VTODO');
  if (vtodos.length === 0) throw new CrmValidationError('ics', 'no VTODO');
  const uids = new Set(vtodos.map((t) => textOf(t, 'UID')));
  if (uids.size > 1) throw new CrmValidationError('UID', 'VTODOs with different UIDs');
  const master = vtodos.find((t) => !firstProp(t, 'RECURRENCE-ID')) ?? vtodos[0]!;
  return { doc, vcal, master, overrides: vtodos.filter((t) => t !== master), uid: textOf(master, 'UID') };
}

/** The zones a task's times are read in: its VTIMEZONEs, then the owner's zone for floating and UTC dates. */
export function taskZones(vcal: RawComp, master: RawComp, owner: CrmUser): Zones {
  const first = ['DTSTART', 'DUE'].map((n) => firstProp(master, n)).find((l) => l !== undefined);
  return Zones.of(vcal, owner.timeZone, yearHint(first ? [first.text.slice(first.text.indexOf(':') + 1)] : []));
}

/** The series component as last exchanged, for telling the phone's new alarms from old ones. */
function previousMaster(existing: CrmTaskDraft | undefined): RawComp | null {
  const text = existing?.caldav?.ics;
  if (!text) return null;
  try {
    return todosOf(text).master;
  } catch {
    return null;
  }
}

/** Throws CrmValidationError (never a parser error) for iCalendar the CRM cannot take. */
export function icsToCrmTask(ics: string, ctx: ToCrmTaskContext): CrmTaskDraft {
  try {
    return toCrm(ics, ctx);
  } catch (err) {
    if (err instanceof CrmError) throw err;
    throw new CrmValidationError('ics', err instanceof Error ? err.message : 'unreadable iCalendar');
  }
}

function toCrm(ics: string, ctx: ToCrmTaskContext): CrmTaskDraft {
  const { vcal, master, uid } = todosOf(ics);
  if (!uid) throw new CrmValidationError('UID', 'VTODO without UID');
  const zones = taskZones(vcal, master, ctx.owner);
  const existing = ctx.existing;
  const marks = existing?.caldav ? (existing.caldav.reminders ?? {}) : undefined;
  const mark = marks === undefined ? undefined : SERIES in marks ? marks[SERIES] : undefined;
  const reminder = readReminderWith(master, mark, previousMaster(existing), uid, taskReminder(anchorsOf(master, zones), zones));
  const status = todoStatusOf(master);
  const recurs = firstProp(master, 'RRULE') || firstProp(master, 'RDATE');
  const display = zones.resolve({ kind: 'floating' });

  const fields: CrmTaskFields = {
    Subject: textOf(master, 'SUMMARY') ?? '',
    Due_Date: dueDateOf(master, zones),
    Status: statusValueFor(status, ctx.picklists, existing?.Status ?? null),
    Priority: priorityValueFor(priorityLevelOf(master), ctx.picklists, existing?.Priority ?? null),
    Description: textOf(master, 'DESCRIPTION'),
    Remind_At: reminder.minutes === null ? null : isoIn(reminder.minutes, display),
    Recurring_Activity: recurs ? readRecurrence(master, startOf(master, zones), zones) : null,
    // The CRM stamps a completion the phone did not date (TaskConnector.upsertTask).
    Closed_Time: status === 'COMPLETED' ? (completedOf(master, zones) ?? existing?.Closed_Time ?? null) : null,
    What_Id: existing?.What_Id ?? null,
    Who_Id: existing?.Who_Id ?? null,
  };
  const owner = { id: ctx.owner.id, email: ctx.owner.email, name: ctx.owner.name };
  return {
    ...existing,
    ...fields,
    Owner: existing?.Owner ?? owner,
    caldav: { ...existing?.caldav, uid, ics, reminders: { [SERIES]: reminder.mark } },
  };
}
