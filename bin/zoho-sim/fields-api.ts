/**
 * GET /crm/v8/settings/fields?module=X (`fields/operations/getFields/operation.md`) and
 * POST (`fields/mds/createFields.md`): custom fields of type text (with `unique`), email, phone,
 * textarea, integer, boolean, date, datetime. The new field's API name comes from its label
 * (spaces to underscores); the 201 body carries only its id, as Zoho's does.
 */
import type { ApiContext } from './context';
import { fail, requiredParamMissing, zohoError } from './errors';
import { isRecord, json, jsonBody, type SimRequest, type SimResponse } from './http';
import { writeStatus } from './records-write';
import { moduleNamed, type FieldDef, type FieldKind, type ModuleName } from './schema';

const MAX_FIELDS_PER_CALL = 25;
const CREATABLE: Record<string, { kind: FieldKind; data_type?: string; maxLength: number }> = {
  text: { kind: 'text', maxLength: 255 },
  textarea: { kind: 'text', data_type: 'textarea', maxLength: 32000 },
  email: { kind: 'email', maxLength: 100 },
  phone: { kind: 'phone', maxLength: 30 },
  integer: { kind: 'integer', maxLength: 9 },
  boolean: { kind: 'boolean', maxLength: 5 },
  date: { kind: 'date', maxLength: 20 },
  datetime: { kind: 'datetime', maxLength: 120 },
};
const UNIQUE_KINDS = new Set<FieldKind>(['text', 'email', 'phone', 'integer']);

function moduleParam(req: SimRequest): ModuleName {
  const name = req.query.get('module');
  if (!name) throw requiredParamMissing('module');
  const module = moduleNamed(name);
  if (!module) throw fail(400, 'INVALID_MODULE', 'the module name given seems to be invalid', { param_name: 'module' });
  return module;
}

function presentField(f: FieldDef): Record<string, unknown> {
  return {
    api_name: f.api_name,
    field_label: f.field_label,
    display_label: f.field_label,
    data_type: f.data_type,
    json_type: f.json_type,
    length: f.length,
    custom_field: f.custom_field,
    system_mandatory: f.system_mandatory,
    read_only: f.read_only,
    field_read_only: f.read_only,
    visible: true,
    unique: { ...f.unique },
    pick_list_values: f.pick_list_values.map((v, i) => ({
      display_value: v,
      actual_value: v,
      reference_value: v,
      sequence_number: i + 1,
      id: `${f.id.slice(0, -3)}${String(100 + i)}`,
      type: 'used',
    })),
    lookup: f.lookup ? { module: { api_name: f.lookup } } : {},
    operation_type: { web_update: f.api_update, api_create: !f.read_only, web_create: !f.read_only, api_update: f.api_update },
    created_source: f.custom_field ? 'crm' : 'default',
    id: f.id,
  };
}

export function getFields(req: SimRequest, ctx: ApiContext): SimResponse {
  const module = moduleParam(req);
  return json(200, { fields: ctx.org.schema.fields(module).map(presentField) });
}

const apiNameOf = (label: string) => label.trim().replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');

export function createFields(req: SimRequest, ctx: ApiContext): SimResponse {
  const module = moduleParam(req);
  const body = jsonBody(req);
  const list = isRecord(body) ? body.fields : undefined;
  if (!Array.isArray(list) || list.length === 0) throw fail(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'fields', json_path: '$.fields' });
  if (list.length > MAX_FIELDS_PER_CALL) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: MAX_FIELDS_PER_CALL, api_name: 'fields' });
  const items = list.map((spec, i) => {
    const at = (key: string) => ({ api_name: key, json_path: `$.fields[${i}].${key}` });
    if (!isRecord(spec)) return zohoError('INVALID_DATA', 'invalid data', { json_path: `$.fields[${i}]` });
    const label = spec.field_label;
    if (typeof label !== 'string' || label.trim() === '') return zohoError('MANDATORY_NOT_FOUND', 'required field not found', at('field_label'));
    const type = typeof spec.data_type === 'string' ? CREATABLE[spec.data_type] : undefined;
    if (spec.data_type === undefined) return zohoError('MANDATORY_NOT_FOUND', 'required field not found', at('data_type'));
    if (!type) return zohoError('NOT_SUPPORTED', 'the data type is not supported', { ...at('data_type'), supported_values: Object.keys(CREATABLE) });
    const apiName = apiNameOf(label);
    const clash = ctx.org.schema.fields(module).some((f) => f.api_name.toLowerCase() === apiName.toLowerCase() || f.field_label.toLowerCase() === label.trim().toLowerCase());
    if (clash) return zohoError('DUPLICATE_DATA', 'duplicate data', at('field_label'));
    let length = type.maxLength;
    if (spec.length !== undefined) {
      if (typeof spec.length !== 'number' || !Number.isInteger(spec.length) || spec.length < 1 || spec.length > type.maxLength)
        return zohoError('INVALID_DATA', 'invalid data', { ...at('length'), maximum_length: type.maxLength });
      length = spec.length;
    }
    let unique: { case_sensitive?: boolean } = {};
    if (spec.unique !== undefined && spec.unique !== null) {
      if (!isRecord(spec.unique) || !UNIQUE_KINDS.has(type.kind)) return zohoError('INVALID_DATA', 'invalid data', at('unique'));
      unique = { case_sensitive: spec.unique.case_sensitive === true };
    }
    const def = ctx.org.schema.addCustom(module, apiName, { kind: type.kind, field_label: label.trim(), data_type: type.data_type, length, unique });
    return { code: 'SUCCESS', details: { id: def.id }, message: 'field created', status: 'success' as const };
  });
  return json(writeStatus(items, 201), { fields: items });
}
