/**
 * VALARM <-> Remind_At. One alarm of a component stands for the CRM reminder, and which one is
 * decided once: when the link is made, the first DISPLAY/AUDIO alarm that can carry the reminder
 * (for an event, a TRIGGER that is a duration relative to the start, at or before it; for a task,
 * any trigger that names an instant: task-alarms.ts). From then on the link remembers that alarm by its
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

/**
 * What the link remembers of a component's reminder alarm: its identity, or null for "none".
 * Undefined means the link predates the marks (or there is no link yet): the first qualifying
 * alarm is the reminder, as it always was.
 */
export type ReminderMark = string | null | undefined;

/** The series' key in CaldavLink.reminders; an overridden instance's is its RECURRENCE-ID key. */
export const SERIES = 'series';

/**
 * What makes an alarm a reminder, and what its value is: minutes before the start for events
 * (`EVENT_REMINDER`), an instant for tasks (task-alarms.ts). Everything else (which alarm, the
 * marks, adding and removing) is the same rule for both.
 */
export interface ReminderRule<V> {
  /** The alarm's reminder value, or null when it cannot stand for the reminder. */
  valueOf(alarm: RawComp, action: string, trigger: RawProp): V | null;
  same(a: V, b: V): boolean;
  /** Validates a CRM value; throws CrmValidationError naming `field`. */
  check(value: V, field: string): void;
  /** A TRIGGER property carrying `value`, starting from the alarm's current one (null for a new alarm). */
  trigger(value: V, current: RawProp | null): ICAL.Property;
}

interface Reminder<V> {
  alarm: RawComp;
  trigger: RawProp;
  value: V;
}

/** Events: the first DISPLAY/AUDIO alarm with a duration TRIGGER relative to the start, at or before it. */
export const EVENT_REMINDER: ReminderRule<number> = {
  valueOf(_alarm, _action, trigger) {
    const prop = icalProp(trigger);
    const related = prop.getParameter('related');
    if (prop.type !== 'duration' || (typeof related === 'string' && related.toUpperCase() !== 'START')) return null;
    const seconds = (prop.getFirstValue() as ICAL.Duration).toSeconds();
    return seconds <= 0 ? Math.abs(Math.round(seconds / 60)) : null;
  },
  same: (a, b) => a === b,
  check(minutes, field) {
    if (!Number.isInteger(minutes) || minutes < 0) throw new CrmValidationError(field, 'expected a whole number of minutes >= 0, or null');
  },
  trigger(minutes, current) {
    const prop = current ? cloneProp(current) : new ICAL.Property('trigger');
    prop.setValue(ICAL.Duration.fromSeconds(-minutes * 60));
    return prop;
  },
};

function qualifies<V>(alarm: RawComp, rule: ReminderRule<V>): Reminder<V> | null {
  const action = firstProp(alarm, 'ACTION');
  const trigger = firstProp(alarm, 'TRIGGER');
  if (!action || !trigger) return null;
  const name = String(icalProp(action).getFirstValue()).toUpperCase();
  if (!['DISPLAY', 'AUDIO'].includes(name)) return null;
  const value = rule.valueOf(alarm, name, trigger);
  return value === null ? null : { alarm, trigger, value };
}

const qualifying = <V>(ev: RawComp, rule: ReminderRule<V>): Array<Reminder<V>> => comps(ev, 'VALARM').flatMap((a) => qualifies(a, rule) ?? []);

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
function reminderUnder<V>(ev: RawComp, mark: ReminderMark, seed: string, rule: ReminderRule<V>): Reminder<V> | null {
  const all = qualifying(ev, rule);
  if (mark === undefined) return all[0] ?? null;
  const ours = reminderUid(seed);
  return all.find((r) => mark !== null && alarmKey(r.alarm) === mark) ?? all.find((r) => alarmKey(r.alarm) === ours) ?? null;
}

export interface ReadReminder<V = number> {
  /** The reminder's value: minutes before the start for events. */
  minutes: V | null;
  /** What the link remembers from now on. */
  mark: string | null;
}

/**
 * The reminder of a component as the phone sent it. `mark` is what the link remembered and
 * `previous` the component as last exchanged (null: none then); with no mark yet the first
 * qualifying alarm is the reminder.
 */
export function readReminderWith<V>(ev: RawComp, mark: ReminderMark, previous: RawComp | null, seed: string, rule: ReminderRule<V>): ReadReminder<V> {
  const found = reminderUnder(ev, mark, seed, rule);
  if (found) return { minutes: found.value, mark: alarmKey(found.alarm) };
  if (mark === undefined) return { minutes: null, mark: null };
  // The reminder alarm is gone: only an alarm the phone added since the last exchange replaces it.
  const before = new Set(previous ? comps(previous, 'VALARM').map(alarmKey) : []);
  const added = qualifying(ev, rule).find((r) => !before.has(alarmKey(r.alarm)));
  return added ? { minutes: added.value, mark: alarmKey(added.alarm) } : { minutes: null, mark: null };
}

/** Remind_At of an event's component (minutes before its start). */
export const readReminder = (ev: RawComp, mark: ReminderMark, previous: RawComp | null, seed: string): ReadReminder => readReminderWith(ev, mark, previous, seed, EVENT_REMINDER);

function line(name: string, value: string, eol: string): RawProp {
  const p = new ICAL.Property(name);
  p.setValue(value);
  return makeProp(p, eol);
}

function newAlarm<V>(value: V, seed: string, rule: ReminderRule<V>, ctx: EditCtx): RawComp {
  const uid = reminderUid(seed);
  return makeComp('VALARM', ctx.eol, [
    line('x-wr-alarmuid', uid, ctx.eol),
    line('uid', uid, ctx.eol),
    makeProp(rule.trigger(value, null), ctx.eol),
    line('action', 'DISPLAY', ctx.eol),
    line('description', 'Reminder', ctx.eol),
  ]);
}

/** Sets the component's reminder to `value` (null: removes its alarm), touching no other alarm. */
export function writeReminderWith<V>(ev: RawComp, value: V | null, seed: string, mark: ReminderMark, ctx: EditCtx, edit: Edit, field: string, rule: ReminderRule<V>): void {
  if (value !== null) rule.check(value, field);
  const current = reminderUnder(ev, mark, seed, rule);
  if (current === null ? value === null : value !== null && rule.same(current.value, value)) return;
  edit.changed = true;
  if (value === null) return removeNode(ev, current!.alarm);
  if (!current) return insertComp(ev, newAlarm(value, seed, rule, ctx));
  replaceNode(current.alarm, current.trigger, makeProp(rule.trigger(value, current.trigger), ctx.eol));
  // An alarm known only by its trigger would lose its identity with the new one: give it ours.
  if (!propValue(current.alarm, 'UID') && !propValue(current.alarm, 'X-WR-ALARMUID')) insertProp(current.alarm, line('uid', reminderUid(seed), ctx.eol));
}

/** Sets an event component's reminder to `minutes` before its start (null: removes its alarm). */
export function writeRemindAt(ev: RawComp, minutes: number | null, seed: string, mark: ReminderMark, ctx: EditCtx, edit: Edit, field = 'Remind_At'): void {
  if (minutes !== null && typeof minutes !== 'number') throw new CrmValidationError(field, 'expected a whole number of minutes >= 0, or null');
  writeReminderWith(ev, minutes, seed, mark, ctx, edit, field, EVENT_REMINDER);
}
