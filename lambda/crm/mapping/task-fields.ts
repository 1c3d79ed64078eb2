/**
 * The VTODO properties the CRM owns, one reader and one writer each: STATUS and COMPLETED <->
 * Status and Closed_Time, PRIORITY <-> Priority (both through the CRM's picklists), DUE <->
 * Due_Date. Writers compare by meaning and leave a line alone while it still says what the CRM
 * says, so the phone's form (a due time of day, PRIORITY 5 for a "Normal" task, a completed task
 * without COMPLETED) survives CRM edits of other fields.
 */
import ICAL from 'ical.js';
import { CrmValidationError, type TaskPicklists, type TodoStatus } from '../types';
import type { Edit, EditCtx } from './context';
import { cloneProp, firstProp, icalProp, insertProp, makeProp, props, removeNode, replaceNode, type RawComp, type RawProp } from './raw';
import { dateText, instantOf, parseIsoDate, parseIsoInstant, setTimeValue, specOf, wallTime, type ZoneSpec, type Zones } from './timezones';

const TODO_STATUSES: readonly TodoStatus[] = ['NEEDS-ACTION', 'IN-PROCESS', 'COMPLETED', 'CANCELLED'];
const DAY_MS = 86_400_000;

export const textOf = (comp: RawComp, name: string): string | null => {
  const line = firstProp(comp, name);
  const v = line ? icalProp(line).getFirstValue() : null;
  return typeof v === 'string' && v !== '' ? v : null;
};

function timeOf(comp: RawComp, name: string): { line: RawProp; value: ICAL.Time } | null {
  const line = firstProp(comp, name);
  const value = line ? icalProp(line).getFirstValue() : null;
  return line && value instanceof ICAL.Time ? { line, value } : null;
}

function put(comp: RawComp, name: string, line: RawProp | undefined, next: RawProp, after: string[]): void {
  if (line) replaceNode(comp, line, next);
  else insertProp(comp, next, after);
}

// ─── STATUS, COMPLETED <-> Status, Closed_Time ────────────────────────────────────────────────

/** The to-do's status: its STATUS, else COMPLETED when it carries a completion, else NEEDS-ACTION. */
export function todoStatusOf(todo: RawComp): TodoStatus {
  const status = textOf(todo, 'STATUS')?.toUpperCase();
  if (status && (TODO_STATUSES as readonly string[]).includes(status)) return status as TodoStatus;
  if (firstProp(todo, 'COMPLETED') || Number(icalValue(todo, 'PERCENT-COMPLETE')) === 100) return 'COMPLETED';
  return 'NEEDS-ACTION';
}

const icalValue = (comp: RawComp, name: string): unknown => {
  const line = firstProp(comp, name);
  return line ? icalProp(line).getFirstValue() : null;
};

/** The iCalendar status a CRM Status value stands for; throws for a value not in the picklist. */
export function statusOfValue(value: string, picklists: TaskPicklists, field = 'Status'): TodoStatus {
  const found = TODO_STATUSES.find((s) => picklists.status[s]?.includes(value));
  if (!found) throw new CrmValidationError(field, `expected one of ${TODO_STATUSES.flatMap((s) => picklists.status[s] ?? []).join(', ')}`);
  return found;
}

/** The CRM Status for a phone's status: the current one while it still means it, else the first listed. */
export function statusValueFor(status: TodoStatus, picklists: TaskPicklists, current: string | null): string {
  const values = picklists.status[status] ?? [];
  if (current !== null && values.includes(current)) return current;
  return values[0] ?? picklists.defaults.status;
}

/** COMPLETED as an ISO instant, or null. */
export function completedOf(todo: RawComp, zones: Zones): string | null {
  const t = timeOf(todo, 'COMPLETED');
  if (!t) return null;
  return new Date(instantOf(t.value, zones.resolve(specOf(icalProp(t.line), t.value)))).toISOString();
}

function utcLine(name: string, ms: number, eol: string): RawProp {
  const prop = new ICAL.Property(name.toLowerCase());
  prop.setValue(ICAL.Time.fromJSDate(new Date(ms), true));
  return makeProp(prop, eol);
}

/**
 * Writes the CRM's Status (and, for a completed task, Closed_Time as COMPLETED). A change of
 * status rewrites STATUS, adds or drops COMPLETED and keeps a PERCENT-COMPLETE line consistent;
 * an unchanged completed status only corrects a COMPLETED line that names another instant.
 */
