/**
 * The CRM REST API under /crm/v1: authenticate, match a route, run it, and turn every error into
 * a JSON error response. Pure: `createCrmApi(deps)` gives a function from request to response.
 */
import { logLine } from '../platform/log';
import { identify } from './auth';
import { isConsolePath, serveConsole } from './console';
import { ApiError, INTERNAL_ERROR, apiErrorOf, errorResponse, json, notFound } from './errors';
import { EventRoutes, eventJson } from './events';
import { OnboardingRoutes } from './onboarding';
import { OrganisationRoutes } from './organisation';
import { PeopleRoutes } from './people';
import { SessionRoutes } from './session';
import type { ApiRequest, ApiResponse, Caller, CrmApiDeps } from './types';
import { UserRoutes } from './users';
import { checkContentType } from './validate';

export const API_PREFIX = '/crm/v1';

type Handler = (req: ApiRequest, caller: Caller, param: string) => Promise<ApiResponse>;
/** A route whose URL is its credential (an onboarding link): no Authorization, any body type. */
type PublicHandler = (req: ApiRequest, param: string) => Promise<ApiResponse>;

type Route = { pattern: RegExp } & ({ methods: Record<string, Handler>; open?: never } | { open: Record<string, PublicHandler>; methods?: never });

export type CrmApi = (req: ApiRequest) => Promise<ApiResponse>;

function routes(deps: CrmApiDeps): Route[] {
  const events = new EventRoutes(deps);
  const people = new PeopleRoutes(deps);
  const users = new UserRoutes(deps);
  const onboarding = new OnboardingRoutes(deps);
  const organisation = new OrganisationRoutes(deps);
  const session = new SessionRoutes(deps);
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
    { pattern: /^\/changes$/, methods: { GET: (req, caller) => changes(deps, req, caller) } },
    ...personRoutes('leads', 'Leads'),
    ...personRoutes('contacts', 'Contacts'),
    { pattern: /^\/people$/, methods: { GET: (req) => people.lookup(req) } },
    {
      pattern: /^\/users$/,
      methods: { GET: (req, caller) => users.list(req, caller), POST: (req, caller) => users.create(req, caller) },
    },
    {
      pattern: /^\/users\/([^/]+)$/,
      methods: {
        GET: (_req, caller, id) => users.get(caller, id),
        PUT: (req, caller, id) => users.update(req, caller, id, true),
        PATCH: (req, caller, id) => users.update(req, caller, id, false),
        DELETE: (_req, caller, id) => users.remove(caller, id),
      },
    },
    { pattern: /^\/users\/([^/]+)\/onboarding$/, methods: { POST: (req, caller, id) => onboarding.create(req, caller, id) } },
    { pattern: /^\/onboarding\/([^/]+)$/, open: { GET: (_req, token) => onboarding.open(token) } },
    { pattern: /^\/onboarding\/([^/]+)\/profile$/, open: { POST: (req, token) => onboarding.profile(req, token) } },
    { pattern: /^\/onboarding\/([^/]+)\/manual$/, open: { POST: (req, token) => onboarding.manual(req, token) } },
    { pattern: /^\/users\/([^/]+)\/export$/, methods: { GET: (_req, caller, id) => users.exportOf(caller, id) } },
    { pattern: /^\/users\/([^/]+)\/devices$/, methods: { GET: (_req, caller, id) => users.devices(caller, id) } },
    { pattern: /^\/exports$/, methods: { GET: (_req, caller) => users.exports(caller) } },
    { pattern: /^\/status$/, methods: { GET: (req, caller) => status(deps, req, caller) } },
    { pattern: /^\/status\/retry$/, methods: { POST: (req, caller) => organisation.retry(req, caller) } },
    { pattern: /^\/organisation$/, methods: { GET: (_req, caller) => organisation.get(caller) } },
    // Sign-in checks its own credentials (e-mail and password in the body, or the cookie).
    { pattern: /^\/session$/, open: { POST: (req) => session.signIn(req), GET: (req) => session.current(req), DELETE: (req) => session.signOut(req) } },
  ];
}

/** GET /crm/v1/changes?cursor=: the connector's change feed, for the admin's reconciliation tools. */
async function changes(deps: CrmApiDeps, req: ApiRequest, caller: Caller): Promise<ApiResponse> {
  if (caller.kind !== 'admin') throw new ApiError(403, 'FORBIDDEN', 'Only the CRM admin may read the change feed');
  const batch = await deps.crm.listChangesSince(req.query.cursor ?? null);
  return json(200, { data: { events: batch.events.map(eventJson), deletedIds: batch.deletedIds, nextCursor: batch.nextCursor } });
}

/** GET /crm/v1/status: the sync bridge's hook; a user sees their own status only. */
async function status(deps: CrmApiDeps, req: ApiRequest, caller: Caller): Promise<ApiResponse> {
  if (!deps.status) throw notFound('Sync status is not available: no CRM sync is configured');
  const owner = caller.kind === 'user' ? caller.email : req.query.owner?.toLowerCase();
  return json(200, { data: await deps.status(owner) });
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function createCrmApi(deps: CrmApiDeps): CrmApi {
  const table = routes(deps);
  return async (req) => {
    try {
      if (isConsolePath(req.path)) return serveConsole(req, deps.console);
      if (req.path !== API_PREFIX && !req.path.startsWith(`${API_PREFIX}/`)) throw notFound(`No such resource ${req.path}`);
      const rest = req.path.slice(API_PREFIX.length).replace(/\/+$/, '') || '/';
      const route = table.find((r) => r.pattern.test(rest));
      if (!route) throw notFound(`No such resource ${req.path}`);
      const method = req.method.toUpperCase();
      const handlers = route.methods ?? route.open;
      const handler = handlers[method];
      if (!handler) {
        const allow = Object.keys(handlers).join(', ');
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allow}`, undefined, { allow });
      }
      const param = route.pattern.exec(rest)?.[1] ?? '';
      if (route.open) return await route.open[method]!(req, param);
      const caller = await identify(req, deps);
      if (BODY_METHODS.has(method)) checkContentType(req.headers['content-type']);
      return await (handler as Handler)(req, caller, param);
    } catch (err) {
      const apiError = apiErrorOf(err);
      if (apiError) return errorResponse(apiError);
      const log = deps.log ?? logLine;
      log('error', 'CRM API failure', { method: req.method, path: req.path, error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
      return INTERNAL_ERROR();
    }
  };
}
