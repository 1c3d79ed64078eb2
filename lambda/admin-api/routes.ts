/**
 * The admin API's routes under /crm/v1, needed whatever the CRM: users (our CalDAV accounts),
 * onboarding links, exports, devices, the sync status and its retry, the organisation's
 * overview and the console's sign-in; and the console's files under /crm/admin.
 */
import { json, notFound } from '../api/errors';
import { listAudit } from './audit';
import type { ApiRequest, ApiResponse, Caller, Mount, Route } from '../api/types';
import { isConsolePath, serveConsole } from './console';
import { ConnectionRoutes } from './connection';
import { OnboardingRoutes } from './onboarding';
import { OrganisationRoutes } from './organisation';
import { SessionRoutes } from './session';
import type { AdminApiDeps } from './types';
import { UserRoutes } from './users';

export function adminRoutes(deps: AdminApiDeps): Route[] {
  const users = new UserRoutes(deps);
  const onboarding = new OnboardingRoutes(deps);
  const organisation = new OrganisationRoutes(deps);
  const session = new SessionRoutes(deps);
  const connection = new ConnectionRoutes(deps);
  return [
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
        DELETE: (req, caller, id) => users.remove(req, caller, id),
      },
    },
    { pattern: /^\/users\/([^/]+)\/onboarding$/, methods: { POST: (req, caller, id) => onboarding.create(req, caller, id) } },
    // A set-up link's secret travels in the fragment and POST bodies, never in these paths.
    { pattern: /^\/onboarding$/, open: { GET: async () => onboarding.open() } },
    { pattern: /^\/onboarding\/check$/, open: { POST: (req) => onboarding.check(req) } },
    { pattern: /^\/onboarding\/profile$/, open: { POST: (req) => onboarding.profile(req) } },
    { pattern: /^\/onboarding\/manual$/, open: { POST: (req) => onboarding.manual(req) } },
    // Links from before: the token in the path. Refused and ended, whatever the method.
    { pattern: /^\/onboarding\/([^/]+)(?:\/profile|\/manual)?$/, open: { GET: (req, token) => onboarding.outdated(req, token), POST: (req, token) => onboarding.outdated(req, token) } },
    { pattern: /^\/users\/([^/]+)\/export$/, methods: { GET: (_req, caller, id) => users.exportOf(caller, id) } },
    { pattern: /^\/users\/([^/]+)\/devices$/, methods: { GET: (_req, caller, id) => users.devices(caller, id) } },
    { pattern: /^\/exports$/, methods: { GET: (_req, caller) => users.exports(caller) } },
    { pattern: /^\/status$/, methods: { GET: (req, caller) => status(deps, req, caller) } },
    { pattern: /^\/status\/retry$/, methods: { POST: (req, caller) => organisation.retry(req, caller) } },
    { pattern: /^\/organisation$/, methods: { GET: (_req, caller) => organisation.get(caller) } },
    { pattern: /^\/connection$/, methods: { GET: (_req, caller) => connection.get(caller), DELETE: (req, caller) => connection.disconnect(req, caller) } },
    { pattern: /^\/connection\/consent$/, methods: { POST: (req, caller) => connection.consent(req, caller) } },
    { pattern: /^\/audit$/, methods: { GET: (req, caller) => listAudit(deps, req, caller) } },
    // Sign-in checks its own credentials (e-mail and password in the body, or the cookie).
    { pattern: /^\/session$/, open: { POST: (req) => session.signIn(req), GET: (req) => session.current(req), DELETE: (req) => session.signOut(req) } },
  ];
}

/** The admin console's files under /crm/admin. */
export const consoleSite = (deps: Pick<AdminApiDeps, 'console'>): Mount => ({
  matches: isConsolePath,
  serve: (req) => serveConsole(req, deps.console),
});

/** GET /crm/v1/status: the sync bridge's waiting changes; a user sees their own only. */
async function status(deps: AdminApiDeps, req: ApiRequest, caller: Caller): Promise<ApiResponse> {
  if (!deps.status) throw notFound('Sync status is not available: no CRM sync is configured');
  const owner = caller.kind === 'user' ? caller.email : req.query.owner?.toLowerCase();
  return json(200, { data: await deps.status(owner) });
}
