/**
 * Recurring_Activity's RRULE as Zoho stores it. Zoho writes UNTIL as a dashed date
 * (`UNTIL=2024-06-01`) and, in its documented examples, the series start as `DTSTART=<date>`;
 * the simulator accepts RFC 5545 UNTIL forms too (`20240601`, `20240601T235959Z`) and answers in
 * Zoho's form, so a connector has to translate both ways.
 */
import { formatDate } from './time';

const FREQS = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const KNOWN = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST', 'DTSTART']);

export type RuleParts = Array<[string, string]>;

/** Parses `FREQ=...;...`; null when it is not a rule Zoho would take. */
export function parseRule(rule: string): RuleParts | null {
  const parts: RuleParts = [];
  for (const piece of rule.replace(/^RRULE:/i, '').split(';')) {
    if (piece === '') continue;
    const [key, value] = piece.split('=');
    if (!key || value === undefined || value === '' || !KNOWN.has(key.toUpperCase())) return null;
    parts.push([key.toUpperCase(), value.toUpperCase()]);
  }
  const freq = parts.find(([k]) => k === 'FREQ')?.[1];
  if (!freq || !FREQS.has(freq)) return null;
  const until = parts.find(([k]) => k === 'UNTIL')?.[1];
  if (until !== undefined && untilMs(until) === null) return null;
  const interval = parts.find(([k]) => k === 'INTERVAL')?.[1];
  if (interval !== undefined && !/^[1-9]\d*$/.test(interval)) return null;
  return parts;
}

/** UNTIL in any form Zoho or RFC 5545 writes it, as an instant (dates at UTC midnight). */
export function untilMs(value: string): number | null {
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?$/.exec(value);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return null;
}

function dashedUntil(value: string, timeZone: string): string {
  const date = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (date) return `${date[1]}-${date[2]}-${date[3]}`;
  return formatDate(untilMs(value)!, timeZone);
}

/**
 * The rule as Zoho answers it: FREQ and INTERVAL first, UNTIL as a dashed date, DTSTART (the
 * series' first date) last. `start` is the event's start (or the task's due date) in ms.
 */
export function zohoRule(rule: string, start: number | null, timeZone: string): string {
  const parts = parseRule(rule) ?? [];
  const rest = parts.filter(([k]) => k !== 'FREQ' && k !== 'INTERVAL' && k !== 'DTSTART');
  const out: string[] = [`FREQ=${parts.find(([k]) => k === 'FREQ')?.[1] ?? 'DAILY'}`, `INTERVAL=${parts.find(([k]) => k === 'INTERVAL')?.[1] ?? '1'}`];
  for (const [k, v] of rest) out.push(`${k}=${k === 'UNTIL' ? dashedUntil(v, timeZone) : v}`);
  const given = parts.find(([k]) => k === 'DTSTART')?.[1];
  const givenDate = given ? /^(\d{4})-?(\d{2})-?(\d{2})/.exec(given) : null;
  if (givenDate) out.push(`DTSTART=${givenDate[1]}-${givenDate[2]}-${givenDate[3]}`);
  else if (start !== null) out.push(`DTSTART=${formatDate(start, timeZone)}`);
  return out.join(';');
}
