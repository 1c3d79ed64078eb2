import { describe, expect, it } from 'vitest';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';
import { DavError } from '../../lambda/core/errors';
import { toApiGatewayResult, toDavRequest } from '../../lambda/http/event';

describe('toDavRequest', () => {
  it('upper-cases the method, lower-cases headers and decodes the path', () => {
    const event = buildApiGatewayEvent({ method: 'propfind', url: '/calendars/a%40b.example/crm/' });
    event.headers = { Depth: '1', 'Content-Type': 'application/xml' };
    event.body = '<propfind xmlns="DAV:"/>';
    const req = toDavRequest(event);
    expect(req).toEqual({
      method: 'PROPFIND',
      path: '/calendars/a@b.example/crm/',
      headers: { depth: '1', 'content-type': 'application/xml' },
      body: '<propfind xmlns="DAV:"/>',
    });
  });

  it('keeps text bodies as they are', () => {
    const ics = 'BEGIN:VCALENDAR\r\nSUMMARY:Café\r\nEND:VCALENDAR\r\n';
    const event = buildApiGatewayEvent({
      method: 'PUT',
      url: '/calendars/a@b.example/crm/x.ics',
      headers: { 'content-type': 'text/calendar; charset=utf-8' },
      body: ics,
    });
    expect(event.isBase64Encoded).toBe(false);
    expect(toDavRequest(event).body).toBe(ics);
  });

  it('decodes base64 bodies as UTF-8', () => {
    const xml = '<d:displayname xmlns:d="DAV:">Zoë</d:displayname>';
    const event = buildApiGatewayEvent({ method: 'PROPPATCH', url: '/x/', body: xml });
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(Buffer.from(xml).toString('base64'));
    expect(toDavRequest(event).body).toBe(xml);
  });

  it('drops the Content-Type API Gateway adds to body-less requests', () => {
    const event = buildApiGatewayEvent({ method: 'PROPFIND', url: '/', headers: { 'content-type': 'application/json' } });
    expect(toDavRequest(event).headers).not.toHaveProperty('content-type');
    const withBody = buildApiGatewayEvent({
      method: 'PROPFIND',
      url: '/',
      headers: { 'content-type': 'text/xml' },
      body: '<propfind xmlns="DAV:"><allprop/></propfind>',
    });
    expect(toDavRequest(withBody).headers['content-type']).toBe('text/xml');
  });

  it('rejects an undecodable path with 400', () => {
    const event = buildApiGatewayEvent({ method: 'GET', url: '/calendars/%E0%A4%A/' });
    expect(() => toDavRequest(event)).toThrowError(DavError);
    try {
      toDavRequest(event);
    } catch (err) {
      expect((err as DavError).status).toBe(400);
    }
  });

  it('skips undefined header values', () => {
    const event = buildApiGatewayEvent({ method: 'GET', url: '/' });
    event.headers = { a: undefined, b: 'x' };
    expect(toDavRequest(event).headers).toEqual({ b: 'x' });
  });
});

describe('toApiGatewayResult', () => {
  it('returns the body as text', () => {
    expect(toApiGatewayResult({ status: 207, headers: { 'content-type': 'application/xml' }, body: '<x/>' })).toEqual({
      statusCode: 207,
      headers: { 'content-type': 'application/xml' },
      body: '<x/>',
      isBase64Encoded: false,
    });
    expect(toApiGatewayResult({ status: 204, headers: {} }).body).toBe('');
  });
});
