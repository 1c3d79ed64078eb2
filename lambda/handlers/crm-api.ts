/**
 * The CRM REST API (/crm/v1/...) as a Lambda on API Gateway HTTP API events: the pure router in
 * lambda/crm/api does the work; this adapts the event and wires the dependencies, including the
 * sync bridge's listener and status when a CRM connector is configured, and the export jobs for
 * progress.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createCrmApi, type CrmApi } from '../crm/api/router';
import { ApiError, INTERNAL_ERROR, errorResponse, notFound } from '../crm/api/errors';
import type { ApiRequest, ApiResponse } from '../crm/api/types';
import { getDependencies, type Dependencies } from '../http/deps';
import { toApiGatewayResult, toDavRequest } from '../http/event';
import { logLine } from '../app/log';
import { accessLog } from '../http/middleware';

const apis = new WeakMap<Dependencies, Promise<CrmApi | null>>();

async function buildApi(deps: Dependencies): Promise<CrmApi | null> {
  if (!deps.crmApi) return null;
  const { backend, adminToken } = await deps.crmApi();
  return createCrmApi({ crm: backend, users: deps.users, adminToken, listener: deps.crm?.listener, status: deps.crm?.status, exports: deps.jobs, now: deps.now, log: logLine });
}

function apiFor(deps: Dependencies): Promise<CrmApi | null> {
  let api = apis.get(deps);
  if (!api) apis.set(deps, (api = buildApi(deps)));
  return api;
}

function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  let dav;
  try {
    dav = toDavRequest(event);
  } catch {
    throw new ApiError(400, 'INVALID_DATA', 'Malformed percent-encoding in the request path', 'path');
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) if (!(k in query)) query[k] = v;
  return { method: dav.method, path: dav.path, query, headers: dav.headers, body: dav.body };
}

async function serve(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  try {
    const req = toApiRequest(event);
    const api = await apiFor(await getDependencies());
    if (!api) return errorResponse(notFound('The CRM API is not configured here'));
    return await api(req);
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    logLine('error', 'CRM API handler failure', { path: event.rawPath, error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    return INTERNAL_ERROR();
  }
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
  .use(accessLog())
  .handler(async (event) => toApiGatewayResult(await serve(event)));
