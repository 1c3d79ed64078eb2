import { D } from '../../lambda/core/namespaces';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';
import { DavError } from '../../lambda/core/errors';
import { DEFAULT_CONFIG, type DavContext, type DavRequest } from '../../lambda/core/types';
import { hashPassword } from '../../lambda/accounts/passwords';
import { clearAuthCache } from '../../lambda/accounts/credentials';
import { davHandler } from '../../lambda/http/dav-handler';
import { composeApp, type App } from '../../lambda/app/app';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';
import { MemoryActivityStore } from '../../lambda/accounts/activity';

// Cheap scrypt cost keeps these tests fast; the stored hash carries its own parameters.
const FAST = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'secret-app-password';
const NOW = new Date('2025-03-01T12:00:00Z');
const context = { awsRequestId: 'req-123' } as Context;
const auth = { authorization: `Basic ${Buffer.from(`ana@example.com:${PASSWORD}`).toString('base64')}` };

async function install() {
  const users = new MemoryUserStore();
  await users.putUser({ email: 'ana@example.com', passwordHash: await hashPassword(PASSWORD, FAST), enabled: true, createdAt: NOW.toISOString() });
  const store = new MemoryCalendarStore();
  app = composeApp({ store, users, config: DEFAULT_CONFIG, now: () => NOW });
  return { store, users };
}

let app: App;
const source = () => Promise.resolve(app);

afterEach(() => {
  clearAuthCache();
  vi.restoreAllMocks();
});

