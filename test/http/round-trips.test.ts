/**
 * How many DynamoDB calls a request makes, on the run's DynamoDB engine: key reads started
 * together share one BatchGetItem (store/dynamodb/key-reader.ts), and a read method's first
 * reads share the user's (http/read-ahead.ts).
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashGeneratedPassword } from '../../lambda/accounts/passwords';
import { buildApp } from '../../lambda/app/build';
import { fixedApp } from '../../lambda/app/container';
import type { App } from '../../lambda/app/app';
import { methodHandler } from '../../lambda/handlers/routing';
import { buildApiGatewayEvent, type HttpRequestInput } from '../../lambda/http/api-gateway-event';
import { ENDPOINT_ENV, dynamoClientConfig, newDynamoClients, type DynamoClients } from '../../lambda/store/dynamodb/client';
import { KeyReader } from '../../lambda/platform/dynamodb/key-reader';
import { wireFor } from '../../lambda/platform/dynamodb/wire';
import type { BuiltinCrm } from '../../lambda/crm/builtin';
import { freshTables, type TestTables } from '../helpers/dynamo';

const context = { awsRequestId: 'test' } as Context;
const EMAIL = 'pat@zillum.com';
const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const basic = (password: string) => `Basic ${Buffer.from(`${EMAIL}:${password}`).toString('base64')}`;
const CALENDAR = `/calendars/${EMAIL}/crm/`;
const ics = (uid: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261202T090000Z\r\nDURATION:PT1H\r\nSUMMARY:${uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

let t: TestTables;
let counted: DynamoClients;
let app: App;
const calls: string[] = [];
/** Most DynamoDB calls in flight at once since the last reset: 2 means they shared a round trip. */
let inFlight = 0;
let maxInFlight = 0;

const send = (method: string, input: Omit<HttpRequestInput, 'method'>, password = PASSWORD) =>
  methodHandler(method, fixedApp(app))(buildApiGatewayEvent({ method, ...input, headers: { authorization: basic(password), ...input.headers } }), context);

beforeAll(async () => {
  t = await freshTables();
  counted = newDynamoClients(dynamoClientConfig({ ...process.env, [ENDPOINT_ENV]: t.endpoint }));
  const count = async <T>(operation: string, next: () => Promise<T>): Promise<T> => {
    calls.push(operation);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await next();
    } finally {
      inFlight--;
    }
  };
  // Both ways the stores reach DynamoDB: the SDK's client and the lean wire of the hot path.
  counted.doc.middlewareStack.add((next, ctx) => (args) => count(String(ctx.commandName).replace(/Command$/, ''), () => next(args)), { step: 'initialize', name: 'countCalls' });
  wireFor(counted.doc).use((operation, _input, next) => count(operation, next));
  app = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: counted.doc, tables: t.tables });
  await app.users.putUser({ email: EMAIL, passwordHash: hashGeneratedPassword(PASSWORD), enabled: true, createdAt: '2026-01-01T00:00:00Z' });
  for (let i = 0; i < 5; i++) {
    const put = await send('PUT', { url: `${CALENDAR}e${i}.ics`, headers: { 'content-type': 'text/calendar', 'if-none-match': '*' }, body: ics(`e${i}`) });
    expect(put.statusCode).toBe(201);
  }
});
afterAll(async () => {
  counted?.client.destroy();
  await t?.drop();
});
beforeEach(() => {
  calls.length = 0;
  maxInFlight = 0;
});

