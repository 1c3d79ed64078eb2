import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { buildApiGatewayEvent, type HttpRequestInput } from '../../lambda/http/api-gateway-event';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { composeApp } from '../../lambda/app/app';
import { fixedApp } from '../../lambda/app/container';
import { createRouter, methodHandler } from '../../lambda/handlers/routing';
import { hashPassword } from '../../lambda/accounts/passwords';
import { clearAuthCache } from '../../lambda/accounts/credentials';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';

const context = { awsRequestId: 'test' } as Context;
// Cheap scrypt cost keeps these tests fast; the stored hash carries its own parameters.
const FAST = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const authorization = `Basic ${Buffer.from(`ana@example.com:${PASSWORD}`).toString('base64')}`;
const event = (input: HttpRequestInput) => buildApiGatewayEvent(input);

const users = new MemoryUserStore();
const app = fixedApp(composeApp({ store: new MemoryCalendarStore(), users, config: DEFAULT_CONFIG }));
const route = createRouter(app);
const options = methodHandler('OPTIONS', app);
const propfind = methodHandler('PROPFIND', app);
const mkcalendar = methodHandler('MKCALENDAR', app);
const wellKnown = route('GET', '/.well-known/caldav');
const any = (e: ReturnType<typeof event>, c: Context) => route(e.requestContext.http.method, e.rawPath)(e, c);

beforeAll(async () => {
  await users.putUser({ email: 'ana@example.com', passwordHash: await hashPassword(PASSWORD, FAST), enabled: true, createdAt: '2025-01-01T00:00:00Z' });
});
afterEach(() => clearAuthCache());

describe('per-method handlers', () => {
  it('answers OPTIONS without credentials', async () => {
    const result = await options(event({ method: 'OPTIONS', url: '/calendars/ana@example.com/crm/' }), context);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.dav).toContain('calendar-access');
  });

  it('asks for credentials on PROPFIND', async () => {
    const result = await propfind(event({ method: 'PROPFIND', url: '/', headers: { depth: '0' } }), context);
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe('Basic realm="crm-caldav", charset="UTF-8"');
  });

  it('refuses wrong credentials on an authenticated method', async () => {
    const bad = `Basic ${Buffer.from('ana@example.com:wrong').toString('base64')}`;
    const result = await mkcalendar(event({ method: 'MKCALENDAR', url: '/calendars/ana@example.com/new/', headers: { authorization: bad } }), context);
    expect(result.statusCode).toBe(401);
  });

  it('redirects /.well-known/caldav without credentials', async () => {
    const result = await wellKnown(event({ method: 'PROPFIND', url: '/.well-known/caldav' }), context);
    expect([301, 302, 307, 308]).toContain(result.statusCode);
    expect(result.headers?.location).toBeTruthy();
  });
});

describe('/.well-known/caldav inside every handler', () => {
  it('redirects whichever method route it reaches, so route precedence cannot break discovery', async () => {
    for (const method of ['PROPFIND', 'GET', 'PUT', 'OPTIONS', 'DELETE'] as const) {
      const result = await methodHandler(method, app)(event({ method, url: '/.well-known/caldav/' }), context);
      expect([301, 302, 307, 308], method).toContain(result.statusCode);
      expect(result.headers?.location, method).toBeTruthy();
    }
  });
});

describe('routing', () => {
  it('answers /.well-known/caldav with the redirect whatever the method, unknown ones included', async () => {
    for (const method of ['GET', 'PROPFIND', 'OPTIONS', 'PUT', 'LOCK']) {
      for (const url of ['/.well-known/caldav', '/.well-known/caldav/']) {
        const result = await route(method, url)(event({ method, url }), context);
        expect([301, 302, 307, 308], `${method} ${url}`).toContain(result.statusCode);
      }
    }
  });

  it('picks the handler by method, case-insensitively, and MKCOL like MKCALENDAR', () => {
    expect(route('propfind', '/')).toBe(route('PROPFIND', '/x/'));
    expect(route('OPTIONS', '/x/')).not.toBe(route('PROPFIND', '/x/'));
    expect(route('MKCOL', '/calendars/ana@example.com/new/')).toBe(route('MKCALENDAR', '/'));
  });
});

describe('ANY fallback', () => {
  it('serves the well-known redirect', async () => {
    const result = await any(event({ method: 'GET', url: '/.well-known/caldav' }), context);
    expect([301, 302, 307, 308]).toContain(result.statusCode);
  });

  it('answers an unknown method with 405 and Allow, without asking for credentials', async () => {
    const result = await any(event({ method: 'LOCK', url: '/calendars/ana@example.com/crm/x.ics' }), context);
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toContain('PROPFIND');
  });

  it('refuses MKCOL like MKCALENDAR (403)', async () => {
    const result = await any(event({ method: 'MKCOL', url: '/calendars/ana@example.com/new/', headers: { authorization } }), context);
    expect(result.statusCode).toBe(403);
  });

  it('passes OPTIONS through without credentials and PROPFIND only with them', async () => {
    expect((await any(event({ method: 'OPTIONS', url: '/' }), context)).statusCode).toBe(200);
    expect((await any(event({ method: 'PROPFIND', url: '/' }), context)).statusCode).toBe(401);
  });
});
