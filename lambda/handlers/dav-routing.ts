/**
 * The CalDAV methods and the one rule that picks a handler for a request's method: shared by
 * the ANY fallback Lambda and the local server (routing.ts adds the CRM API in front), so both
 * route exactly like the per-method API Gateway routes. Nothing here reaches the CRM API, the
 * console or the jobs.
 */
import type { DavPartsSource } from '../http/dav-handler';
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
import { anonymousHandler } from '../http/anonymous-handler';
import { davHandler, type DavLambdaHandler } from '../http/dav-handler';

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
export function methodHandler(httpMethod: keyof typeof DAV_METHODS, app: DavPartsSource): DavLambdaHandler {
  const { run, authenticate } = DAV_METHODS[httpMethod]!;
  return authenticate ? davHandler(run, app) : anonymousHandler(run);
}

const notAllowed: CoreMethod = async (req) => {
  throw new DavError(405, `${req.method} is not supported`, undefined, { allow: ALLOWED_METHODS });
};

export type DavRouter = (method: string) => DavLambdaHandler;

/** The methods that never write: what a function with the read-only App may serve (build-read-dav.ts). */
export const READ_ONLY_METHODS = ['OPTIONS', 'PROPFIND', 'REPORT', 'GET', 'HEAD', 'MKCALENDAR', 'MKCOL', 'POST'] as const;

/**
 * Every CalDAV handler built once for `app`; `only`: the methods it may serve (the others are
 * answered 405, as methods without a handler are).
 */
export function davRouter(app: DavPartsSource, only?: readonly string[]): DavRouter {
  const built = new Map<CoreMethod, DavLambdaHandler>();
  const byMethod = new Map(
    Object.entries(DAV_METHODS)
      .filter(([name]) => !only || only.includes(name))
      .map(([name, { run }]) => {
        if (!built.has(run)) built.set(run, methodHandler(name, app));
        return [name, built.get(run)!];
      }),
  );
  const methodNotAllowed = davHandler(notAllowed, app, { authenticate: false });
  return (method) => byMethod.get(method.toUpperCase()) ?? methodNotAllowed;
}
