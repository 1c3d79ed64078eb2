/**
 * POST /crm/v8/coql (`coql/operations/executeCOQLQuery/operation.md`): runs the query on the
 * live records (no index delay, which is why the facts recommend COQL over search right after a
 * write). Lookups come back as `{id}` only; dotted columns (`Owner.email`) as their own keys.
 * `{data, info:{count, more_records}}`, 204 when nothing matches.
 */
import type { ApiContext } from './context';
import { parseQuery, type Condition, type Literal } from './coql-parse';
import { fail } from './errors';
import { empty, isRecord, json, jsonBody, type SimRequest, type SimResponse } from './http';
import type { StoredRecord } from './org';
import { presentField } from './present';
import { moduleNamed, type ModuleName } from './schema';
import { requireScope } from './scopes';
import { parseDateTime } from './time';

const OFFSET_LIMIT = 100_000;
const USER_COLUMNS = new Set(['Owner', 'Created_By', 'Modified_By']);
const LOOKUP_KINDS = new Set(['owner', 'lookup', 'what']);

const invalidColumn = (column: string, clause: string) => fail(400, 'INVALID_QUERY', 'column given seems to be invalid', { column_name: column, clause });

/** A column's value for comparison: instants in ms, lookups as ids, text as is. */
function raw(ctx: ApiContext, r: StoredRecord, column: string): unknown {
  const [head, attr] = column.split('.') as [string, string | undefined];
  if (column === 'id') return r.id;
  if (head === 'Created_Time') return r.createdAt;
  if (head === 'Modified_Time') return r.modifiedAt;
  const userId = head === 'Created_By' ? r.createdBy : head === 'Modified_By' ? r.modifiedBy : undefined;
  const value = userId ?? r.values[head];
  if (attr === undefined) {
    if (isRecord(value) && 'id' in value) return value.id;
    return value ?? null;
  }
  if (USER_COLUMNS.has(head)) {
    const u = ctx.org.users.get(String(value));
    if (!u) return null;
    if (attr === 'id') return u.id;
    if (attr === 'email') return u.email;
    if (attr === 'first_name') return u.first_name;
    if (attr === 'last_name') return u.last_name;
    if (attr === 'full_name' || attr === 'name') return `${u.first_name} ${u.last_name}`.trim();
    return null;
  }
  if (isRecord(value)) {
    if (attr === 'id') return value.id;
    const target = moduleNamed(head === 'What_Id' ? (r.seModule ?? '') : 'Contacts');
    const linked = target ? ctx.org.get(target, String(value.id)) : undefined;
    return linked?.values[attr] ?? null;
  }
  return null;
}

function checkColumn(ctx: ApiContext, module: ModuleName, column: string, clause: string): void {
  const head = column.split('.')[0]!;
  if (column === 'id') return;
  const def = ctx.org.schema.field(module, head);
  if (!def) throw invalidColumn(column, clause);
  if (column.includes('.') && !LOOKUP_KINDS.has(def.kind) && !USER_COLUMNS.has(head)) throw invalidColumn(column, clause);
}

function isInstant(ctx: ApiContext, module: ModuleName, column: string): boolean {
  if (column === 'Created_Time' || column === 'Modified_Time') return true;
  return ctx.org.schema.field(module, column)?.kind === 'datetime';
}

function literalFor(ctx: ApiContext, module: ModuleName, column: string, v: Literal): Literal {
  if (typeof v === 'string' && isInstant(ctx, module, column)) {
    const ms = parseDateTime(v);
    if (ms === null) throw fail(400, 'INVALID_QUERY', 'invalid value given for the column', { column_name: column, value: v, operator: '=' });
    return ms;
  }
  return v;
}

function compare(a: unknown, b: Literal): number {
  if (a === null || a === undefined || b === null) return NaN;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  const x = typeof a === 'number' ? a : Number(a);
  const y = typeof b === 'number' ? b : Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return String(a) === String(b) ? 0 : NaN;
  return x - y;
}

