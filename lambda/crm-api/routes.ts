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
    {
      pattern: /^\/events$/,
      methods: { GET: (req, caller) => events.list(req, caller), POST: (req, caller) => events.create(req, caller) },
    },
    {
      pattern: /^\/events\/([^/]+)$/,
      methods: {
        GET: (_req, caller, id) => events.get(caller, id),
        POST: (req, caller, id) => events.create(req, caller, id),
        PUT: (req, caller, id) => events.update(req, caller, id, 'replace'),
        PATCH: (req, caller, id) => events.update(req, caller, id, 'merge'),
        DELETE: (req, caller, id) => events.remove(req, caller, id),
      },
    },
    { pattern: /^\/tasks$/, methods: { GET: (req, caller) => tasks.list(req, caller), POST: (req, caller) => tasks.create(req, caller) } },
    { pattern: /^\/tasks\/changes$/, methods: { GET: (req, caller) => tasks.changes(req, caller) } },
    {
      pattern: /^\/tasks\/([^/]+)$/,
      methods: {
        GET: (_req, caller, id) => tasks.get(caller, id),
        POST: (req, caller, id) => tasks.create(req, caller, id),
        PUT: (req, caller, id) => tasks.update(req, caller, id, 'replace'),
        PATCH: (req, caller, id) => tasks.update(req, caller, id, 'merge'),
        DELETE: (req, caller, id) => tasks.remove(req, caller, id),
      },
    },
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
