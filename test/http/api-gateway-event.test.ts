import { describe, expect, it } from 'vitest';
import { buildApiGatewayEvent, isTextContentType, resultToHttp } from '../../lambda/http/api-gateway-event';

describe('buildApiGatewayEvent', () => {
  it('builds a payload 2.0 event like API Gateway', () => {
    const now = new Date('2025-03-12T19:03:58Z');
    const event = buildApiGatewayEvent({
      method: 'report',
      url: '/calendars/ana%40example.com/crm/?a=1&b=2&a=3',
      headers: { Host: 'cal.example.com', 'User-Agent': 'iOS/17', Accept: ['text/xml', 'application/xml'], Cookie: 'x=1; y=2' },
      body: '<sync-collection xmlns="DAV:"/>',
      sourceIp: '10.0.0.9',
      now,
      requestId: 'rid',
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/calendars/ana@example.com/crm/',
      rawQueryString: 'a=1&b=2&a=3',
      cookies: ['x=1', 'y=2'],
      headers: { host: 'cal.example.com', 'user-agent': 'iOS/17', accept: 'text/xml,application/xml' },
      queryStringParameters: { a: '1,3', b: '2' },
      requestContext: {
        domainName: 'cal.example.com',
        http: { method: 'REPORT', path: '/calendars/ana@example.com/crm/', protocol: 'HTTP/1.1', sourceIp: '10.0.0.9', userAgent: 'iOS/17' },
        requestId: 'rid',
        stage: '$default',
        time: '12/Mar/2025:19:03:58 +0000',
        timeEpoch: now.getTime(),
      },
      isBase64Encoded: true,
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(Buffer.from(event.body!, 'base64').toString()).toBe('<sync-collection xmlns="DAV:"/>');
  });

  it('leaves out body, cookies and query parameters when there are none', () => {
    const event = buildApiGatewayEvent({ method: 'GET', url: '/' });
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.cookies).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
  });

  it('sends text as text and everything else as base64', () => {
    for (const type of ['text/calendar; charset=utf-8', 'text/xml', 'application/xml; charset="utf-8"', 'application/json']) {
      expect(isTextContentType(type)).toBe(true);
    }
    for (const type of [undefined, 'application/octet-stream', 'application/x-www-form-urlencoded', 'application/xmlfoo']) {
      expect(isTextContentType(type)).toBe(false);
    }
  });
});

describe('resultToHttp', () => {
  it('decodes base64 bodies and lower-cases header names', () => {
    expect(resultToHttp({ statusCode: 201, headers: { ETag: '"1"' }, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true })).toEqual({
      status: 201,
      headers: { etag: '"1"' },
      body: Buffer.from('hi'),
    });
  });

  it('treats a bare value as a 200 JSON answer', () => {
    expect(resultToHttp('{"ok":true}').status).toBe(200);
  });
});
