/**
 * Builds API Gateway HTTP API (payload format 2.0) events the way API Gateway does, so the local
 * server and tests feed the Lambda handlers exactly what they get on AWS:
 *
 * - header names lower-cased, repeated headers joined with ',', cookies moved to `cookies`;
 * - `rawPath` percent-DECODED (HTTP APIs decode it, unlike REST APIs and function URLs);
 * - the body as UTF-8 text for text/*, application/json, application/xml and
 *   application/javascript, base64 with `isBase64Encoded: true` for everything else, including a
 *   missing Content-Type (the split measured on AWS).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HttpRequestInput {
  method: string;
  /** Request target as sent: path plus optional `?query`, percent-encoded. */
  url: string;
  /** Header names in any case; repeated headers as arrays. */
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  sourceIp?: string;
  protocol?: string;
  /** Defaults to `$default`, the catch-all route. */
  routeKey?: string;
  now?: Date;
  requestId?: string;
}

const TEXT_TYPES = /^(text\/[^;]+|application\/(json|xml|javascript))\s*(;|$)/i;

export const isTextContentType = (contentType: string | undefined) =>
  contentType !== undefined && TEXT_TYPES.test(contentType.trim());

/** Decodes each segment like API Gateway; a malformed escape is left as sent (the handler rejects it). */
function gatewayDecodePath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

/** `12/Mar/2020:19:03:58 +0000`, the access-log format API Gateway uses in requestContext.time. */
function gatewayTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === '') return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    params[key] = key in params ? `${params[key]},${value}` : value;
  }
  return params;
}

export function buildApiGatewayEvent(input: HttpRequestInput): APIGatewayProxyEventV2 {
  const now = input.now ?? new Date();
  const queryAt = input.url.indexOf('?');
  const encodedPath = (queryAt === -1 ? input.url : input.url.slice(0, queryAt)) || '/';
  const rawQueryString = queryAt === -1 ? '' : input.url.slice(queryAt + 1);
  const rawPath = gatewayDecodePath(encodedPath);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    if (key === 'cookie') {
      cookies = [...(cookies ?? []), ...values.flatMap((v) => v.split(';')).map((c) => c.trim()).filter(Boolean)];
      continue;
    }
    headers[key] = key in headers ? `${headers[key]},${values.join(',')}` : values.join(',');
  }

  const bytes = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const hasBody = bytes !== undefined && bytes.length > 0;
  const asText = isTextContentType(headers['content-type']);
  const method = input.method.toUpperCase();
  const routeKey = input.routeKey ?? '$default';
  const requestId = input.requestId ?? randomUUID();
  const sourceIp = input.sourceIp ?? '127.0.0.1';
  const userAgent = headers['user-agent'] ?? '';
  const queryStringParameters = queryParameters(rawQueryString);

  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'offline',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: { method, path: rawPath, protocol: input.protocol ?? 'HTTP/1.1', sourceIp, userAgent },
      requestId,
      routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody
      ? { body: asText ? bytes.toString('utf8') : bytes.toString('base64'), isBase64Encoded: !asText }
      : { isBase64Encoded: false }),
  };
}

/** A Lambda result as the bytes and headers API Gateway would send back. */
export function resultToHttp(result: APIGatewayProxyStructuredResultV2 | string | undefined): {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
} {
  // HTTP APIs answer a bare value as a 200 JSON document (payload 2.0 "inferred" response).
  if (result === undefined || typeof result === 'string') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(result ?? '', 'utf8'),
    };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body
    ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  return { status: result.statusCode ?? 200, headers, body };
}