function test(ctx: ApiContext, module: ModuleName, r: StoredRecord, c: Condition): boolean {
  switch (c.kind) {
    case 'and':
      return test(ctx, module, r, c.left) && test(ctx, module, r, c.right);
    case 'or':
      return test(ctx, module, r, c.left) || test(ctx, module, r, c.right);
    case 'null': {
      const v = raw(ctx, r, c.column);
      return (v === null || v === undefined || v === '') !== c.negate;
    }
  }
  const actual = raw(ctx, r, c.column);
  const lit = (v: Literal) => literalFor(ctx, module, c.column, v);
  switch (c.kind) {
    case 'compare': {
      const d = compare(actual, lit(c.value));
      if (c.op === '!=') return !(d === 0);
      if (Number.isNaN(d)) return false;
      return c.op === '=' ? d === 0 : c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
    }
    case 'in':
      return c.values.some((v) => compare(actual, lit(v)) === 0) !== c.negate;
    case 'between':
      return compare(actual, lit(c.low)) >= 0 && compare(actual, lit(c.high)) <= 0;
    case 'like': {
      const re = new RegExp(`^${c.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i');
      return (typeof actual === 'string' && re.test(actual)) !== c.negate;
    }
  }
}

function columnsOf(c: Condition | null): string[] {
  if (!c) return [];
  if (c.kind === 'and' || c.kind === 'or') return [...columnsOf(c.left), ...columnsOf(c.right)];
  return [c.column];
}

function output(ctx: ApiContext, r: StoredRecord, column: string): unknown {
  const def = ctx.org.schema.field(r.module, column);
  if (column.includes('.')) return raw(ctx, r, column);
  const v = raw(ctx, r, column);
  if ((def && LOOKUP_KINDS.has(def.kind)) || USER_COLUMNS.has(column)) return v === null || v === undefined ? null : { id: String(v) };
  return presentField(ctx.org, r, column, ctx.timeZone);
}

export function runCoql(req: SimRequest, ctx: ApiContext): SimResponse {
  const body = jsonBody(req);
  const text = isRecord(body) ? body.select_query : undefined;
  if (typeof text !== 'string' || text.trim() === '') throw fail(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'select_query' });
  const query = parseQuery(text);
  const module = moduleNamed(query.module);
  if (!module) throw fail(400, 'INVALID_MODULE', 'the module name given seems to be invalid', { module: query.module });
  requireScope(ctx.scopes, { service: 'modules', op: 'READ', module });
  for (const c of query.columns) checkColumn(ctx, module, c, 'select');
  for (const c of columnsOf(query.where)) checkColumn(ctx, module, c, 'where');
  for (const o of query.order) checkColumn(ctx, module, o.column, 'order by');
  const limit = query.limit ?? 200;
  if (limit < 1 || limit > ctx.options.coqlMaxLimit) throw fail(400, 'INVALID_QUERY', 'limit exceeded', { limit: String(ctx.options.coqlMaxLimit) });
  if (query.offset < 0 || query.offset + limit > OFFSET_LIMIT) throw fail(400, 'INVALID_QUERY', 'offset exceeded', { offset: String(query.offset) });

  const order = query.order.length > 0 ? query.order : [{ column: 'id', desc: false }];
  const rows = ctx.org
    .all(module)
    .filter((r) => query.where === null || test(ctx, module, r, query.where))
    .sort((a, b) => {
      for (const o of order) {
        const d = compare(raw(ctx, a, o.column), raw(ctx, b, o.column) as Literal);
        if (d !== 0 && !Number.isNaN(d)) return o.desc ? -d : d;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  const page = rows.slice(query.offset, query.offset + limit);
  if (page.length === 0) return empty(204);
  const data = page.map((r) => {
    const out: Record<string, unknown> = {};
    for (const c of query.columns) out[c] = output(ctx, r, c);
    out.id = r.id;
    return out;
  });
  return json(200, { data, info: { count: data.length, more_records: rows.length > query.offset + page.length } });
}
