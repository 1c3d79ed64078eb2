/**
 * Zoho's date-time dialect: ISO 8601 to the second with a numeric offset
 * (`2023-05-10T01:10:47-07:00`), written in the org's time zone whatever offset the client sent.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC in minutes at that instant (DST included). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const name = offsetFormatter(timeZone).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Wall time in the zone, to the second, with its offset. */
export function formatDateTime(ms: number, timeZone: string): string {
  const whole = Math.floor(ms / 1000) * 1000;
  const offset = zoneOffsetMinutes(whole, timeZone);
  const local = new Date(whole + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The calendar date of the instant in the zone (`YYYY-MM-DD`). */
export function formatDate(ms: number, timeZone: string): string {
  return formatDateTime(ms, timeZone).slice(0, 10);
}

const ZOHO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date-time as Zoho accepts it in record fields: seconds precision and an offset (`Z` too).
 * Milliseconds and zone-less values are refused (null), as Zoho refuses them.
 */
export function parseDateTime(value: unknown): number | null {
  if (typeof value !== 'string' || !ZOHO_DATE_TIME.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE_ONLY.test(value) && !Number.isNaN(Date.parse(value));
}

/** Header dates (If-Modified-Since, If-Unmodified-Since): ISO 8601 as Zoho documents, or an HTTP date. */
export function parseHeaderDate(value: string | undefined): number | null | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Zoho's timestamps have whole seconds: comparisons happen at that resolution. */
export const toSeconds = (ms: number): number => Math.floor(ms / 1000);
