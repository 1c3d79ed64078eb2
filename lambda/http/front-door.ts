/**
 * The Application Load Balancer front door (`frontDoor=alb`): an ALB event becomes the API
 * Gateway v2 event every handler takes, and the v2 result an ALB result. A handler module wraps
 * its handler with `acceptAlb`, so one function serves either front door.
 *
 * An ALB passes at most 1 MB to and from a Lambda target. Bigger requests never arrive (the
 * load balancer refuses them); a bigger response becomes 507 here (RFC 4918 §11.5), telling the
 * client to ask for less (a smaller calendar-multiget, DAV:limit on sync-collection).
 */
import type { ALBEvent, ALBResult, APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildApiGatewayEvent } from './api-gateway-event';

/**
 * How long an HTTP-facing function may run (lib/constructs/dav-function.ts). The local server
 * gives its handlers the same remaining time, so a write gives up a lost counter race when it
 * would on AWS (dav-handler.ts), not at API Gateway's 30 s, which the functions never reach.
 */
export const HTTP_FUNCTION_TIMEOUT_SECONDS = 10;

/** What a Lambda target may answer with, headers and body (base64 counted as sent). */
export const ALB_MAX_RESPONSE_BYTES = 1024 * 1024;
const HEADROOM_BYTES = 16 * 1024;

export const isAlbEvent = (event: unknown): event is ALBEvent =>
  typeof event === 'object' && event !== null && 'elb' in ((event as { requestContext?: object }).requestContext ?? {});

/**
 * The client as the load balancer saw it: the last X-Forwarded-For entry, the one the ALB
 * appends (its default `append` mode). Entries before it are whatever the client sent, so the
 * first one can be forged; allowlists and sign-in throttles must not key on it.
 */
export function clientAddress(forwarded: string | string[] | undefined): string | undefined {
  const entries = [forwarded].flat().filter((v): v is string => v !== undefined).join(',').split(',').map((e) => e.trim()).filter(Boolean);
  return entries.at(-1);
}

/**
 * The same v2 event API Gateway would have built for this request (buildApiGatewayEvent), so the
 * handlers see one shape whatever the front door: lower-cased joined headers, a decoded rawPath,
 * text or base64 body by Content-Type.
 */
export function albToApiGatewayV2(event: ALBEvent): APIGatewayProxyEventV2 {
  const headers: Record<string, string | string[] | undefined> = event.multiValueHeaders ?? event.headers ?? {};
  // ALB hands query parameters over still URL-encoded.
  const query = event.multiValueQueryStringParameters
    ? Object.entries(event.multiValueQueryStringParameters).flatMap(([k, vs]) => (vs ?? []).map((v) => `${k}=${v}`))
    : Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => `${k}=${v ?? ''}`);
  const forwarded = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-forwarded-for')?.[1];
  return buildApiGatewayEvent({
    method: event.httpMethod,
    url: `${event.path || '/'}${query.length ? `?${query.join('&')}` : ''}`,
    headers,
    body: event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined,
    sourceIp: clientAddress(forwarded),
  });
}

const TOO_LARGE: ALBResult = {
  statusCode: 507,
  statusDescription: '507 Insufficient Storage',
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'The response is larger than the 1 MB this server can send through its load balancer; ask for fewer objects (a smaller calendar-multiget, or DAV:limit on sync-collection).\n',
  isBase64Encoded: false,
};

export function toAlbResult(result: APIGatewayProxyStructuredResultV2): ALBResult {
  const body = result.body ?? '';
  const size = Buffer.byteLength(body, 'utf8') + JSON.stringify(result.headers ?? {}).length;
  if (size > ALB_MAX_RESPONSE_BYTES - HEADROOM_BYTES) return TOO_LARGE;
  const status = result.statusCode ?? 200;
  // A load balancer without multi-value headers sends one Set-Cookie: the API sets at most one.
  const headers = { ...(result.headers ?? {}) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies[0]!;
  return { statusCode: status, statusDescription: String(status), headers, body, isBase64Encoded: result.isBase64Encoded ?? false };
}

/**
 * Lambda's limit on a synchronous invocation's response, the result as JSON: behind the HTTP API
 * a bigger one fails the invocation and the client gets a bare 500 (API Gateway's own 10 MB
 * limit is never reached).
 */
export const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

const TOO_LARGE_FOR_LAMBDA: APIGatewayProxyStructuredResultV2 = {
  statusCode: 507,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'The response is larger than the 6 MB this server can send; ask for fewer objects (a smaller calendar-multiget, or DAV:limit on sync-collection).\n',
  isBase64Encoded: false,
};

/** The result, or a 507 when Lambda could not return it (RFC 4918 §11.5, as the ALB path answers). */
export function withinLambdaLimit(result: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 {
  // A JSON-escaped character takes at most 6 bytes: most answers are told apart without encoding them.
  if ((result.body?.length ?? 0) * 6 < LAMBDA_MAX_RESPONSE_BYTES - HEADROOM_BYTES) return result;
  return Buffer.byteLength(JSON.stringify(result), 'utf8') > LAMBDA_MAX_RESPONSE_BYTES - HEADROOM_BYTES ? TOO_LARGE_FOR_LAMBDA : result;
}

type V2Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The handler for either front door: API Gateway events pass through, ALB events are adapted. */
export function acceptAlb(handler: V2Handler) {
  return async (event: APIGatewayProxyEventV2 | ALBEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2 | ALBResult> =>
    isAlbEvent(event) ? toAlbResult(await handler(albToApiGatewayV2(event), context)) : withinLambdaLimit(await handler(event, context));
}