describe('one round trip per read', () => {
  it('GET and HEAD: the user and the object in one BatchGetItem', async () => {
    expect((await send('GET', { url: `${CALENDAR}e1.ics` })).statusCode).toBe(200);
    expect(calls).toEqual(['BatchGetItem']);
    calls.length = 0;
    expect((await send('HEAD', { url: `${CALENDAR}e2.ics` })).statusCode).toBe(200);
    expect(calls).toEqual(['BatchGetItem']);
  });

  it('the idle poll (PROPFIND Depth 0 of the calendar): the user and the calendar item together', async () => {
    const res = await send('PROPFIND', {
      url: CALENDAR,
      headers: { depth: '0', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>',
    });
    expect(res.statusCode).toBe(207);
    expect(calls).toEqual(['BatchGetItem']);
  });

  it('calendar-multiget: the user and the objects together', async () => {
    const hrefs = ['e0', 'e3', 'e4', 'missing'].map((n) => `<d:href>${CALENDAR}${n}.ics</d:href>`).join('');
    const res = await send('REPORT', {
      url: CALENDAR,
      headers: { depth: '1', 'content-type': 'application/xml' },
      body: `<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>${hrefs}</c:calendar-multiget>`,
    });
    expect(res.statusCode).toBe(207);
    expect(calls).toEqual(['BatchGetItem']);
  });

  it('an incremental sync: the user and the counter in one BatchGetItem, the change log alongside (no object reads)', async () => {
    const token = async () => /<d:sync-token>([^<]+)</.exec((await send('PROPFIND', { url: CALENDAR, headers: { depth: '0' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:sync-token/></d:prop></d:propfind>' })).body ?? '')![1]!;
    const before = await token();
    const etag = (await send('HEAD', { url: `${CALENDAR}e2.ics` })).headers?.etag as string;
    expect((await send('PUT', { url: `${CALENDAR}e2.ics`, headers: { 'content-type': 'text/calendar', 'if-match': etag }, body: ics('e2').replace('SUMMARY:e2', 'SUMMARY:later') })).statusCode).toBe(204);
    calls.length = 0;
    maxInFlight = 0;
    const res = await send('REPORT', {
      url: CALENDAR,
      headers: { depth: '0', 'content-type': 'application/xml' },
      body: `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${before}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
    });
    expect(res.statusCode).toBe(207);
    expect(res.body).toContain(`${CALENDAR}e2.ics`);
    expect(calls.sort()).toEqual(['BatchGetItem', 'Query']);
    expect(maxInFlight).toBe(2);
  });

  it('a wrong password gets 401 and buys no listing: the Depth 1 query waits for the check', async () => {
    const res = await send('PROPFIND', { url: CALENDAR, headers: { depth: '1', 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>' }, 'wrong-password');
    expect(res.statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['BatchGetItem']);
    // With the right one, the listing follows the first round trip.
    calls.length = 0;
    expect((await send('PROPFIND', { url: CALENDAR, headers: { depth: '1' } })).statusCode).toBe(207);
    expect(calls).toEqual(['BatchGetItem', 'Query']);
  });
});

describe('a warm container (store/listing-cache.ts)', () => {
  const depth1 = () => send('PROPFIND', { url: CALENDAR, headers: { depth: '1' } });
  const query = () =>
    send('REPORT', {
      url: CALENDAR,
      headers: { depth: '1', 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20261201T000000Z" end="20261231T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>',
    });

  it('answers a repeated Depth 1 listing and a repeated query from the one BatchGetItem', async () => {
    await depth1();
    await query();
    calls.length = 0;
    expect((await depth1()).statusCode).toBe(207);
    expect(calls).toEqual(['BatchGetItem']);
    calls.length = 0;
    const res = await query();
    expect(res.statusCode).toBe(207);
    expect(res.body).toContain('UID:e0');
    expect(calls).toEqual(['BatchGetItem']);
  });

  it("after another container's write, reads the log and that one object, not the calendar", async () => {
    await depth1();
    await query();
    const other = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: counted.doc, tables: t.tables });
    const put = await methodHandler('PUT', fixedApp(other))(
      buildApiGatewayEvent({ method: 'PUT', url: `${CALENDAR}e3.ics`, headers: { authorization: basic(PASSWORD), 'content-type': 'text/calendar' }, body: ics('e3').replace('SUMMARY:e3', 'SUMMARY:elsewhere') }),
      context,
    );
    expect(put.statusCode).toBe(204);
    calls.length = 0;
    const res = await query();
    expect(res.body).toContain('SUMMARY:elsewhere');
    expect(calls).toEqual(['BatchGetItem', 'Query', 'BatchGetItem']);
    calls.length = 0;
    expect((await depth1()).statusCode).toBe(207);
    expect(calls).toEqual(['BatchGetItem']);
  });
});

describe('writes', () => {
  it('a PUT update: the user, counter, object and UID guard in one BatchGetItem, then one transaction', async () => {
    const etag = (await send('HEAD', { url: `${CALENDAR}e1.ics` })).headers?.etag as string;
    calls.length = 0;
    const res = await send('PUT', { url: `${CALENDAR}e1.ics`, headers: { 'content-type': 'text/calendar', 'if-match': etag }, body: ics('e1').replace('SUMMARY:e1', 'SUMMARY:moved') });
    expect(res.statusCode).toBe(204);
    expect(calls).toEqual(['BatchGetItem', 'TransactWriteItems']);
  });

  it('a DELETE likewise; with a wrong password, nothing is written', async () => {
    const etag = (await send('HEAD', { url: `${CALENDAR}e4.ics` })).headers?.etag as string;
    calls.length = 0;
    expect((await send('DELETE', { url: `${CALENDAR}e4.ics`, headers: { 'if-match': etag } }, 'wrong-password')).statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['BatchGetItem']);
    calls.length = 0;
    expect((await send('DELETE', { url: `${CALENDAR}e4.ics`, headers: { 'if-match': etag } })).statusCode).toBe(204);
    expect(calls).toEqual(['BatchGetItem', 'TransactWriteItems']);
  });
});

describe('with the built-in CRM', () => {
  const ATTENDEES = 'ATTENDEE;CN=Lee Lead:mailto:lee@acme.example\r\nATTENDEE:mailto:nobody@elsewhere.example\r\n';
  let crmApp: App;
  const put = (name: string, body: string, headers: Record<string, string> = {}) =>
    methodHandler('PUT', fixedApp(crmApp))(
      buildApiGatewayEvent({ method: 'PUT', url: `${CALENDAR}${name}`, headers: { authorization: basic(PASSWORD), 'content-type': 'text/calendar', ...headers }, body }),
      context,
    );
  const crmEvents = async () => (await crmApp.crmApi({ method: 'GET', path: '/crm/v1/events', query: {}, headers: { authorization: basic(PASSWORD) }, body: '' })).body;

  beforeAll(async () => {
    crmApp = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'builtin' }, doc: counted.doc, tables: t.tables });
    // This container notes the test's device now, not in the middle of a counted request.
    await methodHandler('GET', fixedApp(crmApp))(buildApiGatewayEvent({ method: 'GET', url: `${CALENDAR}e0.ics`, headers: { authorization: basic(PASSWORD) } }), context);
  });

  it('a phone PUT is one BatchGetItem (user, calendar and CRM keys) and one TransactWriteItems (calendar and CRM)', async () => {
    calls.length = 0;
    const created = await put('crm.ics', ics('crm'));
    expect(created.statusCode).toBe(201);
    expect(calls).toEqual(['BatchGetItem', 'TransactWriteItems']);
    calls.length = 0;
    const res = await put('crm.ics', ics('crm').replace('SUMMARY:crm', 'SUMMARY:moved'), { 'if-match': created.headers?.etag as string });
    expect(res.statusCode).toBe(204);
    expect(calls).toEqual(['BatchGetItem', 'TransactWriteItems']);
    expect(JSON.parse(await crmEvents()).data).toEqual([expect.objectContaining({ Event_Title: 'moved', caldav: expect.objectContaining({ name: 'crm.ics' }) })]);
  });

  it('matches attendees with key reads in the same batch; an address seen first reads the e-mail index once', async () => {
    await (crmApp.crm!.connector as BuiltinCrm).savePerson({ module: 'Leads', Last_Name: 'Lead', First_Name: 'Lee', Email: 'Lee@Acme.example' });
    const withAttendees = ics('meet').replace('SUMMARY:meet\r\n', `SUMMARY:meet\r\n${ATTENDEES}`);
    calls.length = 0;
    const created = await put('meet.ics', withAttendees);
    expect(created.statusCode).toBe(201);
    // The lead's address has its summary (the save wrote it); the unknown one is read from the
    // e-mail index once and its summary ("nobody") stored with the write.
    expect(calls).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    calls.length = 0;
    const edited = await put('meet.ics', withAttendees.replace('SUMMARY:meet', 'SUMMARY:meet again'), { 'if-match': created.headers?.etag as string });
    expect(edited.statusCode).toBe(204);
    expect(calls).toEqual(['BatchGetItem', 'TransactWriteItems']);
    const event = (JSON.parse(await crmEvents()).data as Array<{ Event_Title: string; Participants: unknown[] }>).find((e) => e.Event_Title === 'meet again');
    expect(event?.Participants).toEqual([
      expect.objectContaining({ type: 'lead', Email: 'lee@acme.example', name: 'Lee Lead' }),
      expect.objectContaining({ type: 'email', Email: 'nobody@elsewhere.example' }),
    ]);
  });

  it('with a wrong password a PUT or DELETE writes nothing: neither the calendar nor the CRM', async () => {
    const created = await put('guarded.ics', ics('guarded'));
    expect(created.statusCode).toBe(201);
    const wrong = (method: 'PUT' | 'DELETE', name: string, body = '') =>
      methodHandler(method, fixedApp(crmApp))(
        buildApiGatewayEvent({ method, url: `${CALENDAR}${name}`, headers: { authorization: basic('wrong-password'), 'content-type': 'text/calendar' }, body }),
        context,
      );
    const before = { calendar: await crmApp.store.getCalendar(EMAIL), crm: await crmEvents(), feed: await crmApp.crm!.connector.latestCursor() };
    calls.length = 0;
    expect((await wrong('PUT', 'intruder.ics', ics('intruder'))).statusCode).toBe(401);
    expect((await wrong('PUT', 'guarded.ics', ics('guarded').replace('SUMMARY:guarded', 'SUMMARY:defaced'))).statusCode).toBe(401);
    expect((await wrong('DELETE', 'guarded.ics')).statusCode).toBe(401);
    // Whatever the methods started has settled by now; none of it may have committed.
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).not.toContain('TransactWriteItems');
    expect(await crmApp.store.getObject(EMAIL, 'intruder.ics')).toBeNull();
    expect((await crmApp.store.getObject(EMAIL, 'guarded.ics'))?.etag).toBe(created.headers?.etag);
    expect({ calendar: await crmApp.store.getCalendar(EMAIL), crm: await crmEvents(), feed: await crmApp.crm!.connector.latestCursor() }).toEqual(before);
  });

  it('a phone DELETE is one BatchGetItem and one TransactWriteItems, the CRM event soft-deleted in it', async () => {
    await put('gone.ics', ics('gone'));
    calls.length = 0;
    const res = await methodHandler('DELETE', fixedApp(crmApp))(buildApiGatewayEvent({ method: 'DELETE', url: `${CALENDAR}gone.ics`, headers: { authorization: basic(PASSWORD) } }), context);
    expect(res.statusCode).toBe(204);
    expect(calls).toEqual(['BatchGetItem', 'TransactWriteItems']);
    expect(JSON.parse(await crmEvents()).data.map((e: { Event_Title: string }) => e.Event_Title)).not.toContain('gone');
  });
});

describe('KeyReader', () => {
  it('coalesces reads started together across tables, dedupes keys, answers misses with undefined', async () => {
    const reader = new KeyReader(counted.doc);
    const [user, object, again, missing] = await Promise.all([
      reader.get(t.tables.users, { email: EMAIL }),
      reader.get(t.tables.events, { pk: EMAIL, sk: 'obj#e0.ics' }),
      reader.get(t.tables.events, { sk: 'obj#e0.ics', pk: EMAIL }),
      reader.get(t.tables.events, { pk: EMAIL, sk: 'obj#nope.ics' }),
    ]);
    expect(calls).toEqual(['BatchGetItem']);
    expect(user?.email).toBe(EMAIL);
    expect(object?.name).toBe('e0.ics');
    expect(again).toEqual(object);
    expect(missing).toBeUndefined();
  });

  it('reads a failed batch again table by table: a missing table fails only its own keys', async () => {
    const reader = new KeyReader(counted.doc);
    const [user, gone] = await Promise.allSettled([reader.get(t.tables.users, { email: EMAIL }), reader.get(`${t.tables.crm}-missing`, { pk: 'x', sk: 'y' })]);
    expect(user).toMatchObject({ status: 'fulfilled', value: expect.objectContaining({ email: EMAIL }) });
    expect(gone).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ name: 'ResourceNotFoundException' }) });
    expect(calls).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
  });

  it('splits more than 100 keys over parallel calls', async () => {
    const reader = new KeyReader(counted.doc);
    const keys = Array.from({ length: 150 }, (_, i) => ({ pk: EMAIL, sk: `obj#e${i}.ics` }));
    const found = await reader.getMany(t.tables.events, keys);
    expect(calls).toEqual(['BatchGetItem', 'BatchGetItem']);
    expect(found.filter(Boolean).map((i) => i!.name).sort()).toEqual(['e0.ics', 'e1.ics', 'e2.ics', 'e3.ics']);
  });
});

describe("a device's last request (accounts/activity.ts)", () => {
  const phone = { 'user-agent': 'iOS/18.2 (22C152) dataaccessd/1.0' };
  const container = () => buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: counted.doc, tables: t.tables });
  const get = (on: App) =>
    methodHandler('GET', fixedApp(on))(buildApiGatewayEvent({ method: 'GET', url: `${CALENDAR}e1.ics`, headers: { authorization: basic(PASSWORD), ...phone } }), context);

  it('is read in the user\'s BatchGetItem and written only when the stored note is an hour old, whichever container serves', async () => {
    // A new device: its note is read with the user and the object, then written beside the answer.
    expect((await get(container())).statusCode).toBe(200);
    expect(calls).toEqual(['BatchGetItem', 'UpdateItem']);
    // Another container: reads the note in the same batch, finds it fresh, writes nothing.
    calls.length = 0;
    const other = container();
    expect((await get(other)).statusCode).toBe(200);
    expect(calls).toEqual(['BatchGetItem']);
    // The same container again: knows the note is fresh and does not even read it.
    calls.length = 0;
    expect((await get(other)).statusCode).toBe(200);
    expect(calls).toEqual(['BatchGetItem']);
  });
});
