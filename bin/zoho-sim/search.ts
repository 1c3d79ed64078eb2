/**
 * GET /{module}/search (`module_search/mds/searchRecords.md`): one of criteria > email > phone >
 * word, matched against the search index, which lags writes by `searchIndexDelayMs` (Zoho's
 * documented indexing delay: a record just written may not be found yet). 204 when nothing
 * matches; at most 2,000 results.
 */
import type { ApiContext } from './context';
import { matches, parseCriteria, type Criteria } from './criteria';
import { fail } from './errors';
import { empty, json, type SimRequest, type SimResponse } from './http';
import type { StoredRecord, Values } from './org';
import { pageParams, slicePage } from './paging';
import { presentRecord } from './present';
import { fieldList } from './records-read';
import type { ModuleName } from './schema';
import { toSeconds } from './time';

const SEARCH_LIMIT = 2000;

function textIn(values: Values, names: string[], needle: string): boolean {
  const n = needle.toLowerCase();
  return names.some((name) => typeof values[name] === 'string' && (values[name] as string).toLowerCase().includes(n));
}

export function searchRecords(req: SimRequest, ctx: ApiContext, module: ModuleName): SimResponse {
  const q = req.query;
  const fields = fieldList(ctx, module, q, false);
  const schema = ctx.org.schema;
  const ofKind = (...kinds: string[]) => schema.fields(module).filter((f) => kinds.includes(f.kind)).map((f) => f.api_name);
  let test: (values: Values, record: StoredRecord) => boolean;
  const criteria = q.get('criteria');
  const email = q.get('email');
  const phone = q.get('phone');
  const word = q.get('word');
  if (criteria) {
    const parsed: Criteria = parseCriteria(criteria);
    test = (values, record) => matches(parsed, values, record.id, (name) => schema.field(module, name));
  } else if (email) {
    test = (values) => textIn(values, ofKind('email'), email.trim());
  } else if (phone) {
    if (phone.trim().length < 3) throw fail(400, 'INVALID_QUERY', 'invalid query formed', { param_name: 'phone' });
    test = (values) => textIn(values, ofKind('phone'), phone.trim());
  } else if (word) {
    if (word.trim().length < 2) throw fail(400, 'INVALID_QUERY', 'invalid query formed', { param_name: 'word' });
    test = (values) => textIn(values, ofKind('text', 'email', 'phone'), word.trim());
  } else {
    throw fail(400, 'EXPECTED_PARAM_MISSING', 'One of the expected parameter is missing', { param_names: ['criteria', 'email', 'phone', 'word'] });
  }
  const paging = pageParams(q);
  if (paging.page * paging.perPage > SEARCH_LIMIT) throw fail(400, 'LIMIT_REACHED', 'maximum response iteration limit reached', { limit: String(SEARCH_LIMIT) });
  const sortBy = q.get('sort_by') ?? 'id';
  const desc = (q.get('sort_order') ?? 'desc') === 'desc';
  const key = (r: StoredRecord) => (sortBy === 'Modified_Time' ? toSeconds(r.modifiedAt) : sortBy === 'Created_Time' ? toSeconds(r.createdAt) : 0);
  const found = ctx.org
    .all(module)
    .filter((r) => {
      const indexed = ctx.org.searchable(r);
      return indexed !== undefined && test(indexed, r);
    })
    .sort((a, b) => (desc ? -1 : 1) * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const { items, info } = slicePage(found.slice(0, SEARCH_LIMIT), paging);
  if (items.length === 0) return empty(204);
  return json(200, { data: items.map((r) => presentRecord(ctx.org, r, fields, ctx.timeZone)), info });
}
