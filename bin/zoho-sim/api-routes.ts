/**
 * Which handler answers a /crm/v8 request and which scope it needs. Module names are matched
 * without regard to case; an unknown module gets INVALID_MODULE, an unknown path
 * INVALID_URL_PATTERN, a known path with the wrong method INVALID_REQUEST_METHOD.
 */
import type { ApiContext } from './context';
import { runCoql } from './coql';
import { fail, invalidUrlPattern } from './errors';
import { createFields, getFields } from './fields-api';
import type { SimRequest, SimResponse } from './http';
import { deleteRecords } from './records-delete';
import { deletedRecords, getRecord, listRecords } from './records-read';
import { createRecords, updateRecords, upsertRecords } from './records-write';
import { moduleNamed } from './schema';
import type { ScopeNeed } from './scopes';
import { searchRecords } from './search';
import { getUser, listUsers } from './users-api';
import { listChannels, subscribe, unsubscribe } from './watch/api';

export interface Route {
  scope: ScopeNeed;
  run: (ctx: ApiContext) => SimResponse;
}

const PREFIX = '/crm/v8/';

const badMethod = () => fail(405, 'INVALID_REQUEST_METHOD', 'The http request method type is not a valid one');

function pick(method: string, table: Partial<Record<string, Route>>): Route {
  const route = table[method];
  if (!route) throw badMethod();
  return route;
}

export function route(req: SimRequest): Route {
  if (!req.path.startsWith(PREFIX)) throw invalidUrlPattern();
  const parts = req.path.slice(PREFIX.length).split('/').map(decodeURIComponent);
  const [first, second] = parts;
  const m = req.method;
  if (!first || parts.length > 2) throw invalidUrlPattern();

  if (first === 'users' && parts.length <= 2) {
    const id = second;
    return pick(m, { GET: { scope: { service: 'users' }, run: (ctx) => (id ? getUser(req, ctx, id) : listUsers(req, ctx)) } });
  }
  if (first === 'settings' && second === 'fields' && parts.length === 2) {
    return pick(m, {
      GET: { scope: { service: 'settings.fields', op: 'READ' }, run: (ctx) => getFields(req, ctx) },
      POST: { scope: { service: 'settings.fields', op: 'CREATE' }, run: (ctx) => createFields(req, ctx) },
    });
  }
  if (first === 'coql' && parts.length === 1) return pick(m, { POST: { scope: { service: 'coql' }, run: (ctx) => runCoql(req, ctx) } });
  if (first === 'actions' && second === 'watch' && parts.length === 2) {
    return pick(m, {
      GET: { scope: { service: 'notifications', op: 'READ' }, run: (ctx) => listChannels(req, ctx) },
      POST: { scope: { service: 'notifications', op: 'CREATE' }, run: (ctx) => subscribe(req, ctx, 'create') },
      PUT: { scope: { service: 'notifications', op: 'UPDATE' }, run: (ctx) => subscribe(req, ctx, 'replace') },
      PATCH: { scope: { service: 'notifications', op: 'UPDATE' }, run: (ctx) => subscribe(req, ctx, 'patch') },
      DELETE: { scope: { service: 'notifications', op: 'DELETE' }, run: (ctx) => unsubscribe(req, ctx) },
    });
  }
  if (first === 'settings' || first === 'actions') throw invalidUrlPattern();

  const module = moduleNamed(first);
  if (!module) throw fail(400, 'INVALID_MODULE', 'the module name given seems to be invalid', { resource_path_index: 0 });
  const read = { service: 'modules', op: 'READ', module } as const;
  if (second === undefined) {
    return pick(m, {
      GET: { scope: read, run: (ctx) => listRecords(req, ctx, module) },
      POST: { scope: { service: 'modules', op: 'CREATE', module }, run: (ctx) => createRecords(req, ctx, module) },
      PUT: { scope: { service: 'modules', op: 'UPDATE', module }, run: (ctx) => updateRecords(req, ctx, module) },
      DELETE: { scope: { service: 'modules', op: 'DELETE', module }, run: (ctx) => deleteRecords(req, ctx, module) },
    });
  }
  if (second === 'upsert') return pick(m, { POST: { scope: { service: 'modules', op: 'CREATE', module }, run: (ctx) => upsertRecords(req, ctx, module) } });
  if (second === 'search') return pick(m, { GET: { scope: read, run: (ctx) => searchRecords(req, ctx, module) } });
  if (second === 'deleted') return pick(m, { GET: { scope: read, run: (ctx) => deletedRecords(req, ctx, module) } });
  if (!/^\d+$/.test(second)) throw invalidUrlPattern();
  const id = second;
  return pick(m, {
    GET: { scope: read, run: (ctx) => getRecord(req, ctx, module, id) },
    PUT: { scope: { service: 'modules', op: 'UPDATE', module }, run: (ctx) => updateRecords(req, ctx, module, id) },
    DELETE: { scope: { service: 'modules', op: 'DELETE', module }, run: (ctx) => deleteRecords(req, ctx, module, id) },
  });
}
