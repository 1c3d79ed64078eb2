/**
 * VALARM <-> Remind_At. Only the first DISPLAY/AUDIO alarm whose TRIGGER is a duration relative
 * to the start, at or before it, is the CRM reminder; every other VALARM is the phone's and is
 * never edited, dropped or duplicated. Setting Remind_At edits only that alarm's TRIGGER line.
 * Clearing it removes the alarm only when the CRM made it (its UID derives from the event);
 * an alarm the phone made is never deleted from the CRM side: it stays, so re-applying the
 * same CRM state changes nothing, and it is the reminder the CRM reads at the next phone edit.
 */
import ICAL from 'ical.js';
import { createHash } from 'node:crypto';
import { CrmValidationError } from '../types';
import type { Edit, EditCtx } from './context';
import { cloneProp, comps, firstProp, icalProp, insertComp, makeComp, makeProp, removeNode, replaceNode, type RawComp, type RawProp } from './raw';

interface Reminder {
  alarm: RawComp;
  trigger: RawProp;
  minutes: number;
}

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

export function reminderOf(ev: RawComp): Reminder | null {
  for (const alarm of comps(ev, 'VALARM')) {
    const r = qualifies(alarm);
    if (r) return r;
  }
  return null;
}

export const readRemindAt = (ev: RawComp): number | null => reminderOf(ev)?.minutes ?? null;

/** Deterministic UUID-shaped id, so the same event always gets the same new alarm UID. */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

const reminderUid = (seed: string) => stableUuid(`${seed}/reminder`);

/** Whether the CRM added this alarm (newAlarm), rather than the phone. */
function madeByCrm(alarm: RawComp, seed: string): boolean {
  const uid = reminderUid(seed);
  return ['X-WR-ALARMUID', 'UID'].some((name) => {
    const prop = firstProp(alarm, name);
    return prop !== undefined && prop !== null && String(icalProp(prop).getFirstValue()).toUpperCase() === uid;
  });
}

function newAlarm(minutes: number, seed: string, ctx: EditCtx): RawComp {
  const uid = reminderUid(seed);
  const line = (name: string, value: string | ICAL.Duration) => {
    const p = new ICAL.Property(name);
    p.setValue(value);
    return makeProp(p, ctx.eol);
  };
  return makeComp('VALARM', ctx.eol, [
    line('x-wr-alarmuid', uid),
    line('uid', uid),
    line('trigger', ICAL.Duration.fromSeconds(-minutes * 60)),
    line('action', 'DISPLAY'),
    line('description', 'Reminder'),
  ]);
}

export function writeRemindAt(ev: RawComp, minutes: number | null, seed: string, ctx: EditCtx, edit: Edit, field = 'Remind_At'): void {
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < 0)) {
    throw new CrmValidationError(field, 'expected a whole number of minutes >= 0, or null');
  }
  const current = reminderOf(ev);
  if ((current?.minutes ?? null) === minutes) return;
  if (minutes === null && !madeByCrm(current!.alarm, seed)) return;
  edit.changed = true;
  if (minutes === null) return removeNode(ev, current!.alarm);
  if (!current) return insertComp(ev, newAlarm(minutes, seed, ctx));
  const trigger = cloneProp(current.trigger);
  trigger.setValue(ICAL.Duration.fromSeconds(-minutes * 60));
  replaceNode(current.alarm, current.trigger, makeProp(trigger, ctx.eol));
}
