/**
 * The calendar properties a client may change with PROPPATCH, stored as text in
 * CalendarMeta.props under their Clark name. Removing one brings back its default.
 */
import ICAL from 'ical.js';
import type { ConditionName } from '../errors';
import { CAL, D, ICAL as APPLE, type Clark } from '../namespaces';
import type { ListKind } from '../paths';

/** Why a value was refused: the propstat status and, when one applies, a precondition. */
export interface Refusal {
  status: number;
  condition?: ConditionName;
  message: string;
}

export interface CalendarSetting {
  /** Value when nothing is stored; none means the property is absent (404) until set. */
  fallback?: (email: string, list: ListKind) => string;
  /** Null when the text is acceptable. */
  check: (text: string) => Refusal | null;
}

/**
 * UTF-8 bytes per stored value: enough for any real VTIMEZONE (a few KB) for a setting, and for
 * a dead property's short text, while the whole calendar record stays far below DynamoDB's
 * 400 KB item limit (5 settings + MAX_DEAD_PROPS dead properties ≈ 112 KB at most).
 */
export const MAX_SETTING_BYTES = 16 * 1024;
export const MAX_DEAD_PROP_BYTES = 1024;

const conflict = (message: string): Refusal => ({ status: 409, message });

const nonEmpty = (text: string) => (text === '' ? conflict('value must not be empty') : null);
const anyText = () => null;

const color = (text: string) =>
  /^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(text) ? null : conflict('calendar-color must be #RRGGBB or #RRGGBBAA');

const integer = (text: string) =>
  /^-?\d{1,9}$/.test(text) ? null : conflict('calendar-order must be an integer');

/** RFC 4791 §5.2.2: a VCALENDAR holding exactly one VTIMEZONE. */
function timezone(text: string): Refusal | null {
  const refusal: Refusal = {
    status: 403,
    condition: CAL('valid-calendar-data'),
    message: 'calendar-timezone must be a VCALENDAR with one VTIMEZONE',
  };
  try {
    const root = new ICAL.Component(ICAL.parse(text));
    return root.name === 'vcalendar' && root.getAllSubcomponents('vtimezone').length === 1 ? null : refusal;
  } catch {
    return refusal;
  }
}

/**
 * A calendar's color until the user picks one: one of iOS Calendar's own palette, chosen by a
 * hash of the owner, so two accounts on one phone (or in one family) rarely look alike. The
 * tasks list takes the next color, so it never looks like the calendar beside it.
 */
const PALETTE = ['#1BADF8FF', '#63DA38FF', '#FF9500FF', '#CC73E1FF', '#FF2968FF', '#FFCC00FF', '#A2845EFF', '#2952A3FF'];
export function defaultColor(email: string, list: ListKind = 'events'): string {
  let h = 0;
  for (const ch of email.toLowerCase()) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return PALETTE[(h + (list === 'tasks' ? 1 : 0)) % PALETTE.length]!;
}

/** The tasks list's name until the user renames it: recognisable beside other accounts' lists in Reminders. */
export const tasksListName = (email: string) => `Tasks (${email})`;

export const CALENDAR_SETTINGS: Record<Clark, CalendarSetting> = {
  // The calendar is named after the user's CRM e-mail address until the user renames it.
  [D('displayname')]: { fallback: (email, list) => (list === 'tasks' ? tasksListName(email) : email), check: nonEmpty },
  [CAL('calendar-description')]: { check: anyText },
  [APPLE('calendar-color')]: { fallback: (email, list) => defaultColor(email, list), check: color },
  [APPLE('calendar-order')]: { fallback: (_email, list) => (list === 'tasks' ? '2' : '1'), check: integer },
  [CAL('calendar-timezone')]: { check: timezone },
};
