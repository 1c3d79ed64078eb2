/**
 * Recorded-style API Gateway HTTP API events (payload format 2.0, test/fixtures/apigw-v2/) fed to
 * the Lambda handlers exactly as AWS hands them over, once through each method's own handler
 * module and once through the `ANY /{proxy+}` fallback (any.ts), as an iPhone's setup and sync
 * would send them.
 *
 * The fixtures follow AWS's documented 2.0 example (http-api-develop-integrations-lambda.html):
 * lower-cased header names, duplicates comma-joined, `cookies` and `queryStringParameters` only
 * when present, `pathParameters.proxy` on `{proxy+}` routes, `rawPath` already percent-decoded
 * (what HTTP APIs deliver, unlike REST APIs and function URLs).
 *
 * Body encoding: AWS documents only "base64 if binary". A third-party measurement on AWS
 * (ministackorg/ministack PR #766) found text/*, application/json, xml and javascript arriving as
 * text and everything else base64; which one text/calendar gets is not documented by AWS. So the
 * create PUT carries its iCalendar base64-encoded and the update PUT as plain text: the handlers
 * must give the same answer for both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { etagFor } from '../../lambda/core/ics/etag';
import { NS } from '../../lambda/core/namespaces';
import { formatSyncToken } from '../../lambda/core/sync-token';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { findChild, findChildren } from '../../lambda/core/xml';
import { composeApp, type App } from '../../lambda/app/app';
import { createRouter, methodHandler, type DAV_METHODS } from '../../lambda/handlers/routing';
import { clearAuthCache } from '../../lambda/accounts/credentials';
import { hashPassword } from '../../lambda/accounts/passwords';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';
import { parseMultistatus, type ParsedMultistatus } from '../helpers/multistatus';

const FIXTURES = join(__dirname, '../fixtures/apigw-v2');
const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const CAL = '/calendars/ana@example.com/crm/';
const OBJECT = `${CAL}A1B2C3D4-E5F6-4789-ABCD-0123456789AB.ics`;
const XML_TYPE = 'application/xml; charset=utf-8';
const NOW = new Date('2025-01-20T09:15:00Z');

type Result = APIGatewayProxyStructuredResultV2;
type Invoke = (event: APIGatewayProxyEventV2) => Promise<Result>;

const D = (local: string) => `{${NS.DAV}}${local}`;
const C = (local: string) => `{${NS.CALDAV}}${local}`;
const CS = (local: string) => `{http://calendarserver.org/ns/}${local}`;
const APPLE = (local: string) => `{http://apple.com/ns/ical/}${local}`;

const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

/** A fresh copy each time: handlers must not depend on (or mutate) a shared event. */
const load = (name: string): APIGatewayProxyEventV2 =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as APIGatewayProxyEventV2;

const bodyOf = (event: APIGatewayProxyEventV2) =>
  event.body === undefined ? '' : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');

/** The same event with another text body, encoded the way the original was. */
function withBody(event: APIGatewayProxyEventV2, body: string): APIGatewayProxyEventV2 {
  const bytes = Buffer.from(body, 'utf8');
  return {
    ...event,
    headers: { ...event.headers, 'content-length': String(bytes.length) },
    body: event.isBase64Encoded ? bytes.toString('base64') : body,
  };
}

const context = (event: APIGatewayProxyEventV2) =>
  ({
    awsRequestId: `lambda-${event.requestContext.requestId}`,
    functionName: 'crm-caldav-test',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 29_000,
  }) as Context;

/** The App the handlers serve; each describe block installs a fresh one. */
let app: App;
const source = () => Promise.resolve(app);
const route = createRouter(source);
const wellKnown = route('GET', '/.well-known/caldav');

/**
 * Each method's own Lambda as its handler module builds it (lambda/handlers/<method>.ts binds the
 * same methodHandler to the container's App), as the per-method routes reach them.
 */
const perMethod: Record<string, Invoke> = Object.fromEntries(
  (['OPTIONS', 'PROPFIND', 'PROPPATCH', 'REPORT', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCALENDAR'] satisfies (keyof typeof DAV_METHODS)[]).map((method) => {
    const h = methodHandler(method, source);
    return [method, (event: APIGatewayProxyEventV2) => h(event, context(event))];
  }),
);
const viaOwnHandler: Invoke = (event) =>
  event.rawPath === '/.well-known/caldav'
    ? wellKnown(event, context(event))
    : perMethod[event.requestContext.http.method](event);
const viaAnyFallback: Invoke = (event) => route(event.requestContext.http.method, event.rawPath)(event, context(event));

