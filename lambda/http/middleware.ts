/**
 * The middy stack every DAV handler shares: errors become responses here, in one place.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logInvocation, logLine } from '../platform/log';
import { coldStartMetric } from '../platform/metrics';
import { DavError } from '../core/errors';
import { errorResponse } from '../core/responses';
import { toApiGatewayResult } from './event';
import { redactPath } from '../accounts/redact';

type DavRequestState = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
type DavMiddleware = MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

function requestIdOf(request: DavRequestState): string | undefined {
  return request.context?.awsRequestId || request.event?.requestContext?.requestId;
}

/** DavError → its status and DAV:error body; anything else → a bare 500, details only in the log. */
export function davErrors(): DavMiddleware {
  return {
    onError: (request) => {
      const err = request.error;
      if (err instanceof DavError) {
        request.response = toApiGatewayResult(errorResponse(err));
        return;
      }
      logLine('error', 'Unhandled error', {
        requestId: requestIdOf(request),
        method: request.event?.requestContext?.http?.method,
        path: redactPath(request.event?.rawPath),
        error: err ? { name: err.name, message: err.message, stack: err.stack } : String(err),
      });
      request.response = {
        statusCode: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Internal Server Error\n',
        isBase64Encoded: false,
      };
    },
  };
}

/**
 * One line per request when CALDAV_ACCESS_LOG=1 (the local server turns it on): never a header,
 * a query string or a body, and the path with any secret-looking segment redacted (redact.ts).
 */
export function accessLog(): DavMiddleware {
  const started = new WeakMap<object, number>();
  const log = (request: DavRequestState) => {
    if (process.env.CALDAV_ACCESS_LOG !== '1') return;
    const start = started.get(request);
    logLine('info', 'request', {
      requestId: requestIdOf(request),
      method: request.event.requestContext.http.method,
      path: redactPath(request.event.rawPath),
      status: request.response?.statusCode,
      ms: start === undefined ? undefined : Date.now() - start,
      userAgent: request.event.requestContext.http.userAgent,
    });
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: log,
    onError: log,
  };
}

/**
 * What every HTTP handler (CalDAV and the CRM API) starts with: the invocation in the log lines,
 * the cold-start metric. Not the X-Ray Tracer: it would add a fifth to a CalDAV function's cold
 * start (bench/README.md, "Cold start"); those functions are traced by Lambda's active tracing.
 */
export const invocationMiddlewares = (): DavMiddleware[] => [logInvocation(), coldStartMetric()];

/** Order matters: middy runs onError handlers last-attached first, so the access log sees the final status. */
export const davMiddlewares = (): DavMiddleware[] => [...invocationMiddlewares(), accessLog(), davErrors()];
