/**
 * A task's VALARM <-> Remind_At, by the events' rule (alarms.ts: one alarm is the reminder, the
 * link remembers which). A task's reminder is a moment, not an offset: iOS Reminders writes an
 * absolute TRIGGER (VALUE=DATE-TIME), other clients one relative to DUE or DTSTART; either
 * names an instant, which is Remind_At. The CRM's reminder is written as an absolute trigger.
 * Apple's hidden default alarm (X-APPLE-DEFAULT-ALARM, ACTION:NONE) and location alarms
 * (X-APPLE-PROXIMITY) are never the reminder.
 */
import ICAL from 'ical.js';
import { CrmValidationError } from '../types';
import type { ReminderRule } from './alarms';
import { firstProp, icalProp, type RawComp } from './raw';
import { instantOf, specOf, type Zones } from './timezones';

/** Epoch ms of DTSTART and DUE (or DTSTART + DURATION), what relative triggers are read against. */
export interface TaskAnchors {
  start: number | null;
  due: number | null;
}

function instantOfLine(comp: RawComp, name: string, zones: Zones): number | null {
  const line = firstProp(comp, name);
  const value = line ? icalProp(line).getFirstValue() : null;
  return line && value instanceof ICAL.Time ? instantOf(value, zones.resolve(specOf(icalProp(line), value))) : null;
}

export function anchorsOf(todo: RawComp, zones: Zones): TaskAnchors {
  const start = instantOfLine(todo, 'DTSTART', zones);
  let due = instantOfLine(todo, 'DUE', zones);
  const duration = firstProp(todo, 'DURATION');
  const length = duration ? icalProp(duration).getFirstValue() : null;
  if (due === null && start !== null && length instanceof ICAL.Duration) due = start + length.toSeconds() * 1000;
  return { start, due };
}

const isTrue = (alarm: RawComp, name: string) => String(firstProp(alarm, name) ? icalProp(firstProp(alarm, name)!).getFirstValue() : '').toUpperCase() === 'TRUE';

/** Remind_At as epoch ms: an absolute trigger's instant, or a relative one's from its anchor. */
export function taskReminder(anchors: TaskAnchors, zones: Zones): ReminderRule<number> {
  return {
    valueOf(alarm, _action, trigger) {
      if (isTrue(alarm, 'X-APPLE-DEFAULT-ALARM') || firstProp(alarm, 'X-APPLE-PROXIMITY')) return null;
      const prop = icalProp(trigger);
      const value = prop.getFirstValue();
      if (value instanceof ICAL.Time) return instantOf(value, zones.resolve(specOf(prop, value)));
      if (!(value instanceof ICAL.Duration)) return null;
      const related = String(prop.getParameter('related') ?? 'START').toUpperCase();
      const anchor = related === 'END' ? anchors.due : anchors.start;
      return anchor === null ? null : anchor + value.toSeconds() * 1000;
    },
    same: (a, b) => a === b,
    check(ms, field) {
      if (!Number.isFinite(ms)) throw new CrmValidationError(field, 'expected an ISO 8601 date-time with offset, or null');
    },
    trigger(ms) {
      const prop = new ICAL.Property('trigger');
      prop.resetType('date-time');
      prop.setValue(ICAL.Time.fromJSDate(new Date(ms), true));
      return prop;
    },
  };
}
