import type { ALBEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { composeApp } from '../../lambda/app/app';
import { fixedApp } from '../../lambda/app/container';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { createRouter } from '../../lambda/handlers/routing';
import { ALB_MAX_RESPONSE_BYTES, LAMBDA_MAX_RESPONSE_BYTES, acceptAlb, albToApiGatewayV2, toAlbResult, withinLambdaLimit } from '../../lambda/http/front-door';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';

const context = { awsRequestId: 'alb-test' } as Context;

/** The shape AWS documents for a Lambda target (multi-value headers off). */
const albEvent = (httpMethod: string, path: string, extra: Partial<ALBEvent> = {}): ALBEvent => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/caldav/abc' } },
  httpMethod,
  path,
  queryStringParameters: {},
  headers: { host: 'caldav.example.com', 'user-agent': 'iOS/18.1 (22B83) dataaccessd/1.0', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
  body: '',
  isBase64Encoded: false,
  ...extra,
});

const route = createRouter(fixedApp(composeApp({ store: new MemoryCalendarStore(), users: new MemoryUserStore(), config: DEFAULT_CONFIG })));
const handler = acceptAlb((event, ctx) => route(event.requestContext.http.method, event.rawPath)(event, ctx));

describe('the ALB front door', () => {
  it('turns an ALB event into the v2 event API Gateway would have built', () => {
    const v2 = albToApiGatewayV2(albEvent('PROPFIND', '/calendars/ana%40example.com/', { headers: { Depth: '1', host: 'h', 'X-Forwarded-For': '10.0.0.1, 203.0.113.9' }, body: 'PHg+', isBase64Encoded: true, queryStringParameters: { a: 'b%20c' } }));
    expect(v2).toMatchObject({
      rawPath: '/calendars/ana@example.com/',
      rawQueryString: 'a=b%20c',
      headers: { depth: '1', host: 'h' },
      body: 'PHg+',
      isBase64Encoded: true,
      requestContext: { http: { method: 'PROPFIND', sourceIp: '203.0.113.9' } },
    });
    const xml = albToApiGatewayV2(albEvent('REPORT', '/', { headers: { 'content-type': 'application/xml' }, body: '<x/>' }));
    expect(xml).toMatchObject({ body: '<x/>', isBase64Encoded: false });
  });

  it('takes the client address the ALB appended (the last X-Forwarded-For entry), not one the client wrote', () => {
    const forged = albToApiGatewayV2(albEvent('GET', '/crm/v1/users', { headers: { host: 'h', 'x-forwarded-for': '127.0.0.1, 10.9.8.7,198.51.100.4' } }));
    expect(forged.requestContext.http.sourceIp).toBe('198.51.100.4');
    const multi = albToApiGatewayV2(albEvent('GET', '/', { headers: undefined as never, multiValueHeaders: { 'x-forwarded-for': ['127.0.0.1', '198.51.100.5'] } }));
    expect(multi.requestContext.http.sourceIp).toBe('198.51.100.5');
  });

  it('serves custom WebDAV methods and the well-known redirect through the same handlers', async () => {
    const propfind = await handler(albEvent('PROPFIND', '/'), context);
    expect(propfind).toMatchObject({ statusCode: 401, statusDescription: '401', isBase64Encoded: false });
    expect((propfind as { headers: Record<string, string> }).headers['www-authenticate']).toMatch(/^Basic /);
    const wellKnown = await handler(albEvent('PROPFIND', '/.well-known/caldav'), context);
    expect([301, 302, 307, 308]).toContain(wellKnown.statusCode);
    expect((await handler(albEvent('OPTIONS', '/'), context)).statusCode).toBe(200);
  });

  it('answers 507 behind the HTTP API where the result would pass the 6 MB Lambda returns', async () => {
    // Calendar text grows when JSON-escaped (each CRLF takes 4 bytes): 5.8 MB of it is over the limit as sent.
    const body = 'DTSTART:20261207T090000Z\r\n'.repeat(Math.ceil((5.8 * 1024 * 1024) / 27));
    expect(Buffer.byteLength(body)).toBeLessThan(LAMBDA_MAX_RESPONSE_BYTES);
    const big = { statusCode: 207, headers: { 'content-type': 'application/xml' }, body };
    expect(withinLambdaLimit(big)).toMatchObject({ statusCode: 507, body: expect.stringContaining('6 MB') });
    const handler = acceptAlb(async () => big);
    expect(await handler(buildApiGatewayEvent({ method: 'REPORT', url: '/calendars/a@example.com/crm/' }), {} as Context)).toMatchObject({ statusCode: 507 });
    const fits = { statusCode: 207, headers: {}, body: 'x'.repeat(4 * 1024 * 1024) };
    expect(withinLambdaLimit(fits)).toBe(fits);
  });

  it('answers 507 where the response would pass the 1 MB a Lambda target may return', () => {
    expect(toAlbResult({ statusCode: 207, headers: {}, body: 'x'.repeat(ALB_MAX_RESPONSE_BYTES) })).toMatchObject({ statusCode: 507 });
    expect(toAlbResult({ statusCode: 207, headers: {}, body: '<ok/>' })).toMatchObject({ statusCode: 207, body: '<ok/>' });
  });

  it('carries the console session cookie both ways: the Cookie header in, a v2 result cookies out as Set-Cookie', () => {
    const v2 = albToApiGatewayV2(albEvent('GET', '/crm/v1/session', { headers: { host: 'h', cookie: 'a=1; crm_admin_session=x.y' } }));
    expect(v2.cookies).toEqual(['a=1', 'crm_admin_session=x.y']);
    const alb = toAlbResult({ statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: ['crm_admin_session=v; Path=/crm; HttpOnly'], body: '{}' });
    expect(alb.headers).toEqual({ 'content-type': 'application/json', 'set-cookie': 'crm_admin_session=v; Path=/crm; HttpOnly' });
  });
});