export function writeStatus(todo: RawComp, value: string, closedTime: string | null, picklists: TaskPicklists, ctx: EditCtx & { now: Date }, edit: Edit): void {
  const want = statusOfValue(value, picklists);
  const closedMs = closedTime === null ? null : parseIsoInstant(closedTime, 'Closed_Time');
  const completed = timeOf(todo, 'COMPLETED');
  const percent = firstProp(todo, 'PERCENT-COMPLETE');
  if (todoStatusOf(todo) === want) {
    if (want !== 'COMPLETED' || closedMs === null || !completed) return;
    if (instantOf(completed.value, ctx.zones.resolve(specOf(icalProp(completed.line), completed.value))) === closedMs) return;
    replaceNode(todo, completed.line, utcLine('COMPLETED', closedMs, ctx.eol));
    edit.changed = true;
    return;
  }
  edit.changed = true;
  const status = new ICAL.Property('status');
  status.setValue(want);
  put(todo, 'STATUS', firstProp(todo, 'STATUS'), makeProp(status, ctx.eol), ['SUMMARY', 'DTSTAMP', 'UID']);
  if (want === 'COMPLETED') {
    put(todo, 'COMPLETED', completed?.line, utcLine('COMPLETED', closedMs ?? ctx.now.getTime(), ctx.eol), ['STATUS']);
    if (percent) replaceNode(todo, percent, setInteger(percent, 100, ctx.eol));
    return;
  }
  for (const line of props(todo, 'COMPLETED')) removeNode(todo, line);
  if (percent && Number(icalProp(percent).getFirstValue()) === 100) removeNode(todo, percent);
}

function setInteger(line: RawProp, n: number, eol: string): RawProp {
  const prop = cloneProp(line);
  prop.setValue(n);
  return makeProp(prop, eol);
}

// ─── PRIORITY <-> Priority ────────────────────────────────────────────────────────────────────

/** PRIORITY 0-9 (RFC 5545 §3.8.1.9); missing or unreadable is 0, "undefined". */
export function priorityLevelOf(todo: RawComp): number {
  const n = Number(icalValue(todo, 'PRIORITY'));
  return Number.isInteger(n) && n >= 0 && n <= 9 ? n : 0;
}

/** The CRM Priority for a PRIORITY level: the current one while it still means it, else the first listed. */
export function priorityValueFor(level: number, picklists: TaskPicklists, current: string | null): string | null {
  const matching = picklists.priority.filter((p) => p.reads.includes(level));
  if (current !== null && matching.some((p) => p.value === current)) return current;
  return matching[0]?.value ?? null;
}

export function writePriority(todo: RawComp, value: string | null, picklists: TaskPicklists, ctx: EditCtx, edit: Edit): void {
  const level = priorityLevelOf(todo);
  if (priorityValueFor(level, picklists, value) === value) return;
  const entry = value === null ? null : picklists.priority.find((p) => p.value === value);
  if (value !== null && !entry) throw new CrmValidationError('Priority', `expected one of ${picklists.priority.map((p) => p.value).join(', ')}, or null`);
  const want = entry?.writes ?? 0;
  if (want === level && firstProp(todo, 'PRIORITY')) return;
  const line = firstProp(todo, 'PRIORITY');
  if (want === 0) {
    if (!line) return;
    removeNode(todo, line);
  } else {
    const prop = new ICAL.Property('priority');
    prop.setValue(want);
    put(todo, 'PRIORITY', line, makeProp(prop, ctx.eol), ['SUMMARY', 'DTSTAMP', 'UID']);
  }
  edit.changed = true;
}

// ─── DUE <-> Due_Date ─────────────────────────────────────────────────────────────────────────

/** The date a DATE or DATE-TIME means for the owner: as written for DATE, TZID and floating; in the owner's zone for UTC. */
function dateIn(value: ICAL.Time, spec: ZoneSpec, zones: Zones): string {
  if (value.isDate || spec.kind !== 'utc') return dateText(value);
  return dateText(wallTime(value.toUnixTime() * 1000, zones.resolve({ kind: 'floating' })));
}

/** The due moment as the phone wrote it: DUE, or DTSTART + DURATION; null when it has none. */
function dueOf(todo: RawComp): { line: RawProp; value: ICAL.Time; spec: ZoneSpec } | null {
  const due = timeOf(todo, 'DUE');
  if (due) return { ...due, spec: specOf(icalProp(due.line), due.value) };
  const start = timeOf(todo, 'DTSTART');
  const duration = icalValue(todo, 'DURATION');
  if (!start || !(duration instanceof ICAL.Duration)) return null;
  const value = start.value.clone();
  value.addDuration(duration);
  return { line: start.line, value, spec: specOf(icalProp(start.line), start.value) };
}

