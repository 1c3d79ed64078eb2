/**
 * Which handler serves a request: the one rule shared by the ANY fallback Lambda and the local
 * server, so both route exactly like the per-method API Gateway routes.
 */
import type { AppSource } from '../app/container';
import { DavError } from '../core/errors';
import { deleteMethod } from '../core/methods/delete';
import { get } from '../core/methods/get';
import { head } from '../core/methods/head';
import { mkcalendar } from '../core/methods/mkcalendar';
import { ALLOWED_METHODS, options } from '../core/methods/options';
import { propfind } from '../core/methods/propfind';
import { proppatch } from '../core/methods/proppatch';
import { post } from '../core/methods/post';
import { put } from '../core/methods/put';
import { report } from '../core/methods/report';
import type { CoreMethod } from '../core/types';
import { davHandler, type DavLambdaHandler } from '../http/dav-handler';
import { crmApiHandler } from './crm-api';

/** The core method behind each routed HTTP method, and whether it answers before credentials. */
export const DAV_METHODS: Record<string, { run: CoreMethod; authenticate: boolean }> = {
  OPTIONS: { run: options, authenticate: false },
  PROPFIND: { run: propfind, authenticate: true },
  PROPPATCH: { run: proppatch, authenticate: true },
  REPORT: { run: report, authenticate: true },
  GET: { run: get, authenticate: true },
  HEAD: { run: head, authenticate: true },
  PUT: { run: put, authenticate: true },
  DELETE: { run: deleteMethod, authenticate: true },
  MKCALENDAR: { run: mkcalendar, authenticate: true },
  // Clients creating a calendar with extended MKCOL (RFC 5689) get MKCALENDAR's refusal.
  MKCOL: { run: mkcalendar, authenticate: true },
  // Free-busy lookups in the scheduling outbox (RFC 6638 §5); on AWS through the ANY route.
  POST: { run: post, authenticate: true },
};

/** The Lambda handler for one HTTP method (one per API Gateway route). */
export function methodHandler(httpMethod: keyof typeof DAV_METHODS, app: AppSource): DavLambdaHandler {
  const { run, authenticate } = DAV_METHODS[httpMethod]!;
  return davHandler(run, app, { authenticate });
}

const notAllowed: CoreMethod = async (req) => {
  throw new DavError(405, `${req.method} is not supported`, undefined, { allow: ALLOWED_METHODS });
};


/** The CRM REST API lives under /crm/ (any method); CalDAV never uses that prefix. */
export const isCrmApi = (path: string) => /^\/crm(\/|$)/.test(path);

export type Router = (method: string, path: string) => DavLambdaHandler;

/** Every handler built once for `app`; `path` is the request path as API Gateway gives it (rawPath). */
export function createRouter(app: AppSource): Router {
  const built = new Map<CoreMethod, DavLambdaHandler>();
  const byMethod = new Map(
    Object.entries(DAV_METHODS).map(([name, { run }]) => {
      if (!built.has(run)) built.set(run, methodHandler(name, app));
      return [name, built.get(run)!];
    }),
  );
  const methodNotAllowed = davHandler(notAllowed, app, { authenticate: false });
  const crmApi = crmApiHandler(app);
  return (method, path) => {
    if (isCrmApi(path)) return crmApi;
    return byMethod.get(method.toUpperCase()) ?? methodNotAllowed;
  };
}