describe('davHandler', () => {
  it('hands the method the decoded request and a context with the authenticated user', async () => {
    const { store } = await install();
    let seen: { req: DavRequest; ctx: DavContext } | undefined;
    const handler = davHandler(async (req, ctx) => {
      seen = { req, ctx };
      return { status: 207, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: '<ok/>' };
    }, source);
    const event = buildApiGatewayEvent({ method: 'PROPFIND', url: '/calendars/ana%40example.com/', headers: { ...auth, Depth: '0' } });
    const result = await handler(event, context);
    expect(result).toEqual({ statusCode: 207, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: '<ok/>', isBase64Encoded: false });
    expect(seen?.req.path).toBe('/calendars/ana@example.com/');
    expect(seen?.req.headers.depth).toBe('0');
    expect(seen?.ctx.user).toEqual({ email: 'ana@example.com' });
    // The store as seen through the credential check (http/read-ahead.ts): the same data.
    await store.patchCalendarProps('ana@example.com', { '{x}p': 'v' }, []);
    expect(await seen!.ctx.store.getCalendar('ana@example.com')).toEqual(await store.getCalendar('ana@example.com'));
    expect(seen?.ctx.now()).toEqual(NOW);
  });

  it('with a wrong password answers 401, and whatever the method started writes nothing and calls no hook', async () => {
    const { store } = await install();
    const hook = vi.fn();
    app = { ...app, onObjectChange: hook };
    const object = { name: 'x.ics', uid: 'x', etag: '"1"', ics: 'BEGIN:VCALENDAR', lastModified: NOW.toISOString(), size: 15, rangeStart: null, rangeEnd: null, recurring: false };
    let settled: Promise<unknown> | undefined;
    const handler = davHandler(async (_req, ctx) => {
      settled = Promise.allSettled([ctx.store.putObject('ana@example.com', object), ctx.store.patchCalendarProps('ana@example.com', { '{x}p': 'v' }, []), ctx.onObjectChange?.({ kind: 'put', owner: 'ana@example.com', object, carried: false })]);
      await settled;
      return { status: 201, headers: {} };
    }, source);
    const wrong = { authorization: `Basic ${Buffer.from('ana@example.com:wrong').toString('base64')}` };
    const result = await handler(buildApiGatewayEvent({ method: 'PUT', url: '/calendars/ana@example.com/crm/x.ics', headers: wrong }), context);
    expect(result.statusCode).toBe(401);
    await settled;
    expect(await store.getObject('ana@example.com', 'x.ics')).toBeNull();
    expect((await store.getCalendar('ana@example.com')).props).toEqual({});
    expect(hook).not.toHaveBeenCalled();
  });

  it("gives the store's writes the request's deadline for retrying lost races: the function's time left, less a reserve", async () => {
    const { store } = await install();
    const put = vi.spyOn(store, 'putObject');
    const object = { name: 'x.ics', uid: 'x', etag: '"1"', ics: 'BEGIN:VCALENDAR', lastModified: NOW.toISOString(), size: 15, rangeStart: null, rangeEnd: null, recurring: false };
    const handler = davHandler(async (_req, ctx) => {
      await ctx.store.putObject('ana@example.com', object);
      return { status: 201, headers: {} };
    }, source);
    const event = buildApiGatewayEvent({ method: 'PUT', url: '/calendars/ana@example.com/crm/x.ics', headers: auth });
    const before = Date.now();
    expect((await handler(event, { ...context, getRemainingTimeInMillis: () => 10_000 } as Context)).statusCode).toBe(201);
    const giveUpBy = put.mock.calls[0]![3]!.giveUpBy!;
    expect(giveUpBy).toBeGreaterThanOrEqual(before + 8_000);
    expect(giveUpBy).toBeLessThanOrEqual(Date.now() + 8_000);
    // Outside Lambda, a context without a clock: rounds bounded by their number only.
    expect((await handler(event, context)).statusCode).toBe(201);
    expect(put.mock.calls[1]![3]).not.toHaveProperty('giveUpBy');
  });

  it('answers 401 with the challenge before calling the method', async () => {
    await install();
    const method = vi.fn();
    const result = await davHandler(method, source)(buildApiGatewayEvent({ method: 'PROPFIND', url: '/' }), context);
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toBe('Basic realm="crm-caldav", charset="UTF-8"');
    expect(method).not.toHaveBeenCalled();
  });

  it('runs unauthenticated methods with an anonymous principal', async () => {
    await install();
    const handler = davHandler(async (_req, ctx) => ({ status: 200, headers: {}, body: `[${ctx.user.email}]` }), source, { authenticate: false });
    expect((await handler(buildApiGatewayEvent({ method: 'OPTIONS', url: '/' }), context)).body).toBe('[]');
  });

  it('turns a DavError into its status and DAV:error body', async () => {
    await install();
    const handler = davHandler(async () => {
      throw new DavError(403, 'nope', D('valid-sync-token'));
    }, source);
    const result = await handler(buildApiGatewayEvent({ method: 'REPORT', url: '/', headers: auth }), context);
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('valid-sync-token');
  });

  it('answers 400 for an undecodable path', async () => {
    await install();
    const result = await davHandler(vi.fn(), source)(buildApiGatewayEvent({ method: 'GET', url: '/%zz', headers: auth }), context);
    expect(result.statusCode).toBe(400);
  });

  it('hides unexpected errors behind a generic 500 and logs one JSON line without secrets', async () => {
    await install();
    // Powertools' Logger writes straight to the process's stderr (as Lambda's runtime reads it).
    const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const handler = davHandler(async () => {
      throw new Error('disk on fire');
    }, source);
    const event = buildApiGatewayEvent({
      method: 'PUT',
      url: '/calendars/ana@example.com/crm/x.ics',
      headers: { ...auth, 'content-type': 'text/calendar' },
      body: 'BEGIN:VCALENDAR\r\nSUMMARY:Top secret meeting\r\nEND:VCALENDAR\r\n',
    });
    const result = await handler(event, context);
    expect(result).toEqual({ statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error\n', isBase64Encoded: false });
    const lines = log.mock.calls.map(([chunk]) => String(chunk));
    log.mockRestore();
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(JSON.parse(line)).toMatchObject({ level: 'ERROR', service: 'crm-caldav', message: 'Unhandled error', requestId: 'req-123', method: 'PUT', error: { message: 'disk on fire' } });
    expect(line).not.toContain(PASSWORD);
    expect(line).not.toContain(auth.authorization.slice(6));
    expect(line).not.toContain('Top secret');
  });
});

describe('device activity', () => {
  const IOS = 'iOS/18.2 (22C152) dataaccessd/1.0';
  const answer = async () => ({ status: 207, headers: {}, body: '<ok/>' });

  it('notes the device of an authenticated request, not of a refused one, and a failed note fails nothing', async () => {
    await install();
    const activity = new MemoryActivityStore();
    app = composeApp({ store: app.store, users: app.users, config: DEFAULT_CONFIG, now: () => NOW, activity });
    const handler = davHandler(answer, source);
    const request = (authorization: string) => buildApiGatewayEvent({ method: 'PROPFIND', url: '/calendars/ana%40example.com/', headers: { authorization, 'user-agent': IOS } });
    const wrong = `Basic ${Buffer.from('ana@example.com:wrong').toString('base64')}`;
    expect((await handler(request(wrong), context)).statusCode).toBe(401);
    expect(await activity.list('ana@example.com')).toEqual([]);
    expect((await handler(request(auth.authorization), context)).statusCode).toBe(207);
    expect(await activity.list('ana@example.com')).toEqual([{ userAgent: IOS, lastSeenAt: NOW.toISOString(), lastMethod: 'PROPFIND' }]);

    // A device whose stored note is old (here: none) is written; that write failing fails nothing.
    const failing = new MemoryActivityStore();
    vi.spyOn(failing, 'record').mockRejectedValue(new Error('throttled'));
    const log = vi.fn();
    app = composeApp({ store: app.store, users: app.users, config: DEFAULT_CONFIG, now: () => NOW, activity: failing, log });
    expect((await davHandler(answer, source)(request(auth.authorization), context)).statusCode).toBe(207);
    expect(log).toHaveBeenCalledWith('error', 'could not note the device activity', { error: 'Error: throttled' });
  });
});