async function installMemoryDeps(): Promise<MemoryCalendarStore> {
  const users = new MemoryUserStore();
  // A cheap scrypt cost keeps the test fast; verification reads it back from the stored hash.
  const passwordHash = await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
  await users.putUser({ email: 'ana@example.com', passwordHash, enabled: true, createdAt: '2025-01-01T00:00:00Z' });
  const store = new MemoryCalendarStore();
  app = composeApp({ store, users, config: DEFAULT_CONFIG, now: () => NOW });
  clearAuthCache();
  return store;
}

/** What API Gateway needs back from a payload 2.0 integration to build the HTTP response itself. */
function expectGatewayResult(result: Result): void {
  expect(Number.isInteger(result.statusCode)).toBe(true);
  expect(typeof result.body).toBe('string');
  // Every answer is text; base64 would only be right for binary bodies, and none are.
  expect(result.isBase64Encoded).toBe(false);
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    expect(name).toBe(name.toLowerCase());
    expect(typeof value).toBe('string');
  }
  expect(result.cookies).toBeUndefined();
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

const header = (result: Result, name: string) => result.headers?.[name] as string | undefined;

function multistatusOf(result: Result): ParsedMultistatus {
  expect(result.statusCode).toBe(207);
  expect(header(result, 'content-type')).toBe(XML_TYPE);
  return parseMultistatus(result.body ?? '');
}

/** href → property → status, and the element when the status is 200. */
function prop(ms: ParsedMultistatus, href: string, name: string) {
  const entry = ms.responses.get(href)?.get(name);
  if (!entry) throw new Error(`${href} has no ${name} in the multistatus`);
  return entry;
}

