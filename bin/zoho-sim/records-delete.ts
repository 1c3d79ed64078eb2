/**
 * DELETE /{module}?ids=… (up to 100, each its own result) and DELETE /{module}/{id}
 * (`deleteRecords/operation.md`, `deleteRecord/examples/*`). What is deleted shows up in
 * /{module}/deleted as `recycle` (or `permanent`, per the deleteMode option).
 */
import type { ApiContext } from './context';
import { fail, zohoError } from './errors';
import { json, type SimRequest, type SimResponse } from './http';
import type { ModuleName } from './schema';
import { writeStatus } from './records-write';

export function deleteRecords(req: SimRequest, ctx: ApiContext, module: ModuleName, pathId?: string): SimResponse {
  if (pathId !== undefined) {
    const record = ctx.org.get(module, pathId);
    if (!record) throw fail(400, 'INVALID_DATA', 'invalid record id', { resource_path_index: 0 });
    ctx.org.remove(record, ctx.user.id);
    ctx.org.emit({ module, operation: 'delete', ids: [record.id], affected: new Map() });
    return json(200, { data: [{ code: 'SUCCESS', message: 'record deleted', status: 'success', details: { id: record.id } }] });
  }
  const raw = req.query.get('ids');
  if (!raw) throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'ids' });
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length > 100) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: 100, param_name: 'ids' });
  const removed: string[] = [];
  const items = ids.map((id) => {
    const record = ctx.org.get(module, id);
    if (!record) return { ...zohoError('INVALID_DATA', 'record not deleted', { id }) };
    ctx.org.remove(record, ctx.user.id);
    removed.push(id);
    return { code: 'SUCCESS', message: 'record deleted', status: 'success' as const, details: { id } };
  });
  ctx.org.emit({ module, operation: 'delete', ids: removed, affected: new Map() });
  return json(writeStatus(items, 200), { data: items });
}
