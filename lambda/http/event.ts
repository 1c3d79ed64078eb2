/**
 * API Gateway HTTP API (payload v2) events ↔ the transport-free DavRequest/DavResponse.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DavError, badRequest } from '../core/errors';
import { decodePath } from '../core/paths';
import type { DavRequest, DavResponse } from '../core/types';

/**
 * Longest request path accepted, in bytes: real ones are under 150 (e-mail, UUID name), and
 * DynamoDB keys, which paths become, stop at 1,024.
 */
export const MAX_PATH_BYTES = 1024;

/** Throws a 414 DavError for an overlong path, a 400 when it cannot be percent-decoded. */
export function toDavRequest(event: APIGatewayProxyEventV2): DavRequest {
  const raw = event.rawPath || '/';
  if (Buffer.byteLength(raw, 'utf8') > MAX_PATH_BYTES) throw new DavError(414, `Request paths are limited to ${MAX_PATH_BYTES} bytes`);
  const path = decodePath(raw);
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
