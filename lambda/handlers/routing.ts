/**
 * Which handler serves a request: the one rule shared by the ANY fallback Lambda and the local
 * server, so both route exactly like the per-method API Gateway routes.
 */
import { DavError } from '../core/errors';
import { ALLOWED_METHODS } from '../core/methods/options';
import { davHandler, type DavLambdaHandler } from '../http/dav-handler';
import { handler as crmApi } from './crm-api';
import { handler as deleteHandler } from './delete';
import { handler as get } from './get';
import { handler as head } from './head';
import { handler as mkcalendar } from './mkcalendar';
import { handler as options } from './options';
import { handler as propfind } from './propfind';
import { handler as proppatch } from './proppatch';
import { handler as put } from './put';
import { handler as report } from './report';
import { handler as wellKnown } from './well-known';

const byMethod: Record<string, DavLambdaHandler> = {
  OPTIONS: options,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  REPORT: report,
  GET: get,
  HEAD: head,
  PUT: put,
  DELETE: deleteHandler,
  MKCALENDAR: mkcalendar,
  // Clients creating a calendar with extended MKCOL (RFC 5689) get MKCALENDAR's refusal.
  MKCOL: mkcalendar,
};

const methodNotAllowed = davHandler(
  async (req) => {
    throw new DavError(405, `${req.method} is not supported`, undefined, { allow: ALLOWED_METHODS });
  },
  { authenticate: false },
);

/** Matches with or without the trailing slash some clients add. */
export const isWellKnownCaldav = (path: string) => /^\/\.well-known\/caldav\/?$/i.test(path);

/** The CRM REST API lives under /crm/ (any method); CalDAV never uses that prefix. */
export const isCrmApi = (path: string) => /^\/crm(\/|$)/.test(path);

/** `path` is the request path as API Gateway gives it (rawPath). */
export function handlerFor(method: string, path: string): DavLambdaHandler {
  if (isWellKnownCaldav(path)) return wellKnown;
  if (isCrmApi(path)) return crmApi;
  return byMethod[method.toUpperCase()] ?? methodNotAllowed;
}
