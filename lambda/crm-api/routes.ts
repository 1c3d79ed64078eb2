/**
 * The built-in CRM's own REST API under /crm/v1: events, tasks, leads, contacts, the people lookup
 * and the change feeds. A hosted CRM has its own API; these routes exist only when the App's CRM is
 * the built-in one.
 */
import { ApiError, json } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller, Route } from '../api/types';
import { EventRoutes, eventJson } from './events';
import { PeopleRoutes } from './people';
import { TaskRoutes } from './tasks';
import type { CrmApiDeps } from './types';

/** What the events and tasks routes share: records a user owns, versioned by If-Match. */
interface OwnedRecordRoutes {
  list(req: ApiRequest, caller: Caller): Promise<ApiResponse>;
  create(req: ApiRequest, caller: Caller, id?: string): Promise<ApiResponse>;
  get(caller: Caller, id: string): Promise<ApiResponse>;
  update(req: ApiRequest, caller: Caller, id: string, mode: 'replace' | 'merge'): Promise<ApiResponse>;
  remove(req: ApiRequest, caller: Caller, id: string): Promise<ApiResponse>;
}

/** `/<path>` (list, create) and `/<path>/<id>` (read, create with an id, replace, merge, delete). */
function ownedRecordRoutes(path: string, r: OwnedRecordRoutes): Route[] {
  return [
    { pattern: new RegExp(`^/${path}$`), methods: { GET: (req, caller) => r.list(req, caller), POST: (req, caller) => r.create(req, caller) } },
    {
      pattern: new RegExp(`^/${path}/([^/]+)$`),
      methods: {
        GET: (_req, caller, id) => r.get(caller, id),
        POST: (req, caller, id) => r.create(req, caller, id),
        PUT: (req, caller, id) => r.update(req, caller, id, 'replace'),
        PATCH: (req, caller, id) => r.update(req, caller, id, 'merge'),
        DELETE: (req, caller, id) => r.remove(req, caller, id),
      },
    },
  ];
}

export function builtinCrmRoutes(deps: CrmApiDeps): Route[] {
  const events = new EventRoutes(deps);
  const people = new PeopleRoutes(deps);
  const tasks = new TaskRoutes(deps);
  const personRoutes = (path: string, module: 'Leads' | 'Contacts'): Route[] => [
    {
      pattern: new RegExp(`^/${path}$`),
      methods: { GET: () => people.list(module), POST: (req, caller) => people.create(req, caller, module) },
    },
    {
      pattern: new RegExp(`^/${path}/([^/]+)$`),
      methods: {
        GET: (_req, _caller, id) => people.get(module, id),
        PUT: (req, caller, id) => people.update(req, caller, module, id, false),
        PATCH: (req, caller, id) => people.update(req, caller, module, id, true),
        DELETE: (req, caller, id) => people.remove(req, caller, module, id),
      },
    },
  ];
  return [
    ...ownedRecordRoutes('events', events),
    { pattern: /^\/tasks\/changes$/, methods: { GET: (req, caller) => tasks.changes(req, caller) } },
    ...ownedRecordRoutes('tasks', tasks),
    { pattern: /^\/changes$/, methods: { GET: (req, caller) => changes(deps, req, caller) } },
    ...personRoutes('leads', 'Leads'),
    ...personRoutes('contacts', 'Contacts'),
    { pattern: /^\/people$/, methods: { GET: (req) => people.lookup(req) } },
  ];
}

/** GET /crm/v1/changes?cursor=: the connector's change feed, for the admin's reconciliation tools. */
async function changes(deps: CrmApiDeps, req: ApiRequest, caller: Caller): Promise<ApiResponse> {
  if (caller.kind !== 'admin') throw new ApiError(403, 'FORBIDDEN', 'Only the CRM admin may read the change feed');
  const batch = await deps.crm.listChangesSince(req.query.cursor ?? null);
  return json(200, { data: { events: batch.events.map(eventJson), deletedIds: batch.deletedIds, nextCursor: batch.nextCursor } });
}
