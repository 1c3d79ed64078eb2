/**
 * /crm/v1 and the admin console as a Lambda on API Gateway HTTP API events: the pure router of
 * lambda/api does the work (the App composes the admin API and, with the built-in CRM, its own
 * REST API); this adapts the event and turns failures into JSON errors.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { containerApp, type AppSource } from '../app/container';
import { DavError } from '../core/errors';
import { ApiError, INTERNAL_ERROR, errorResponse } from '../api/errors';
import type { ApiRequest, ApiResponse } from '../api/types';
import { toApiGatewayResult, toDavRequest } from '../http/event';
import { errorText, logLine } from '../platform/log';
import { accessLog, invocationMiddlewares } from '../http/middleware';
import { redactPath } from '../accounts/redact';
import { acceptAlb } from '../http/front-door';
import { traceInvocation } from '../platform/tracing';

function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  let dav;
  try {
    dav = toDavRequest(event);
  } catch (err) {
    if (err instanceof DavError && err.status === 414) throw new ApiError(414, 'INVALID_DATA', err.message, 'path');
    throw new ApiError(400, 'INVALID_DATA', 'Malformed percent-encoding in the request path', 'path');
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) if (!(k in query)) query[k] = v;
  // Payload v2 moves the Cookie header into `cookies`; the API reads it as a header again.
  const headers = event.cookies?.length ? { ...dav.headers, cookie: event.cookies.join('; ') } : dav.headers;
  return { method: dav.method, path: dav.path, query, headers, body: dav.body, sourceIp: event.requestContext.http.sourceIp };
}

async function serve(event: APIGatewayProxyEventV2, app: AppSource): Promise<ApiResponse> {
  try {
    const req = toApiRequest(event);
    return await (await app()).crmApi(req);
  } catch (err) {
    if (err instanceof ApiError) return errorResponse(err);
    logLine('error', 'CRM API handler failure', { path: redactPath(event.rawPath), error: errorText(err), stack: err instanceof Error ? err.stack : undefined });
    return INTERNAL_ERROR();
  }
}

/** A Set-Cookie answer goes in payload v2's `cookies`, where API Gateway expects it. */
function withCookies(result: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 {
  const { 'set-cookie': cookie, ...headers } = result.headers ?? {};
  return cookie === undefined ? result : { ...result, headers, cookies: [String(cookie)] };
}

export function crmApiHandler(app: AppSource) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use([...invocationMiddlewares(), traceInvocation(), accessLog()])
    .handler(async (event) => withCookies(toApiGatewayResult(await serve(event, app))));
}

export const handler = acceptAlb(crmApiHandler(containerApp));
