/**
 * API Gateway HTTP API (payload v2) events ↔ the transport-free DavRequest/DavResponse.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { badRequest } from '../core/errors';
import { decodePath } from '../core/paths';
import type { DavRequest, DavResponse } from '../core/types';

/** Throws a 400 DavError when the path cannot be percent-decoded. */
export function toDavRequest(event: APIGatewayProxyEventV2): DavRequest {
  const path = decodePath(event.rawPath || '/');
  if (path === null) throw badRequest('Malformed percent-encoding in the request path');

  const body = decodeBody(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  // API Gateway invents a Content-Type for requests without a body; it would make e.g. a
  // body-less PROPFIND look like one with an unsupported media type.
  if (body === '') delete headers['content-type'];

  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: path.startsWith('/') ? path : `/${path}`,
    headers,
    body,
  };
}

function decodeBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function toApiGatewayResult(res: DavResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: res.status,
    headers: { ...res.headers },
    body: res.body ?? '',
    isBase64Encoded: false,
  };
}
