/**
 * Turns one record of a write body into stored values, or into the one error Zoho reports for it
 * (`INVALID_DATA` with the field's API name and JSON path, `MANDATORY_NOT_FOUND`,
 * `LIMIT_EXCEEDED`). Unknown field names are refused, as the 207 example in
 * `createRecords/examples/response-207-mixedresults.md` shows; `$`-keys Zoho uses for
 * instructions (`$se_module`, `$send_notification`) are taken, other `$`-keys ignored.
 */
import { fieldError, type ZohoErrorBody } from './errors';
import { isRecord } from './http';
import type { Org, StoredRecord, Values } from './org';
import { parseRule } from './rrule';
import type { FieldDef, ModuleName } from './schema';
import { isDate, parseDateTime } from './time';

export interface ValidateContext {
  org: Org;
  module: ModuleName;
  index: number;
  /** The record being updated; absent on create. */
  existing?: StoredRecord;
  unknownFields: 'reject' | 'ignore';
  /** Refuse fields whose metadata says `api_update: false` (Recurring_Activity) on update. */
  enforceApiUpdate: boolean;
}

export type Validated =
  | { ok: true; values: Values; seModule: string | null | undefined; sendNotification: boolean }
  | { ok: false; error: ZohoErrorBody };

const REMINDER_PERIODS = new Set(['minutes', 'hours', 'days', 'weeks']);
const PARTICIPANT_TYPES = new Set(['lead', 'contact', 'user', 'email']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

class Refusal {
  constructor(readonly error: ZohoErrorBody) {}
}

export function validateRecord(input: unknown, ctx: ValidateContext): Validated {
  try {
    return { ok: true, ...collect(input, ctx) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.error };
    throw e;
  }
}

function collect(input: unknown, ctx: ValidateContext) {
  const { org, module, index } = ctx;
  const bad = (name: string, extra: Values = {}) => new Refusal(fieldError('INVALID_DATA', 'invalid data', name, index, extra));
  if (!isRecord(input)) throw new Refusal(fieldError('INVALID_DATA', 'invalid data', 'data', index, { expected_data_type: 'jsonobject' }));
  const values: Values = {};
  let seModule: string | null | undefined;
  let sendNotification = false;
  for (const [name, value] of Object.entries(input)) {
    if (name === 'id') continue;
    if (name === '$se_module') {
      if (value !== null && typeof value !== 'string') throw bad(name, { expected_data_type: 'string' });
      seModule = value;
      continue;
    }
    if (name === '$send_notification') {
      if (typeof value !== 'boolean') throw bad(name, { expected_data_type: 'boolean' });
      sendNotification = value;
      continue;
    }
    if (name.startsWith('$')) continue;
    const def = org.schema.field(module, name);
    if (!def) {
      if (ctx.unknownFields === 'ignore') continue;
      throw new Refusal(fieldError('INVALID_DATA', 'the field api name given seems to be invalid', name, index));
    }
    if (def.read_only || def.kind === 'system') continue;
    if (ctx.existing && ctx.enforceApiUpdate && !def.api_update) throw new Refusal(fieldError('NOT_ALLOWED', 'the field cannot be updated', name, index));
    values[name] = value === null ? null : normalise(def, value, ctx, bad);
  }
  checkWhole(values, seModule, ctx);
  return { values, seModule, sendNotification };
}

function normalise(def: FieldDef, value: unknown, ctx: ValidateContext, bad: (name: string, extra?: Values) => Refusal): unknown {
  const name = def.api_name;
  const typed = (expected: string) => bad(name, { expected_data_type: expected });
  switch (def.kind) {
    case 'text':
    case 'phone':
    case 'email': {
      if (typeof value !== 'string') throw typed('string');
      if (value.length > def.length)
        throw new Refusal(fieldError('LIMIT_EXCEEDED', 'limit exceeded', name, ctx.index, { maximum_length: def.length }));
      if (def.kind === 'email' && value !== '' && !EMAIL.test(value)) throw bad(name);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw typed('boolean');
      return value;
    case 'datetime': {
      const ms = parseDateTime(value);
      if (ms === null) throw typed('datetime');
      return ms;
    }
    case 'date':
      if (!isDate(value)) throw typed('date');
      return value;
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      throw typed('integer');
    case 'picklist':
      if (typeof value !== 'string' || !def.pick_list_values.includes(value)) throw bad(name);
      return value;
    case 'owner': {
      const id = isRecord(value) ? value.id : undefined;
      if (typeof id !== 'string') throw typed('jsonobject');
      if (ctx.org.users.get(id)?.status !== 'active') throw bad(name);
      return id;
    }
    case 'lookup':
    case 'what': {
      const id = isRecord(value) ? value.id : undefined;
      if (typeof id !== 'string' || !/^\d+$/.test(id)) throw typed('jsonobject');
      const given = isRecord(value) && typeof value.name === 'string' ? value.name : null;
      return { id, name: given };
    }
    case 'reminders':
      return reminders(value, typed, bad, name);
    case 'alarm': {
      const alarm = isRecord(value) ? value.ALARM : undefined;
      if (typeof alarm !== 'string') throw typed('jsonobject');
      if (!/ACTION=/.test(alarm) || !/TRIGGER=/.test(alarm)) throw bad(name);
      return { ALARM: alarm };
    }
    case 'rrule': {
      const rule = isRecord(value) ? value.RRULE : undefined;
      if (typeof rule !== 'string') throw typed('jsonobject');
      if (!parseRule(rule)) throw bad(name);
      const exdate = isRecord(value) ? value.EXDATE : undefined;
      return exdate === undefined || exdate === null ? { RRULE: rule } : { RRULE: rule, EXDATE: exdate };
    }
    case 'participants':
      return participants(value, ctx, typed, bad, name);
    case 'tags': {
      if (!Array.isArray(value) || !value.every((t) => isRecord(t) && typeof t.name === 'string')) throw typed('jsonarray');
      return value.map((t: { name: string }) => ({ name: t.name, id: null }));
    }
    default:
      return value;
  }
}

function reminders(value: unknown, typed: (t: string) => Refusal, bad: (n: string, e?: Values) => Refusal, name: string) {
  if (!Array.isArray(value)) throw typed('jsonarray');
  return value.map((r: unknown) => {
    if (!isRecord(r) || !Number.isInteger(r.unit) || (r.unit as number) < 0 || typeof r.period !== 'string' || !REMINDER_PERIODS.has(r.period)) throw bad(name);
    return typeof r.time === 'string' ? { unit: r.unit, period: r.period, time: r.time } : { unit: r.unit, period: r.period };
  });
}

function participants(value: unknown, ctx: ValidateContext, typed: (t: string) => Refusal, bad: (n: string, e?: Values) => Refusal, name: string) {
  if (!Array.isArray(value)) throw typed('jsonarray');
  return value.map((p: unknown) => {
    if (!isRecord(p) || typeof p.type !== 'string' || !PARTICIPANT_TYPES.has(p.type) || typeof p.participant !== 'string') throw bad(name);
    const type = p.type;
    const id = p.participant;
    let email: string | null = typeof p.Email === 'string' ? p.Email : null;
    let display: string | null = typeof p.name === 'string' ? p.name : null;
    if (type === 'email') {
      if (!EMAIL.test(id)) throw bad(name);
      email = id;
      display ??= id;
    } else if (type === 'user') {
      const u = ctx.org.users.get(id);
      if (!u) throw bad(name);
      email = u.email;
      display = `${u.first_name} ${u.last_name}`.trim();
    } else {
      const target = ctx.org.get(type === 'lead' ? 'Leads' : 'Contacts', id);
      if (!target) throw bad(name);
      email = typeof target.values.Email === 'string' ? target.values.Email : email;
      display = typeof target.values.Full_Name === 'string' ? target.values.Full_Name : display;
    }
    return { type, participant: id, name: display, Email: email, invited: false, status: 'not_known', id: ctx.org.ids.id() };
  });
}

/** Checks that need the whole record: mandatory fields, the event's span, What_Id's module. */
function checkWhole(values: Values, seModule: string | null | undefined, ctx: ValidateContext): void {
  const { org, module, index, existing } = ctx;
  const merged: Values = { ...existing?.values, ...values };
  for (const def of org.schema.fields(module)) {
    if (!def.system_mandatory) continue;
    const v = merged[def.api_name];
    if (v === undefined || v === null || v === '') throw new Refusal(fieldError('MANDATORY_NOT_FOUND', 'required field not found', def.api_name, index));
  }
  const start = merged.Start_DateTime;
  const end = merged.End_DateTime;
  if (typeof start === 'number' && typeof end === 'number' && end < start)
    throw new Refusal(fieldError('INVALID_DATA', 'invalid data', 'End_DateTime', index));
  const what = values.What_Id as { id: string } | null | undefined;
  const targetModule = seModule === undefined ? existing?.seModule : seModule;
  if (what) {
    if (!targetModule) throw new Refusal(fieldError('MANDATORY_NOT_FOUND', 'required field not found', '$se_module', index));
    if ((targetModule === 'Leads' || targetModule === 'Contacts') && !org.get(targetModule, what.id))
      throw new Refusal(fieldError('INVALID_DATA', 'invalid data', 'What_Id', index));
  }
  const who = values.Who_Id as { id: string } | null | undefined;
  if (who && !org.get('Contacts', who.id)) throw new Refusal(fieldError('INVALID_DATA', 'invalid data', 'Who_Id', index));
}
