/**
 * The JSON APIs under /crm/v1: match a route, authenticate, run it, and turn every error into a
 * JSON error response. Pure: `createApi` gives a function from request to response. Which routes
 * there are is the App's choice: the admin API always, the built-in CRM's own API only when the
 * built-in CRM is the App's CRM.
 */
import { logLine } from '../platform/log';
import { identify } from './auth';
import { guardedPath, type ClientAllowlist } from './allowlist';
import { redactPath } from '../accounts/redact';
import { ApiError, INTERNAL_ERROR, apiErrorOf, errorResponse, notFound } from './errors';
import type { ApiRequest, ApiResponse, AuthDeps, Logger, Mount, Route, RouteHandler } from './types';
import { checkContentType } from './validate';

export const API_PREFIX = '/crm/v1';

export type CrmApi = (req: ApiRequest) => Promise<ApiResponse>;

export interface ApiOptions {
  auth: AuthDeps;
  routes: Route[];
  /** Served before the routes, outside /crm/v1 (the admin console, a hosted CRM's webhook). */
  mounts?: Mount[];
  /** Client addresses allowed through /crm/admin and /crm/v1 (allowlist.ts); absent = everyone. */
  allowlist?: ClientAllowlist | null;
  log?: Logger;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function createApi(opts: ApiOptions): CrmApi {
  const log = opts.log ?? logLine;
  return async (req) => {
    try {
      if (opts.allowlist && guardedPath(req.path) && !opts.allowlist.allows(req.sourceIp)) return outsideAllowlist(req);
      const mount = opts.mounts?.find((m) => m.matches(req.path));
      if (mount) return await mount.serve(req);
      if (req.path !== API_PREFIX && !req.path.startsWith(`${API_PREFIX}/`)) throw notFound(`No such resource ${req.path}`);
      const rest = req.path.slice(API_PREFIX.length).replace(/\/+$/, '') || '/';
      const route = opts.routes.find((r) => r.pattern.test(rest));
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
      const caller = await identify(req, opts.auth);
      if (BODY_METHODS.has(method)) checkContentType(req.headers['content-type']);
      return await (handler as RouteHandler)(req, caller, param);
    } catch (err) {
      const apiError = apiErrorOf(err);
      if (apiError) return errorResponse(apiError);
      log('error', 'CRM API failure', { method: req.method, path: redactPath(req.path), error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
      return INTERNAL_ERROR();
    }
  };
}

/** 403 before anything else is looked at: the console's page as text, the API as JSON. */
function outsideAllowlist(req: ApiRequest): ApiResponse {
  const message = `Not allowed from this network address (${req.sourceIp ?? 'unknown'}): the admin console and API accept only the addresses the deployment lists`;
  if (req.path.startsWith(API_PREFIX)) return errorResponse(new ApiError(403, 'FORBIDDEN', message));
  return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: `${message}.\n` };
}
