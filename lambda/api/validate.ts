/**
 * Shape checks for JSON input: exact field sets and JSON types, each failure naming the field.
 * Meaning (times, end before start, RRULE, e-mails inside Participants) is checked by the
 * mapping when the event is built (see events-input.ts), with the same field names.
 */
import { ApiError, invalid } from './errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

export function parseJsonObject(body: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw invalidJson('The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidJson('The body must be a JSON object');
  return value as JsonObject;
}

const invalidJson = (message: string) => new ApiError(400, 'INVALID_JSON', message);

/** Refuses fields outside `writable ∪ readOnly`; read-only ones (echoed back from a GET) are dropped. */
export function pickFields(obj: JsonObject, writable: readonly string[], readOnly: readonly string[], prefix = ''): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (writable.includes(key)) out[key] = value;
    else if (!readOnly.includes(key)) throw invalid(prefix + key, `unknown field ${key}`);
  }
  return out;
}

export function requireFields(obj: JsonObject, names: readonly string[], prefix = ''): void {
  for (const n of names) if (!(n in obj)) throw invalid(prefix + n, `${n} is required`);
}

export function str(v: Json | undefined, field: string, opts: { nullable?: boolean; nonEmpty?: boolean; max?: number } = {}): string | null {
  if (v === null && opts.nullable) return null;
  if (typeof v !== 'string') throw invalid(field, opts.nullable ? 'expected a string or null' : 'expected a string');
  if (opts.nonEmpty && v.trim() === '') throw invalid(field, 'must not be empty');
  if (opts.max !== undefined && v.length > opts.max) throw invalid(field, `longer than ${opts.max} characters`);
  return v;
}

export function bool(v: Json | undefined, field: string): boolean {
  if (typeof v !== 'boolean') throw invalid(field, 'expected true or false');
  return v;
}

export function email(v: Json | undefined, field: string, nullable = false): string | null {
  const s = str(v, field, { nullable });
  if (s === null || (nullable && s === '')) return null;
  if (!EMAIL.test(s)) throw invalid(field, 'malformed e-mail address');
  return s;
}

export function array(v: Json | undefined, field: string): Json[] {
  if (!Array.isArray(v)) throw invalid(field, 'expected an array');
  return v;
}

export function object(v: Json | undefined, field: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(field, 'expected an object');
  return v;
}

/** An ISO 8601 instant with an offset or Z (query parameters such as from, to, modified_since). */
export function instantParam(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw invalid(field, 'expected an ISO 8601 date-time with offset, e.g. 2024-05-01T00:00:00Z');
  }
  return new Date(Date.parse(v)).toISOString();
}

/** Bodies are JSON (a cross-site form cannot send that without the browser asking first). */
export function checkContentType(type: string | undefined): void {
  if (type === undefined || /^application\/(.+\+)?json\b/i.test(type)) return;
  throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json)');
}
