/**
 * CRM task -> VTODO. With `previousIcs` the stored text is edited in place, as for events
 * (to-ics.ts): only lines whose CRM meaning changed are replaced, so DTSTART, RELATED-TO,
 * PERCENT-COMPLETE, Apple's X- properties, other alarms, overridden instances, folding and line
 * endings keep their bytes; nothing the CRM owns changed -> `previousIcs` comes back as is.
 */
import ICAL from 'ical.js';
import { CrmValidationError, type CrmTaskDraft, type CrmUser, type TaskPicklists } from '../types';
import { SERIES, writeReminderWith, type ReminderMark } from './alarms';
import { noEdit, type EditCtx } from './context';
import { firstProp, props, serializeRaw } from './raw';
import { writeRecurrence } from './recurrence';
import { anchorsOf, taskReminder } from './task-alarms';
import { ensureStart, writeDueDate, writePriority, writeStatus } from './task-fields';
import { taskZones, todosOf } from './task-to-crm';
import { parseIsoInstant, yearHint } from './timezones';
import { ensureTimezones, PRODID, setText, stamp, uidForCrmId } from './to-ics';

export interface TaskToIcsOptions {
  owner: CrmUser;
  picklists: TaskPicklists;
  /** The stored iCalendar of this task, to edit instead of building a new one. */
  previousIcs?: string;
  /** Clock for DTSTAMP/LAST-MODIFIED and an undated completion (tests pin it). */
  now?: Date;
}

function skeleton(uid: string, now: Date): string {
  const stamp = ICAL.Time.fromJSDate(now, true).toICALString();
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN', 'BEGIN:VTODO', `UID:${uid}`, `DTSTAMP:${stamp}`, `CREATED:${stamp}`, 'STATUS:NEEDS-ACTION', 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');
}

export function crmTaskToIcs(task: CrmTaskDraft, opts: TaskToIcsOptions): string {
  const now = opts.now ?? new Date();
  const isNew = opts.previousIcs === undefined;
  const seedId = task.id ?? task.caldav?.uid;
  if (!seedId) throw new CrmValidationError('id', 'a new task needs an id or caldav.uid');
  if (typeof task.Subject !== 'string') throw new CrmValidationError('Subject', 'expected a string');
  const { doc, vcal, master, uid } = todosOf(opts.previousIcs ?? skeleton(task.caldav?.uid ?? uidForCrmId(seedId), now));
  const zones = taskZones(vcal, master, opts.owner);
  const ctx: EditCtx & { now: Date } = { zones, eol: doc.eol, owner: opts.owner, now };
  const edit = noEdit();

  setText(master, 'SUMMARY', task.Subject, ctx, edit, 'Subject');
  setText(master, 'DESCRIPTION', task.Description, ctx, edit, 'Description');
  writeStatus(master, task.Status, task.Closed_Time, opts.picklists, ctx, edit);
  writePriority(master, task.Priority, opts.picklists, ctx, edit);
  writeDueDate(master, task.Due_Date, ctx, edit);
  const recurs = firstProp(master, 'RRULE') || firstProp(master, 'RDATE') || firstProp(master, 'EXDATE');
  if (task.Recurring_Activity) {
    if (task.Due_Date === null) throw new CrmValidationError('Recurring_Activity', 'a recurring task needs a Due_Date');
    ensureStart(master, ctx, edit);
    writeRecurrence(master, task.Recurring_Activity, ctx, edit);
  } else if (recurs) {
    for (const name of ['RRULE', 'RDATE', 'EXDATE']) for (const line of props(master, name)) master.children.splice(master.children.indexOf(line), 1);
    edit.changed = edit.significant = true;
  }
  // After the times: a trigger relative to DUE is read against the due moment as it now stands.
  const marks = task.caldav?.reminders;
  const mark: ReminderMark = marks && SERIES in marks ? marks[SERIES] : undefined;
  const remind = task.Remind_At === null ? null : parseIsoInstant(task.Remind_At, 'Remind_At');
  writeReminderWith(master, remind, `${uid}`, mark, ctx, edit, 'Remind_At', taskReminder(anchorsOf(master, zones), zones));

  if (!isNew && !edit.changed) return opts.previousIcs!;
  stamp(master, edit, now, !isNew, ctx.eol);
  ensureTimezones(vcal, yearHint(task.Due_Date ? [task.Due_Date] : []), ctx.eol);
  return serializeRaw(doc);
}
