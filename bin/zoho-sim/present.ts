/**
 * Records as Zoho answers them: every field of the module (null when empty), lookups as
 * `{name, id}`, Owner with its e-mail, date-times in the org's zone, the audit fields, and
 * `$se_module` beside What_Id.
 */
import type { Org, StoredRecord, Values } from './org';
import { zohoRule } from './rrule';
import { isDate, formatDateTime } from './time';
import { ownerRef, userRef } from './users';

export type RecordJson = Record<string, unknown>;

function lookupName(org: Org, module: string, id: string): string | null {
  if (module !== 'Leads' && module !== 'Contacts' && module !== 'Events' && module !== 'Tasks') return null;
  const target = org.get(module, id);
  if (!target) return null;
  const v = target.values;
  const name = module === 'Events' ? v.Event_Title : module === 'Tasks' ? v.Subject : v.Full_Name;
  return typeof name === 'string' ? name : null;
}

function startOf(record: StoredRecord): number | null {
  const v = record.values;
  if (typeof v.Start_DateTime === 'number') return v.Start_DateTime;
  if (isDate(v.Due_Date)) return Date.parse(`${v.Due_Date}T12:00:00Z`);
  return null;
}

function presentValue(org: Org, record: StoredRecord, name: string, value: unknown, tz: string): unknown {
  const def = org.schema.field(record.module, name);
  if (!def || value === undefined || value === null) return value ?? null;
  switch (def.kind) {
    case 'datetime':
      return formatDateTime(value as number, tz);
    case 'owner': {
      const u = org.users.get(value as string);
      return u ? ownerRef(u) : { name: null, id: value, email: null };
    }
    case 'lookup': {
      const ref = value as { id: string; name?: string | null };
      return { name: lookupName(org, def.lookup ?? '', ref.id) ?? ref.name ?? null, id: ref.id };
    }
    case 'what': {
      const ref = value as { id: string; name?: string | null };
      return { name: lookupName(org, record.seModule ?? '', ref.id) ?? ref.name ?? null, id: ref.id };
    }
    case 'rrule': {
      const r = value as { RRULE: string; EXDATE?: string };
      return { ...r, RRULE: zohoRule(r.RRULE, startOf(record), tz) };
    }
    default:
      return structuredClone(value);
  }
}

/**
 * Reads a record's field in Zoho's JSON form. Date-times are written in `tz`: the zone of the
 * user whose token made the call (Zoho answers in the caller's zone, not the record owner's).
 */
export function presentField(org: Org, record: StoredRecord, name: string, tz = org.options.timeZone): unknown {
  const user = (id: string) => org.users.get(id);
  switch (name) {
    case 'id':
      return record.id;
    case 'Created_Time':
      return formatDateTime(record.createdAt, tz);
    case 'Modified_Time':
      return formatDateTime(record.modifiedAt, tz);
    case 'Created_By': {
      const u = user(record.createdBy);
      return u ? { ...userRef(u), email: u.email } : null;
    }
    case 'Modified_By': {
      const u = user(record.modifiedBy);
      return u ? { ...userRef(u), email: u.email } : null;
    }
    case '$se_module':
      return record.seModule;
    default:
      return presentValue(org, record, name, record.values[name], tz);
  }
}

/** The record's JSON; `fields` limits it to those API names (`id` always comes along). */
export function presentRecord(org: Org, record: StoredRecord, fields?: readonly string[], tz = org.options.timeZone): RecordJson {
  const names = fields ?? org.schema.fields(record.module).map((f) => f.api_name);
  const out: RecordJson = {};
  for (const name of names) out[name] = presentField(org, record, name, tz);
  const hasWhat = org.schema.field(record.module, 'What_Id') !== undefined;
  if (hasWhat && (fields === undefined || fields.includes('What_Id'))) out.$se_module = record.seModule;
  out.id = record.id;
  return out;
}

/** `details` of a successful write item (`createRecords/examples/response-201-success.md`). */
export function writeDetails(org: Org, record: StoredRecord, tz = org.options.timeZone): Values {
  const by = (id: string) => {
    const u = org.users.get(id);
    return u ? userRef(u) : { name: null, id };
  };
  return {
    Modified_Time: formatDateTime(record.modifiedAt, tz),
    Modified_By: by(record.modifiedBy),
    Created_Time: formatDateTime(record.createdAt, tz),
    id: record.id,
    Created_By: by(record.createdBy),
  };
}
