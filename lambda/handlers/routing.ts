/**
 * Which handler serves a request in the local server: the CRM API under /crm/, else the CalDAV
 * handler for its method (dav-routing.ts), exactly as the API Gateway routes send them.
 */
import type { AppSource } from '../app/container';
import type { DavLambdaHandler } from '../http/dav-handler';
import { crmApiHandler } from './crm-api';
import { davRouter } from './dav-routing';

export { DAV_METHODS, methodHandler } from './dav-routing';

/** The CRM REST API lives under /crm/ (any method); CalDAV never uses that prefix. */
export const isCrmApi = (path: string) => /^\/crm(\/|$)/.test(path);

export type Router = (method: string, path: string) => DavLambdaHandler;

/** Every handler built once for `app`; `path` is the request path as API Gateway gives it (rawPath). */
export function createRouter(app: AppSource): Router {
  const dav = davRouter(app);
  const crmApi = crmApiHandler(app);
  return (method, path) => (isCrmApi(path) ? crmApi : dav(method));
}
