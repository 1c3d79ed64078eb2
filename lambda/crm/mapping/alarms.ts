/**
 * VALARM <-> Remind_At. One alarm of a component stands for the CRM reminder, and which one is
 * decided once: when the link is made, the first DISPLAY/AUDIO alarm whose TRIGGER is a duration
 * relative to the start, at or before it. From then on the link remembers that alarm by its
 * identity (RFC 9074 UID, Apple's X-WR-ALARMUID, or for alarms with neither a digest of its
 * trigger and action) in `CaldavLink.reminders`, and the reminder follows that alarm only:
 *
 * - a CRM change of Remind_At edits that alarm's TRIGGER, clearing it removes that alarm
 *   (whoever made it), and a reminder set while there is none adds an alarm whose UID derives
 *   from the event (so it is known as the reminder without any other state);
 * - every other VALARM is the phone's and is never edited, dropped, duplicated or promoted: once
 *   the reminder alarm is gone, the phone's remaining alarms do not become the CRM reminder at the
 *   next phone edit; only an alarm the phone adds afterwards (one the last exchanged text did not
 *   have) becomes the new reminder, as on a new event.
 */
import ICAL from 'ical.js';
import { createHash } from 'node:crypto';
import { CrmValidationError } from '../types';
import type { Edit, EditCtx } from './context';
import { cloneProp, comps, firstProp, icalProp, insertComp, insertProp, makeComp, makeProp, removeNode, replaceNode, type RawComp, type RawProp } from './raw';

interface Reminder {
  alarm: RawComp;
  trigger: RawProp;
  minutes: number;
}

/**
 * What the link remembers of a component's reminder alarm: its identity, or null for "none".
 * Undefined means the link predates the marks (or there is no link yet): the first qualifying
 * alarm is the reminder, as it always was.
 */
export type ReminderMark = string | null | undefined;

/** The series' key in CaldavLink.reminders; an overridden instance's is its RECURRENCE-ID key. */
export const SERIES = 'series';

function qualifies(alarm: RawComp): Reminder | null {
  const action = firstProp(alarm, 'ACTION');
  const trigger = firstProp(alarm, 'TRIGGER');
  if (!action || !trigger) return null;
  if (!['DISPLAY', 'AUDIO'].includes(String(icalProp(action).getFirstValue()).toUpperCase())) return null;
  const prop = icalProp(trigger);
  const related = prop.getParameter('related');
  if (prop.type !== 'duration' || (typeof related === 'string' && related.toUpperCase() !== 'START')) return null;
  const seconds = (prop.getFirstValue() as ICAL.Duration).toSeconds();
  return seconds <= 0 ? { alarm, trigger, minutes: Math.abs(Math.round(seconds / 60)) } : null;
}

const qualifying = (ev: RawComp): Reminder[] => comps(ev, 'VALARM').flatMap((a) => qualifies(a) ?? []);

const propValue = (c: RawComp, name: string): string | null => {
  const line = firstProp(c, name);
  const v = line ? String(icalProp(line).getFirstValue() ?? '').trim() : '';
  return v === '' ? null : v.toUpperCase();
};

/** An alarm's identity: its UID (RFC 9074), else X-WR-ALARMUID, else a digest of what it does. */
export function alarmKey(alarm: RawComp): string {
  const uid = propValue(alarm, 'UID') ?? propValue(alarm, 'X-WR-ALARMUID');
  if (uid) return uid;
  const what = ['TRIGGER', 'ACTION'].map((n) => firstProp(alarm, n)?.text ?? '').join('\n');
  return `~${createHash('sha1').update(what).digest('hex').slice(0, 16)}`;
}

/** Deterministic UUID-shaped id, so the same event always gets the same new alarm UID. */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

const reminderUid = (seed: string) => stableUuid(`${seed}/reminder`);

/** The component's reminder alarm under `mark`, or null. */
function reminderUnder(ev: RawComp, mark: ReminderMark, seed: string): Reminder | null {
  const all = qualifying(ev);
  if (mark === undefined) return all[0] ?? null;
  const ours = reminderUid(seed);
  return all.find((r) => mark !== null && alarmKey(r.alarm) === mark) ?? all.find((r) => alarmKey(r.alarm) === ours) ?? null;
}

export interface ReadReminder {
  minutes: number | null;
  /** What the link remembers from now on. */
  mark: string | null;
}

/**
 * Remind_At of a component as the phone sent it. `mark` is what the link remembered and
 * `previous` the component as last exchanged (null: none then); with no mark yet the first
 * qualifying alarm is the reminder.
 */
export function readReminder(ev: RawComp, mark: ReminderMark, previous: RawComp | null, seed: string): ReadReminder {
  const found = reminderUnder(ev, mark, seed);
  if (found) return { minutes: found.minutes, mark: alarmKey(found.alarm) };
  if (mark === undefined) return { minutes: null, mark: null };
  // The reminder alarm is gone: only an alarm the phone added since the last exchange replaces it.
  const before = new Set(previous ? comps(previous, 'VALARM').map(alarmKey) : []);
  const added = qualifying(ev).find((r) => !before.has(alarmKey(r.alarm)));
  return added ? { minutes: added.minutes, mark: alarmKey(added.alarm) } : { minutes: null, mark: null };
}

function line(name: string, value: string | ICAL.Duration, eol: string): RawProp {
  const p = new ICAL.Property(name);
  p.setValue(value);
  return makeProp(p, eol);
}

function newAlarm(minutes: number, seed: string, ctx: EditCtx): RawComp {
  const uid = reminderUid(seed);
  return makeComp('VALARM', ctx.eol, [
    line('x-wr-alarmuid', uid, ctx.eol),
    line('uid', uid, ctx.eol),
    line('trigger', ICAL.Duration.fromSeconds(-minutes * 60), ctx.eol),
    line('action', 'DISPLAY', ctx.eol),
    line('description', 'Reminder', ctx.eol),
  ]);
}

/** Sets the component's reminder to `minutes` (null: removes its alarm), touching no other alarm. */
export function writeRemindAt(ev: RawComp, minutes: number | null, seed: string, mark: ReminderMark, ctx: EditCtx, edit: Edit, field = 'Remind_At'): void {
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < 0)) {
    throw new CrmValidationError(field, 'expected a whole number of minutes >= 0, or null');
  }
  const current = reminderUnder(ev, mark, seed);
  if ((current?.minutes ?? null) === minutes) return;
  edit.changed = true;
  if (minutes === null) return removeNode(ev, current!.alarm);
  if (!current) return insertComp(ev, newAlarm(minutes, seed, ctx));
  const trigger = cloneProp(current.trigger);
  trigger.setValue(ICAL.Duration.fromSeconds(-minutes * 60));
  replaceNode(current.alarm, current.trigger, makeProp(trigger, ctx.eol));
  // An alarm known only by its trigger would lose its identity with the new one: give it ours.
  if (!propValue(current.alarm, 'UID') && !propValue(current.alarm, 'X-WR-ALARMUID')) insertProp(current.alarm, line('uid', reminderUid(seed), ctx.eol));
}
