/**
 * GET /crm/v8/{module} (list), /{module}/{id} and /{module}/deleted: fields, sorting, paging
 * with page tokens past 2,000, `ids`, and If-Modified-Since (only records changed after it;
 * 304 when there are none).
 */
import type { ApiContext } from './context';
import { fail, invalidParam, requiredParamMissing } from './errors';
import { empty, header, json, type SimRequest, type SimResponse } from './http';
import type { StoredRecord } from './org';
import { DISCRETE_LIMIT, TOKEN_LIMIT, pageParams, slicePage, type SortKey } from './paging';
import { presentRecord } from './present';
import type { ModuleName } from './schema';
import { formatDateTime, parseHeaderDate, toSeconds } from './time';

const SORT_FIELDS = ['id', 'Created_Time', 'Modified_Time'];
const MAX_FIELDS = 50;

/** `fields=A,B` checked against the module (required on lists, optional elsewhere). */
export function fieldList(ctx: ApiContext, module: ModuleName, q: URLSearchParams, required: boolean): string[] | undefined {
  const raw = q.get('fields');
  if (raw === null || raw.trim() === '') {
    if (required) throw requiredParamMissing('fields');
    return undefined;
  }
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length > MAX_FIELDS) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: MAX_FIELDS, param_name: 'fields' });
  for (const n of names) {
    if (n !== 'id' && !ctx.org.schema.field(module, n)) throw fail(400, 'INVALID_DATA', 'the field api name given seems to be invalid', { api_name: n, param_name: 'fields' });
  }
  return names;
}

/** If-Modified-Since as an instant in whole seconds; undefined when absent. */
export function modifiedSince(req: SimRequest): number | undefined {
  const parsed = parseHeaderDate(header(req, 'if-modified-since'));
  if (parsed === null) throw fail(400, 'INVALID_DATA', 'invalid data', { header_name: 'If-Modified-Since' });
  return parsed === undefined ? undefined : toSeconds(parsed);
}

function sortKey(r: StoredRecord, by: string): SortKey {
  const v = by === 'Created_Time' ? toSeconds(r.createdAt) : by === 'Modified_Time' ? toSeconds(r.modifiedAt) : 0;
  return [v, r.id];
}

function compare(a: SortKey, b: SortKey, desc: boolean): number {
  const c = a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  return desc ? -c : c;
}

export function listRecords(req: SimRequest, ctx: ApiContext, module: ModuleName): SimResponse {
  const q = req.query;
  const fields = fieldList(ctx, module, q, true)!;
  const { page, perPage } = pageParams(q);
  const sortBy = q.get('sort_by') ?? 'id';
  if (!SORT_FIELDS.includes(sortBy)) throw invalidParam('sort_by', { supported_values: SORT_FIELDS });
  const sortOrder = q.get('sort_order') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') throw invalidParam('sort_order', { supported_values: ['asc', 'desc'] });
  const desc = sortOrder === 'desc';
  const since = modifiedSince(req);
  const ids = q.get('ids')?.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids && ids.length > 100) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: 100, param_name: 'ids' });

  let candidates = ctx.org.all(module);
  if (ids) candidates = candidates.filter((r) => ids.includes(r.id));
  if (since !== undefined) candidates = candidates.filter((r) => toSeconds(r.modifiedAt) > since);
  candidates.sort((a, b) => compare(sortKey(a, sortBy), sortKey(b, sortBy), desc));

  const bindParams = [...q.entries()].filter(([k]) => k !== 'page' && k !== 'page_token').sort(([a], [b]) => (a < b ? -1 : 1));
  const bind = JSON.stringify([module, bindParams, since ?? null]);
  const pageToken = q.get('page_token');
  let start: number;
  let served: number;
  if (pageToken) {
    const cursor = ctx.pageTokens.resolve(pageToken, bind);
    if (cursor.served >= TOKEN_LIMIT)
      throw fail(400, 'PAGINATION_LIMIT_EXCEEDED', 'You can only get upto 100000 records using page_token param', { param_name: 'page_token' });
    start = candidates.findIndex((r) => compare(sortKey(r, sortBy), cursor.last, desc) > 0);
    if (start < 0) start = candidates.length;
    served = cursor.served;
  } else {
    if (page * perPage > DISCRETE_LIMIT)
      throw fail(400, 'DISCRETE_PAGINATION_LIMIT_EXCEEDED', 'You can only get the first 2000 records without using page_token param', { limit: DISCRETE_LIMIT });
    start = (page - 1) * perPage;
    served = start;
  }
  const count = Math.min(perPage, TOKEN_LIMIT - served);
  const slice = candidates.slice(start, start + count);
  if (slice.length === 0) return empty(since !== undefined ? 304 : 204);
  const more = candidates.length > start + slice.length && served + slice.length < TOKEN_LIMIT;
  const next = more ? ctx.pageTokens.issue({ bind, last: sortKey(slice[slice.length - 1]!, sortBy), served: served + slice.length }) : null;
  return json(200, {
    data: slice.map((r) => presentRecord(ctx.org, r, fields, ctx.timeZone)),
    info: {
      per_page: perPage,
      next_page_token: next?.token ?? null,
      count: slice.length,
      sort_by: sortBy,
      page: pageToken ? Math.floor(served / perPage) + 1 : page,
      previous_page_token: pageToken ?? null,
      page_token_expiry: next ? formatDateTime(next.expiresAt, ctx.timeZone) : null,
      sort_order: sortOrder,
      more_records: more,
    },
  });
}

/** GET /{module}/{id}: `{data:[record]}`, or 204 when there is no such record (`getRecord.md`). */
export function getRecord(req: SimRequest, ctx: ApiContext, module: ModuleName, id: string): SimResponse {
  const fields = fieldList(ctx, module, req.query, false);
  const record = ctx.org.get(module, id);
  if (!record) return empty(204);
  const since = modifiedSince(req);
  if (since !== undefined && toSeconds(record.modifiedAt) <= since) return empty(304);
  return json(200, { data: [presentRecord(ctx.org, record, fields, ctx.timeZone)] });
}

const DELETED_TYPES = ['all', 'recycle', 'permanent'];

/** GET /{module}/deleted (`getDeletedRecords/operation.md`). */
export function deletedRecords(req: SimRequest, ctx: ApiContext, module: ModuleName): SimResponse {
  const type = req.query.get('type') ?? 'all';
  if (!DELETED_TYPES.includes(type)) throw invalidParam('type', { supported_values: DELETED_TYPES });
  const paging = pageParams(req.query);
  const since = modifiedSince(req);
  const tz = ctx.timeZone;
  const entries = ctx.org
    .deleted(module)
    .filter((e) => type === 'all' || e.type === type)
    .filter((e) => since === undefined || toSeconds(e.deletedAt) > since)
    .sort((a, b) => b.deletedAt - a.deletedAt || (a.id < b.id ? 1 : -1));
  const { items, info } = slicePage(entries, paging);
  if (items.length === 0) return empty(since !== undefined ? 304 : 204);
  const by = (id: string | null) => {
    const u = id ? ctx.org.users.get(id) : undefined;
    return u ? { name: `${u.first_name} ${u.last_name}`.trim(), id: u.id } : null;
  };
  return json(200, {
    data: items.map((e) => ({
      deleted_by: by(e.deletedBy),
      id: e.id,
      display_name: e.displayName,
      type: e.type,
      created_by: by(e.createdBy),
      deleted_time: formatDateTime(e.deletedAt, tz),
    })),
    info,
  });
}