describe('the recorded events themselves', () => {
  it.each(fixtureNames)('%s has the documented payload 2.0 shape', (file) => {
    const event = load(file.replace(/\.json$/, ''));
    const ctx = event.requestContext;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe(ctx.routeKey);
    expect(ctx.stage).toBe('$default');
    expect(ctx.accountId).toMatch(/^\d{12}$/);
    expect(ctx.domainName).toBe(`${ctx.apiId}.execute-api.eu-west-1.amazonaws.com`);
    expect(ctx.domainPrefix).toBe(ctx.apiId);
    expect(event.headers.host).toBe(ctx.domainName);
    expect(ctx.http.path).toBe(event.rawPath);
    expect(ctx.http.protocol).toBe('HTTP/1.1');
    expect(ctx.http.sourceIp).toBe(event.headers['x-forwarded-for']);
    expect(ctx.http.userAgent).toBe(event.headers['user-agent']);
    expect(event.headers['x-forwarded-proto']).toBe('https');
    expect(event.headers['x-forwarded-port']).toBe('443');
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    for (const name of Object.keys(event.headers)) expect(name).toBe(name.toLowerCase());
    // `time` is the access-log form of `timeEpoch`, to the second.
    const [, day, mon, year, hh, mm, ss] = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) \+0000$/.exec(ctx.time) ?? [];
    expect(new Date(`${day} ${mon} ${year} ${hh}:${mm}:${ss} UTC`).getTime()).toBe(Math.floor(ctx.timeEpoch / 1000) * 1000);
    // Greedy routes carry the matched rest of the path; exact ones carry no pathParameters.
    if (event.routeKey.endsWith('/{proxy+}')) expect(event.pathParameters).toEqual({ proxy: event.rawPath.slice(1) });
    else expect(event.pathParameters).toBeUndefined();
    expect(event.rawPath).not.toMatch(/%[0-9a-f]{2}/i);
    expect(typeof event.isBase64Encoded).toBe('boolean');
    if (event.body === undefined) {
      expect(event.isBase64Encoded).toBe(false);
    } else {
      expect(Buffer.byteLength(bodyOf(event))).toBe(Number(event.headers['content-length']));
    }
    if (event.rawQueryString === '') expect(event.queryStringParameters).toBeUndefined();
    else expect(event.queryStringParameters).toEqual(Object.fromEntries(new URLSearchParams(event.rawQueryString)));
  });

  it('cover every method, both PUT body encodings, the fallback route and a body-less request with a Content-Type', () => {
    const events = fixtureNames.map((f) => load(f.replace(/\.json$/, '')));
    const methods = new Set(events.map((e) => e.requestContext.http.method));
    for (const m of ['OPTIONS', 'PROPFIND', 'PROPPATCH', 'REPORT', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCALENDAR']) expect(methods).toContain(m);
    const puts = events.filter((e) => e.requestContext.http.method === 'PUT');
    expect(puts.map((e) => e.isBase64Encoded).sort()).toEqual([false, true]);
    expect(events.some((e) => e.routeKey === 'ANY /{proxy+}')).toBe(true);
    expect(events.some((e) => e.body === undefined && e.headers['content-type'] !== undefined)).toBe(true);
    expect(load('06-put-create').headers['content-type']).toBe('text/calendar');
  });
});

/** Results of the full sequence per entry point, compared at the end. */
const transcripts = new Map<string, Array<[string, Result]>>();

describe.each([
  ['each method through its own handler', viaOwnHandler],
  ['every method through the ANY /{proxy+} fallback (any.ts)', viaAnyFallback],
])('iOS setup and sync, %s', (label, invoke) => {
  let store: MemoryCalendarStore;
  const transcript: Array<[string, Result]> = [];
  const send = async (name: string, event: APIGatewayProxyEventV2 = load(name)) => {
    const before = JSON.stringify(event);
    const result = await invoke(event);
    expect(JSON.stringify(event), 'the handler must not mutate the event').toBe(before);
    expectGatewayResult(result);
    transcript.push([name, result]);
    return result;
  };
  const created = bodyOf(load('06-put-create'));
  const updated = bodyOf(load('12-put-update'));
  let tokenAfterCreate = '';
  let tokenAfterUpdate = '';

  beforeAll(async () => {
    store = await installMemoryDeps();
    transcripts.set(label, transcript);
  });

  it('OPTIONS answers the capabilities without credentials', async () => {
    const result = await send('01-options');
    expect(result.statusCode).toBe(200);
    // calendar-auto-schedule (RFC 6638 §2): what makes iOS offer Invitees on the account.
    expect(header(result, 'dav')).toBe('1, 3, calendar-access, calendar-auto-schedule');
    expect(header(result, 'allow')?.split(', ')).toEqual(
      expect.arrayContaining(['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR', 'POST']),
    );
    expect(result.body).toBe('');
  });

  it('PROPFIND /.well-known/caldav is redirected to the DAV root without credentials', async () => {
    const result = await send('02-well-known');
    expect(result.statusCode).toBe(301);
    expect(header(result, 'location')).toBe('/');
    expect(header(result, 'www-authenticate')).toBeUndefined();
  });

  it('the first PROPFIND without credentials gets 401 with a Basic challenge', async () => {
    const event = load('03-propfind-depth0');
    delete event.headers.authorization;
    const result = await send('03-propfind-depth0 (no authorization)', event);
    expect(result.statusCode).toBe(401);
    expect(header(result, 'www-authenticate')).toBe('Basic realm="crm-caldav", charset="UTF-8"');
    expect(result.body).not.toContain(PASSWORD);
  });

  it('a wrong password gets 401 too', async () => {
    const event = load('03-propfind-depth0');
    event.headers.authorization = `Basic ${Buffer.from('ana@example.com:wrong-pass-word').toString('base64')}`;
    const result = await send('03-propfind-depth0 (wrong password)', event);
    expect(result.statusCode).toBe(401);
    expect(header(result, 'www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('PROPFIND Depth 0 on / names the current user principal', async () => {
    const ms = multistatusOf(await send('03-propfind-depth0'));
    expect([...ms.responses.keys()]).toEqual(['/']);
    const principal = prop(ms, '/', D('current-user-principal'));
    expect(principal.status).toBe(200);
    expect(findChild(principal.element, D('href'))?.text).toBe('/principals/ana@example.com/');
    expect(findChild(prop(ms, '/', D('resourcetype')).element, D('collection'))).toBeDefined();
  });

  it('PROPFIND Depth 1 on the home lists the writable CRM calendar with what iOS asks for', async () => {
    const ms = multistatusOf(await send('04-propfind-depth1'));
    // The tasks list (docs/tasks.md), the scheduling inbox and outbox are the home's other members (RFC 6638 §2.1, §2.2).
    expect([...ms.responses.keys()]).toEqual(['/calendars/ana@example.com/', CAL, '/calendars/ana@example.com/tasks/', '/calendars/ana@example.com/inbox/', '/calendars/ana@example.com/outbox/']);
    expect(findChild(prop(ms, '/calendars/ana@example.com/inbox/', D('resourcetype')).element, C('schedule-inbox'))).toBeDefined();
    expect(findChild(prop(ms, '/calendars/ana@example.com/outbox/', D('resourcetype')).element, C('schedule-outbox'))).toBeDefined();
    const type = prop(ms, CAL, D('resourcetype'));
    expect(findChild(type.element, C('calendar'))).toBeDefined();
    const privileges = findChildren(prop(ms, CAL, D('current-user-privilege-set')).element, D('privilege')).flatMap((p) =>
      p.children.map((c) => c.name),
    );
    expect(privileges).toEqual(expect.arrayContaining([D('read'), D('write'), D('write-content'), D('bind'), D('unbind')]));
    expect(prop(ms, CAL, CS('getctag')).element.text).toBe('"0"');
    expect(prop(ms, CAL, D('sync-token')).element.text).toBe(formatSyncToken('ana@example.com', 0));
    const comps = findChildren(prop(ms, CAL, C('supported-calendar-component-set')).element, C('comp'));
    expect(comps.map((c) => c.attrs.name)).toContain('VEVENT');
    for (const name of [D('displayname'), APPLE('calendar-color'), APPLE('calendar-order')]) expect(prop(ms, CAL, name).status).toBe(200);
  });

  it('PROPPATCH of colour, order and a non-ASCII name answers 200 per property', async () => {
    const ms = multistatusOf(await send('05-proppatch'));
    for (const name of [APPLE('calendar-color'), APPLE('calendar-order'), D('displayname')]) expect(prop(ms, CAL, name).status).toBe(200);
    const meta = await store.getCalendar('ana@example.com');
    expect(Object.values(meta.props)).toEqual(expect.arrayContaining(['#FF2968FF', '3', 'CRM – Zoë']));
  });

  it('PUT with a base64 body and If-None-Match: * stores the decoded iCalendar byte for byte', async () => {
    expect(load('06-put-create').isBase64Encoded).toBe(true);
    const result = await send('06-put-create');
    expect(result.statusCode).toBe(201);
    expect(header(result, 'etag')).toBe(etagFor(created));
    expect(result.body).toBe('');
    const stored = await store.getObject('ana@example.com', 'A1B2C3D4-E5F6-4789-ABCD-0123456789AB.ics');
    expect(stored?.ics).toBe(created);
    expect(created).toContain('X-WR-ALARMUID:');
    expect(created).toContain('\r\n');
  });

  it('GET returns exactly what was PUT, with its validators', async () => {
    const result = await send('07-get');
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/calendar; charset=utf-8');
    expect(header(result, 'etag')).toBe(etagFor(created));
    expect(header(result, 'last-modified')).toBe(NOW.toUTCString());
    expect(header(result, 'content-length')).toBe(String(Buffer.byteLength(created)));
    expect(result.body).toBe(created);
  });

  it('HEAD gives GET\'s headers and no body, whatever the query string', async () => {
    const result = await send('08-head');
    expect(result.statusCode).toBe(200);
    expect(header(result, 'etag')).toBe(etagFor(created));
    expect(header(result, 'content-length')).toBe(String(Buffer.byteLength(created)));
    expect(result.body).toBe('');
  });

  it('REPORT sync-collection with an empty token lists the new object and a new token', async () => {
    const ms = multistatusOf(await send('09-report-sync-collection'));
    expect([...ms.responses.keys()]).toEqual([OBJECT]);
    expect(prop(ms, OBJECT, D('getetag')).element.text).toBe(etagFor(created));
    expect(prop(ms, OBJECT, D('getcontenttype')).element.text).toMatch(/^text\/calendar/);
    expect(ms.syncToken).toBe(formatSyncToken('ana@example.com', 1));
    tokenAfterCreate = ms.syncToken ?? '';
  });

  it('REPORT calendar-multiget (hrefs with %40) returns the data, and 404 for a missing href', async () => {
    const result = await send('10-report-calendar-multiget');
    const ms = multistatusOf(result);
    expect(prop(ms, OBJECT, D('getetag')).element.text).toBe(etagFor(created));
    // Sent as stored, CRLFs included; an XML parser turns them into LF (XML 1.0 §2.11), and the
    // test helper's parser trims the text too.
    expect(prop(ms, OBJECT, C('calendar-data')).element.text).toBe(created.replace(/\r\n/g, '\n').trimEnd());
    expect(result.body).toContain(`<cal:calendar-data>${escapeXml(created)}</cal:calendar-data>`);
    // A found object gets our canonical href; a miss echoes the href as the client sent it.
    expect(ms.statuses.get('/calendars/ana%40example.com/crm/gone-0000.ics')).toBe(404);
  });

  it('REPORT calendar-query with a time range finds the event', async () => {
    const ms = multistatusOf(await send('11-report-calendar-query'));
    expect([...ms.responses.keys()]).toEqual([OBJECT]);
    expect(prop(ms, OBJECT, D('getetag')).element.text).toBe(etagFor(created));
  });

  it('PUT with a plain-text body and If-Match of the current ETag updates it', async () => {
    const event = load('12-put-update');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers['if-match']).toBe(etagFor(created));
    const result = await send('12-put-update', event);
    expect(result.statusCode).toBe(204);
    expect(header(result, 'etag')).toBe(etagFor(updated));
    expect((await store.getObject('ana@example.com', 'A1B2C3D4-E5F6-4789-ABCD-0123456789AB.ics'))?.ics).toBe(updated);
  });

  it('replaying the update with the now stale If-Match is refused with 412', async () => {
    const result = await send('12-put-update (replayed)', load('12-put-update'));
    expect(result.statusCode).toBe(412);
  });

  it('a sync-collection with the last token reports just the change', async () => {
    const event = load('09-report-sync-collection');
    const body = bodyOf(event).replace('<A:sync-token/>', `<A:sync-token>${tokenAfterCreate}</A:sync-token>`);
    const ms = multistatusOf(await send('09-report-sync-collection (with token)', withBody(event, body)));
    expect([...ms.responses.keys()]).toEqual([OBJECT]);
    expect(prop(ms, OBJECT, D('getetag')).element.text).toBe(etagFor(updated));
    expect(ms.syncToken).toBe(formatSyncToken('ana@example.com', 2));
    tokenAfterUpdate = ms.syncToken ?? '';
  });

  it('DELETE with If-Match removes it; the next sync reports it gone', async () => {
    const result = await send('13-delete');
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(await store.getObject('ana@example.com', 'A1B2C3D4-E5F6-4789-ABCD-0123456789AB.ics')).toBeNull();

    const event = load('09-report-sync-collection');
    const body = bodyOf(event).replace('<A:sync-token/>', `<A:sync-token>${tokenAfterUpdate}</A:sync-token>`);
    const ms = multistatusOf(await send('09-report-sync-collection (after delete)', withBody(event, body)));
    expect(ms.statuses.get(OBJECT)).toBe(404);
    expect(ms.syncToken).toBe(formatSyncToken('ana@example.com', 3));
  });

  it('GET of the deleted object is 404', async () => {
    expect((await send('07-get (after delete)', load('07-get'))).statusCode).toBe(404);
  });

  it('MKCALENDAR of a device calendar is refused with a CalDAV precondition', async () => {
    const result = await send('14-mkcalendar');
    expect(result.statusCode).toBe(403);
    expect(header(result, 'content-type')).toBe(XML_TYPE);
    expect(result.body).toContain('<cal:calendar-collection-location-ok/>');
    expect(result.body).toMatch(/<d:error /);
  });

  it('PROPFIND routed as ANY /{proxy+} (pathParameters.proxy) gives the ctag and token after three writes', async () => {
    const event = load('15-any-proxy-propfind');
    expect(event.routeKey).toBe('ANY /{proxy+}');
    const ms = multistatusOf(await send('15-any-proxy-propfind', event));
    expect(prop(ms, CAL, CS('getctag')).element.text).toBe('"3"');
    expect(prop(ms, CAL, D('sync-token')).element.text).toBe(formatSyncToken('ana@example.com', 3));
  });

  it('a body-less PROPFIND with the Content-Type API Gateway added is answered as allprop', async () => {
    const event = load('16-bodyless-content-type');
    expect(event.body).toBeUndefined();
    expect(event.headers['content-type']).toBe('application/json');
    const ms = multistatusOf(await send('16-bodyless-content-type', event));
    expect(prop(ms, CAL, D('displayname')).element.text).toBe('CRM – Zoë');
    expect(prop(ms, CAL, APPLE('calendar-color')).element.text).toBe('#FF2968FF');
  });

  it('a body-less PUT with that Content-Type is refused for its (missing) data, not as a 415 about the type', async () => {
    const event = load('16-bodyless-content-type');
    event.requestContext.http.method = 'PUT';
    event.routeKey = event.requestContext.routeKey = 'PUT /{proxy+}';
    event.rawPath = event.requestContext.http.path = OBJECT;
    event.pathParameters = { proxy: OBJECT.slice(1) };
    const result = await send('16-bodyless-content-type (as PUT)', event);
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('<cal:valid-calendar-data/>');
  });
});

describe('both entry points', () => {
  it('give identical responses to the same recorded events', () => {
    const [own, fallback] = [...transcripts.values()];
    expect(own.length).toBeGreaterThan(15);
    expect(fallback).toEqual(own);
  });
});
