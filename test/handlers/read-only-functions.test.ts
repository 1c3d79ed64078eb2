/**
 * The read-only CalDAV functions (GET, HEAD, PROPFIND, REPORT, MKCALENDAR and the ANY fallback)
 * as deployed: their handler modules, building their App from the environment (build-read-dav.ts:
 * no CRM, no outbox, no mail), against DynamoDB Local. They must answer exactly as the full App
 * does for what it wrote, and the fallback must refuse to write with an App that cannot tell the
 * CRM.
 */
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lambda/app/build';
import { fixedApp } from '../../lambda/app/container';
import type { App } from '../../lambda/app/app';
import { generateAppPassword, hashGeneratedPassword } from '../../lambda/accounts/passwords';
import { methodHandler } from '../../lambda/handlers/routing';
import { buildApiGatewayEvent, type HttpRequestInput } from '../../lambda/http/api-gateway-event';
import { freshTables, type TestTables } from '../helpers/dynamo';

const EMAIL = 'reader@example.com';
const CALENDAR = `/calendars/${EMAIL}/crm/`;
const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
type Handler = (event: ReturnType<typeof buildApiGatewayEvent>, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//EN',
  'BEGIN:VEVENT',
  'UID:read-only-1',
  'DTSTAMP:20261201T090000Z',
  'DTSTART:20261208T090000Z',
  'DTEND:20261208T100000Z',
  'SUMMARY:Quarterly review',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

let tables: TestTables;
let app: App;
let authorization: string;
const saved = { ...process.env };
const event = (input: HttpRequestInput) => buildApiGatewayEvent({ ...input, headers: { authorization, ...input.headers } });
const full = (input: HttpRequestInput) => methodHandler(input.method, fixedApp(app))(event(input), context);
const deployed = async (name: string): Promise<Handler> => ((await import(`../../lambda/handlers/${name}.ts`)) as { handler: Handler }).handler;

beforeAll(async () => {
  tables = await freshTables();
  // What the functions read at their first request, as on Lambda.
  Object.assign(process.env, tables.env, { CRM_CONNECTOR: 'builtin', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  app = buildApp({ env: process.env, doc: tables.doc, tables: tables.tables });
  const password = generateAppPassword();
  await app.users.putUser({ email: EMAIL, passwordHash: hashGeneratedPassword(password), enabled: true, createdAt: new Date().toISOString() });
  authorization = `Basic ${Buffer.from(`${EMAIL}:${password}`).toString('base64')}`;
  const put = await full({ method: 'PUT', url: `${CALENDAR}review.ics`, headers: { 'content-type': 'text/calendar', 'if-none-match': '*' }, body: ICS });
  expect(put.statusCode).toBe(201);
});

afterAll(async () => {
  process.env = saved;
  await app?.close();
  await tables?.drop();
});

describe('read-only CalDAV functions (their own App, no CRM)', () => {
  it('GET and HEAD answer with the body and ETag the full App wrote', async () => {
    const [get, head] = [await deployed('get'), await deployed('head')];
    const expected = await full({ method: 'GET', url: `${CALENDAR}review.ics` });
    const got = await get(event({ method: 'GET', url: `${CALENDAR}review.ics` }), context);
    expect(got.statusCode).toBe(200);
    expect(got.body).toBe(expected.body);
    expect(got.headers?.etag).toBe(expected.headers?.etag);
    const headed = await head(event({ method: 'HEAD', url: `${CALENDAR}review.ics` }), context);
    expect(headed.statusCode).toBe(200);
    expect(headed.headers?.etag).toBe(expected.headers?.etag);
    // Authentication is the same door: no credentials, no data.
    expect((await get(buildApiGatewayEvent({ method: 'GET', url: `${CALENDAR}review.ics` }), context)).statusCode).toBe(401);
  });

  it('PROPFIND, REPORT and the fallback list what the full App lists', async () => {
    const listing: HttpRequestInput = {
      method: 'PROPFIND',
      url: CALENDAR,
      headers: { depth: '1', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:getetag/><cs:getctag/><d:sync-token/></d:prop></d:propfind>',
    };
    const expected = await full(listing);
    expect(expected.statusCode).toBe(207);
    for (const name of ['propfind', 'any']) {
      const answer = await (await deployed(name))(event(listing), context);
      expect(answer.statusCode, name).toBe(207);
      expect(answer.body, name).toBe(expected.body);
    }
    const sync: HttpRequestInput = {
      method: 'REPORT',
      url: CALENDAR,
      headers: { depth: '0', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>',
    };
    const report = await (await deployed('report'))(event(sync), context);
    expect(report.statusCode).toBe(207);
    expect(report.body).toBe((await full(sync)).body);
    expect(report.body).toContain('review.ics');
  });

  it('MKCALENDAR is refused as by the full App', async () => {
    const request: HttpRequestInput = { method: 'MKCALENDAR', url: `/calendars/${EMAIL}/work/` };
    const answer = await (await deployed('mkcalendar'))(event(request), context);
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toBe((await full(request)).body);
  });

  it('the fallback refuses to write with the read-only App (405), and nothing changes', async () => {
    const any = await deployed('any');
    const before = await full({ method: 'GET', url: `${CALENDAR}review.ics` });
    const changed = ICS.replace('Quarterly review', 'Overwritten');
    for (const request of [
      { method: 'PUT', url: `${CALENDAR}review.ics`, headers: { 'content-type': 'text/calendar' }, body: changed },
      { method: 'DELETE', url: `${CALENDAR}review.ics` },
      { method: 'PROPPATCH', url: CALENDAR, headers: { 'content-type': 'application/xml' }, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>x</d:displayname></d:prop></d:set></d:propertyupdate>' },
    ] satisfies HttpRequestInput[]) {
      const answer = await any(event(request), context);
      expect(answer.statusCode, request.method).toBe(405);
      expect(answer.body ?? '', request.method).not.toMatch(/at \w+ \(/);
    }
    const after = await full({ method: 'GET', url: `${CALENDAR}review.ics` });
    expect(after.body).toBe(before.body);
    expect(after.headers?.etag).toBe(before.headers?.etag);
  });
});
