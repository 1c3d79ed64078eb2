/**
 * POST /{module} (create), PUT /{module} and /{module}/{id} (update), POST /{module}/upsert.
 * Each record succeeds or fails on its own: 201/200 when all succeed, 207 when some do, 400 when
 * none do (412 when every failure is ALREADY_MODIFIED). Unique fields are enforced with
 * DUPLICATE_DATA naming the record that holds the value.
 */
import type { ApiContext } from './context';
import { fail, fieldError, type ZohoErrorBody } from './errors';
import { header, isRecord, json, jsonBody, type SimRequest, type SimResponse } from './http';
import type { Change, StoredRecord, Values } from './org';
import { writeDetails } from './present';
import { createDefaults, type FieldDef, type ModuleName } from './schema';
import { parseHeaderDate, toSeconds } from './time';
import { ownerRef } from './users';
import { validateRecord } from './validate';

type Item = Record<string, unknown> & { status: string; code: string };

const MAX_RECORDS = 100;

/** The `data` array of a write body, with Zoho's refusals of a missing, empty or oversized one. */
export function dataArray(req: SimRequest): { data: unknown[]; body: Record<string, unknown> } {
  const body = jsonBody(req);
  if (!isRecord(body)) throw fail(400, 'INVALID_DATA', 'invalid data', { expected_data_type: 'jsonobject' });
  const data = body.data;
  if (data === undefined || (Array.isArray(data) && data.length === 0))
    throw fail(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'data', json_path: '$.data' });
  if (!Array.isArray(data)) throw fail(400, 'INVALID_DATA', 'invalid data', { api_name: 'data', json_path: '$.data', expected_data_type: 'jsonarray' });
  if (data.length > MAX_RECORDS) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: MAX_RECORDS, api_name: 'data', json_path: '$.data' });
  return { data, body };
}

export function writeStatus(items: ReadonlyArray<{ status: string; code: string }>, allOk: number): number {
  const ok = items.filter((i) => i.status === 'success').length;
  if (ok === items.length) return allOk;
  if (ok > 0) return 207;
  return items.every((i) => i.code === 'ALREADY_MODIFIED') ? 412 : 400;
}

function same(def: FieldDef, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return def.unique.case_sensitive ? a === b : a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** The first unique field whose value another record already holds. */
function duplicateOf(ctx: ApiContext, module: ModuleName, values: Values, selfId: string | null, index: number): ZohoErrorBody | null {
  for (const def of ctx.org.schema.uniqueFields(module)) {
    const v = values[def.api_name];
    if (v === undefined || v === null || v === '') continue;
    const holder = ctx.org.all(module).find((r) => r.id !== selfId && same(def, r.values[def.api_name], v));
    if (!holder) continue;
    const owner = ctx.org.users.get(holder.values.Owner as string);
    return fieldError('DUPLICATE_DATA', 'duplicate data', def.api_name, index, {
      duplicate_record: { Owner: owner ? { name: ownerRef(owner).name, id: owner.id, zuid: owner.zuid } : null, id: holder.id },
      id: holder.id,
      more_records: false,
    });
  }
  return null;
}

class Batch {
  readonly items: Item[] = [];
  private readonly inserted: string[] = [];
  private readonly updated = new Map<string, Values>();

  constructor(
    private readonly ctx: ApiContext,
    private readonly module: ModuleName,
  ) {}

  insert(input: unknown, index: number, extra: Values = {}): void {
    const { ctx, module } = this;
    const v = validateRecord(input, { org: ctx.org, module, index, unknownFields: ctx.options.unknownFields, enforceApiUpdate: false });
    if (!v.ok) return void this.items.push({ ...v.error, ...extra });
    const values = { ...createDefaults(module), Owner: ctx.user.id, ...withoutNulls(v.values) };
    const dup = duplicateOf(ctx, module, values, null, index);
    if (dup) return void this.items.push({ ...dup, ...extra });
    invite(values, v.sendNotification);
    const record = ctx.org.insert(module, values, v.seModule ?? null, ctx.user.id);
    this.logInvitation(record, v.sendNotification);
    this.inserted.push(record.id);
    this.items.push({ code: 'SUCCESS', ...extra, details: writeDetails(ctx.org, record, ctx.timeZone), message: 'record added', status: 'success' });
  }

  update(record: StoredRecord, input: unknown, index: number, unmodifiedSince: number | undefined, extra: Values = {}): void {
    const { ctx, module } = this;
    if (unmodifiedSince !== undefined && toSeconds(record.modifiedAt) > unmodifiedSince) {
      return void this.items.push({
        code: 'ALREADY_MODIFIED',
        ...extra,
        message: 'record updated time has already passed if-unmodified-since time',
        status: 'error',
        details: writeDetails(ctx.org, record, ctx.timeZone),
      });
    }
    const v = validateRecord(input, { org: ctx.org, module, index, existing: record, unknownFields: ctx.options.unknownFields, enforceApiUpdate: ctx.options.enforceApiUpdate });
    if (!v.ok) return void this.items.push({ ...v.error, ...extra });
    const dup = duplicateOf(ctx, module, v.values, record.id, index);
    if (dup) return void this.items.push({ ...dup, ...extra });
    invite(v.values, v.sendNotification);
    const changed = ctx.org.update(record, v.values, v.seModule, ctx.user.id);
    if (v.values.Participants !== undefined) this.logInvitation(record, v.sendNotification);
    this.updated.set(record.id, { ...this.updated.get(record.id), ...changed });
    this.items.push({ code: 'SUCCESS', ...extra, details: writeDetails(ctx.org, record, ctx.timeZone), message: 'record updated', status: 'success' });
  }

  /** Tells the watch channels, one change per operation, after the whole call. */
  emit(): void {
    const { ctx, module } = this;
    const created: Change = { module, operation: 'insert', ids: this.inserted, affected: new Map() };
    for (const id of this.inserted) created.affected.set(id, ctx.org.get(module, id)?.values ?? {});
    ctx.org.emit(created);
    ctx.org.emit({ module, operation: 'update', ids: [...this.updated.keys()], affected: this.updated });
  }

  private logInvitation(record: StoredRecord, send: boolean): void {
    const list = record.values.Participants;
    if (!send || !Array.isArray(list) || list.length === 0) return;
    this.ctx.invitations.push({
      eventId: record.id,
      at: this.ctx.org.clock.now(),
      participants: list.map((p: { type: string; participant: string; Email: string | null }) => ({ type: p.type, participant: p.participant, Email: p.Email })),
    });
  }
}

const withoutNulls = (values: Values): Values => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));