export function dueDateOf(todo: RawComp, zones: Zones): string | null {
  const due = dueOf(todo);
  return due ? dateIn(due.value, due.spec, zones) : null;
}

/** `value` moved to `date` keeping its wall time (for UTC: the owner's wall time), in its own form. */
function onDate(value: ICAL.Time, spec: ZoneSpec, date: ICAL.Time, zones: Zones): ICAL.Time {
  if (value.isDate) return date.clone();
  if (spec.kind === 'utc') {
    const zone = zones.resolve({ kind: 'floating' });
    const wall = wallTime(value.toUnixTime() * 1000, zone);
    const moved = new ICAL.Time({ year: date.year, month: date.month, day: date.day, hour: wall.hour, minute: wall.minute, second: wall.second }, zone);
    return ICAL.Time.fromJSDate(new Date(moved.toUnixTime() * 1000), true);
  }
  const moved = value.clone();
  moved.year = date.year;
  moved.month = date.month;
  moved.day = date.day;
  return moved;
}

function timeLine(name: string, old: RawProp | undefined, value: ICAL.Time, spec: ZoneSpec, eol: string): RawProp {
  const prop = old ? cloneProp(old) : new ICAL.Property(name.toLowerCase());
  prop.removeParameter('value');
  setTimeValue(prop, value, spec);
  return makeProp(prop, eol);
}

const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/**
 * Writes Due_Date. A DUE already there keeps its form and time of day and moves to the new date;
 * DTSTART moves by as many days, so a reminder that repeats (DTSTART = DUE on iOS) keeps its
 * shape and DUE never falls before DTSTART. A new DUE takes DTSTART's form and time of day, else
 * it is a DATE. A cleared Due_Date removes DUE (and a DURATION).
 */
export function writeDueDate(todo: RawComp, date: string | null, ctx: EditCtx, edit: Edit): void {
  const current = dueDateOf(todo, ctx.zones);
  if (current === date) return;
  const wanted = date === null ? null : parseIsoDate(date, 'Due_Date');
  edit.changed = edit.significant = true;
  const due = timeOf(todo, 'DUE');
  const start = timeOf(todo, 'DTSTART');
  const was = dueOf(todo);
  for (const line of props(todo, 'DURATION')) removeNode(todo, line);
  if (wanted === null) {
    for (const line of props(todo, 'DUE')) removeNode(todo, line);
    return;
  }
  const startSpec = start ? specOf(icalProp(start.line), start.value) : null;
  if (current !== null && was) {
    const spec = was.spec;
    put(todo, 'DUE', due?.line, timeLine('DUE', due?.line, onDate(was.value, spec, wanted, ctx.zones), spec, ctx.eol), ['DTSTART']);
    if (start && startSpec) {
      const shifted = parseIsoDate(dateIn(start.value, startSpec, ctx.zones), 'DTSTART');
      shifted.adjust(days(current, date!), 0, 0, 0);
      replaceNode(todo, start.line, timeLine('DTSTART', start.line, onDate(start.value, startSpec, shifted, ctx.zones), startSpec, ctx.eol));
    }
    return;
  }
  if (start && startSpec) {
    const value = onDate(start.value, startSpec, wanted, ctx.zones);
    put(todo, 'DUE', undefined, timeLine('DUE', undefined, value, startSpec, ctx.eol), ['DTSTART']);
    if (start.value.compare(value) > 0) replaceNode(todo, start.line, timeLine('DTSTART', start.line, value, startSpec, ctx.eol));
    return;
  }
  put(todo, 'DUE', undefined, timeLine('DUE', undefined, wanted, { kind: 'floating' }, ctx.eol), ['DTSTART', 'SUMMARY', 'DTSTAMP', 'UID']);
}

/** A recurring task needs DTSTART: the first instance is its due moment (as iOS writes it). */
export function ensureStart(todo: RawComp, ctx: EditCtx, edit: Edit): void {
  if (firstProp(todo, 'DTSTART')) return;
  const due = timeOf(todo, 'DUE');
  if (!due) throw new CrmValidationError('Recurring_Activity', 'a recurring task needs a Due_Date');
  insertProp(todo, timeLine('DTSTART', undefined, due.value, specOf(icalProp(due.line), due.value), ctx.eol), ['SUMMARY', 'DTSTAMP', 'UID']);
  edit.changed = edit.significant = true;
}