function invite(values: Values, send: boolean): void {
  if (!send || !Array.isArray(values.Participants)) return;
  for (const p of values.Participants as Array<{ invited: boolean }>) p.invited = true;
}

function unmodifiedSince(req: SimRequest): number | undefined {
  const parsed = parseHeaderDate(header(req, 'if-unmodified-since'));
  if (parsed === null) throw fail(400, 'INVALID_DATA', 'invalid data', { header_name: 'If-Unmodified-Since' });
  return parsed === undefined ? undefined : toSeconds(parsed);
}

export function createRecords(req: SimRequest, ctx: ApiContext, module: ModuleName): SimResponse {
  const { data } = dataArray(req);
  const batch = new Batch(ctx, module);
  data.forEach((input, i) => batch.insert(input, i));
  batch.emit();
  return json(writeStatus(batch.items, 201), { data: batch.items });
}

const invalidId = (index: number): ZohoErrorBody => ({ ...fieldError('INVALID_DATA', 'the id given seems to be invalid', 'id', index) });

export function updateRecords(req: SimRequest, ctx: ApiContext, module: ModuleName, pathId?: string): SimResponse {
  const { data } = dataArray(req);
  if (pathId !== undefined && data.length > 1) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: 1, api_name: 'data', json_path: '$.data' });
  const since = unmodifiedSince(req);
  const batch = new Batch(ctx, module);
  data.forEach((input, i) => {
    const id = pathId ?? (isRecord(input) ? input.id : undefined);
    if (id === undefined || id === null) return void batch.items.push(fieldError('MANDATORY_NOT_FOUND', 'required field not found', 'id', i));
    const record = typeof id === 'string' ? ctx.org.get(module, id) : undefined;
    if (!record) return void batch.items.push(invalidId(i));
    batch.update(record, input, i, since);
  });
  batch.emit();
  return json(writeStatus(batch.items, 200), { data: batch.items });
}

/** Fields Zoho checks for duplicates by default (`upsertRecords/operation.md`); Events and Tasks have none. */
const SYSTEM_DUPLICATE_FIELDS: Partial<Record<ModuleName, string[]>> = { Leads: ['Email'], Contacts: ['Email'] };

export function upsertRecords(req: SimRequest, ctx: ApiContext, module: ModuleName): SimResponse {
  if (module === 'Events' && !ctx.options.eventsUpsert) throw fail(400, 'NOT_SUPPORTED', 'the module is not supported for upsert', { module });
  const { data, body } = dataArray(req);
  const system = SYSTEM_DUPLICATE_FIELDS[module] ?? [];
  const unique = ctx.org.schema.uniqueFields(module).map((f) => f.api_name);
  const supported = [...system, ...unique];
  let checkFields = supported;
  if (body.duplicate_check_fields !== undefined) {
    const given = body.duplicate_check_fields;
    if (!Array.isArray(given) || given.length === 0)
      throw fail(400, 'INVALID_DATA', 'invalid data', { api_name: 'duplicate_check_fields', json_path: '$.duplicate_check_fields', expected_data_type: 'jsonarray' });
    given.forEach((f, i) => {
      if (typeof f !== 'string' || !supported.includes(f))
        throw fail(400, 'INVALID_DATA', 'invalid data', { api_name: 'duplicate_check_fields', json_path: `$.duplicate_check_fields[${i}]`, supported_values: supported });
    });
    checkFields = given as string[];
  }
  const since = unmodifiedSince(req);
  const batch = new Batch(ctx, module);
  data.forEach((input, i) => {
    const given = isRecord(input) ? input : {};
    const byId = typeof given.id === 'string' ? ctx.org.get(module, given.id) : undefined;
    if (byId) return batch.update(byId, input, i, since, { duplicate_field: null, action: 'update' });
    let checked: string | null = null;
    for (const field of checkFields) {
      const def = ctx.org.schema.field(module, field)!;
      const value = given[field];
      if (value === undefined || value === null || value === '') continue;
      checked ??= field;
      const match = ctx.org.all(module).find((r) => same(def, r.values[field], value));
      if (match) return batch.update(match, input, i, since, { duplicate_field: field, action: 'update' });
    }
    batch.insert(input, i, { duplicate_field: checked, action: 'insert' });
  });
  batch.emit();
  return json(writeStatus(batch.items, 200), { data: batch.items });
}
