/**
 * What the iOS sequence file leaves out, still as raw HTTP on DynamoDB: the Paris iOS fixture
 * (three alarms, one ACTION:NONE with an absolute trigger), all-day events, UID reuse (also
 * racing), the size limit, every write refused leaving the sync token alone, unauthenticated
 * writes, cross-user PROPPATCH/MKCALENDAR and listing, percent-encoded hrefs in a multiget, HEAD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  P,
  fixture,
  propfindBody,
  startInteropServer,
  timeRangeQueryBody,
  type DavClient,
  type DavReply,
  type InteropServer,
  type TestUser,
} from '../helpers/server';

const PARIS_ICS = fixture('ics', 'ios-event.ics');
const PARIS_UID = 'A1B2C3D4-E5F6-4789-ABCD-0123456789AB';
const ALL_DAY_ICS = fixture('reports', 'all-day.ics');

let server: InteropServer;
let fay: TestUser;
let gus: TestUser;
let a: DavClient;
let b: DavClient;

beforeAll(async () => {
  server = await startInteropServer();
  [fay, gus] = await Promise.all([server.addUser('fay@example.com'), server.addUser('gus@example.com')]);
  a = server.as(fay);
  b = server.as(gus);
});
afterAll(async () => {
  await server?.stop();
});

async function syncToken(client: DavClient = a): Promise<string> {
  const reply = await client.propfind(client.paths.calendar, propfindBody('<d:sync-token/>'));
  expect(reply.status).toBe(207);
  return reply.ms.responses.get(client.paths.calendar)!.get(P.d('sync-token'))!.element.text;
}

const queryNames = async (start: string, end: string) => {
  const reply = await a.report(a.paths.calendar, timeRangeQueryBody(start, end));
  expect(reply.status).toBe(207);
  return [...reply.ms.responses.keys()].map((h) => h.split('/').pop()).sort();
};

/** The DAV:error body names the precondition (local name, any prefix). */
const expectCondition = (res: DavReply, local: string) =>
  expect(res.text).toMatch(new RegExp(`<[^>]*error[^>]*>[\\s\\S]*<([a-z]+:)?${local}\\b`));

/** calendar-data as sent on the wire, entity references undone. */
function rawCalendarData(xml: string): string[] {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return [...xml.matchAll(/<([a-z]+:)?calendar-data[^>]*>([\s\S]*?)<\/([a-z]+:)?calendar-data>/g)].map((m) =>
    m[2].replace(/&(amp|lt|gt|quot|apos|#13|#x[dD]);/g, (_, e: string) => entities[e] ?? '\r'),
  );
}

describe('iOS event from Paris (test/fixtures/ics/ios-event.ics)', () => {
  const name = `${PARIS_UID}.ics`;
  let etag = '';

  it('is created, and GET and multiget return its bytes (non-ASCII, folded lines, three alarms) under the PUT ETag', async () => {
    const put = await a.put(a.paths.object(name), PARIS_ICS, { 'if-none-match': '*' });
    expect(put.status).toBe(201);
    etag = put.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);

    const get = await a.get(a.paths.object(name));
    expect(get.text).toBe(PARIS_ICS);
    expect(get.headers.get('etag')).toBe(etag);
    for (const kept of ['X-WR-ALARMUID:F0E1D2C3', 'ACTION:NONE', 'X-APPLE-LOCAL-DEFAULT-ALARM:TRUE', 'SUMMARY:Déjeuner client']) {
      expect(get.text).toContain(kept);
    }

    const mg = await a.multiget([a.paths.object(name)]);
    expect(mg.status).toBe(207);
    expect(rawCalendarData(mg.text)).toEqual([PARIS_ICS]);
    expect(mg.ms.responses.get(a.paths.object(name))?.get(P.d('getetag'))?.element.text).toBe(etag);
  });

  it('HEAD gives the ETag, type and length without a body', async () => {
    const head = await a.request('HEAD', a.paths.object(name));
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.headers.get('content-type')).toMatch(/^text\/calendar/);
    const length = head.headers.get('content-length');
    if (length !== null) expect(Number(length)).toBe(Buffer.byteLength(PARIS_ICS, 'utf8'));
  });

  it('matches a time range in its own zone: 14:30-15:30 Paris is 13:30-14:30Z', async () => {
    expect(await queryNames('20250120T133000Z', '20250120T134500Z')).toEqual([name]);
    expect(await queryNames('20250120T120000Z', '20250120T133000Z')).toEqual([]);
    expect(await queryNames('20250120T143000Z', '20250120T150000Z')).toEqual([]);
  });

  it('a multiget naming it with %40 in the href still returns it', async () => {
    const encoded = `/calendars/fay%40example.com/crm/${name}`;
    const mg = await a.multiget([encoded]);
    expect(mg.status).toBe(207);
    expect(mg.text).toContain('BEGIN:VCALENDAR');
    expect(mg.text).toContain(etag.replace(/"/g, ''));
  });
});

describe('all-day events (VALUE=DATE)', () => {
  it('are stored unchanged and match a time range only on their days', async () => {
    const put = await a.put(a.paths.object('holiday.ics'), ALL_DAY_ICS, { 'if-none-match': '*' });
    expect(put.status).toBe(201);
    expect((await a.get(a.paths.object('holiday.ics'))).text).toBe(ALL_DAY_ICS);
    // 20 and 21 January (DTEND 22 is exclusive); ranges chosen away from midnight in any zone.
    expect(await queryNames('20250120T100000Z', '20250120T110000Z')).toContain('holiday.ics');
    expect(await queryNames('20250121T100000Z', '20250121T110000Z')).toEqual(['holiday.ics']);
    expect(await queryNames('20250122T100000Z', '20250122T110000Z')).toEqual([]);
    expect(await queryNames('20250119T100000Z', '20250119T110000Z')).toEqual([]);
  });
});

describe('one UID, one resource', () => {
  it('a second href carrying an existing UID is 409 no-uid-conflict, and nothing is written', async () => {
    const before = await syncToken();
    const res = await a.put(a.paths.object('copy-of-paris.ics'), PARIS_ICS, { 'if-none-match': '*' });
    expect(res.status).toBe(409);
    expectCondition(res, 'no-uid-conflict');
    expect((await a.get(a.paths.object('copy-of-paris.ics'))).status).toBe(404);
    expect(await syncToken()).toBe(before);
  });

  it('the same UID in another user\'s calendar is no conflict', async () => {
    const res = await b.put(b.paths.object(`${PARIS_UID}.ics`), PARIS_ICS, { 'if-none-match': '*' });
    expect(res.status).toBe(201);
  });

  it('parallel creates of one new UID under different hrefs: exactly one lands', async () => {
    const ics = PARIS_ICS.replaceAll(PARIS_UID, 'racing-uid');
    const names = Array.from({ length: 5 }, (_, i) => `racing-${i}.ics`);
    const replies = await Promise.all(names.map((n) => a.put(a.paths.object(n), ics, { 'if-none-match': '*' })));
    const statuses = replies.map((r) => r.status);
    // 503 is the server's documented "contention, retry" answer; a client would retry it.
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => [201, 409, 503].includes(s))).toBe(true);
    const present = (await Promise.all(names.map((n) => a.get(a.paths.object(n))))).filter((g) => g.status === 200);
    expect(present).toHaveLength(1);
  });

  it('once the holder is deleted, the UID is free for another href', async () => {
    const holder = a.paths.object('racing-uid-holder.ics');
    const ics = PARIS_ICS.replaceAll(PARIS_UID, 'freed-uid');
    const first = await a.put(holder, ics, { 'if-none-match': '*' });
    expect(first.status).toBe(201);
    expect((await a.delete(holder, { 'if-match': first.headers.get('etag')! })).status).toBe(204);
    expect((await a.put(a.paths.object('freed-uid.ics'), ics, { 'if-none-match': '*' })).status).toBe(201);
  });
});

describe('refused writes leave the calendar and its token alone', () => {
  it('over max-resource-size: 413 with max-resource-size', async () => {
    const before = await syncToken();
    const filler = Array.from({ length: 6000 }, () => `X-FILLER:${'x'.repeat(70)}`).join('\r\n');
    const big = PARIS_ICS.replaceAll(PARIS_UID, 'too-big').replace('END:VEVENT', `${filler}\r\nEND:VEVENT`);
    expect(Buffer.byteLength(big)).toBeGreaterThan(400 * 1024);
    const res = await a.put(a.paths.object('too-big.ics'), big, { 'if-none-match': '*' });
    expect(res.status).toBe(413);
    expectCondition(res, 'max-resource-size');
    expect((await a.get(a.paths.object('too-big.ics'))).status).toBe(404);
    expect(await syncToken()).toBe(before);
  });

  it('a VTODO, a non-iCalendar media type and a PUT to a collection', async () => {
    const before = await syncToken();
    const todo = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//x//EN', 'BEGIN:VTODO', 'UID:todo-x', 'DTSTAMP:20250101T000000Z', 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');
    expect((await a.put(a.paths.object('todo-x.ics'), todo)).status).toBe(403);
    const json = await a.request('PUT', a.paths.object('json.ics'), { body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(415);
    expect((await a.put(a.paths.calendar, PARIS_ICS.replaceAll(PARIS_UID, 'onto-collection'))).status).toBe(403);
    expect(await syncToken()).toBe(before);
  });

  it('an If-Match on an absent object is 412 and creates nothing', async () => {
    const before = await syncToken();
    const res = await a.put(a.paths.object('absent.ics'), PARIS_ICS.replaceAll(PARIS_UID, 'absent'), { 'if-match': '"whatever"' });
    expect(res.status).toBe(412);
    expect((await a.get(a.paths.object('absent.ics'))).status).toBe(404);
    expect(await syncToken()).toBe(before);
  });
});

describe('without credentials', () => {
  it('every method but OPTIONS is 401 with a Basic challenge, and nothing is written', async () => {
    const before = await syncToken();
    const anon = server.as(null);
    const path = a.paths.object('anon.ics');
    const replies = await Promise.all([
      anon.request('GET', a.paths.object(`${PARIS_UID}.ics`)),
      anon.request('PUT', path, { body: PARIS_ICS.replaceAll(PARIS_UID, 'anon'), headers: { 'content-type': 'text/calendar' } }),
      anon.request('DELETE', a.paths.object(`${PARIS_UID}.ics`)),
      anon.request('REPORT', a.paths.calendar, { depth: '1', body: timeRangeQueryBody('20200101T000000Z', '20300101T000000Z') }),
      anon.request('PROPPATCH', a.paths.calendar, {
        body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>x</d:displayname></d:prop></d:set></d:propertyupdate>',
      }),
      anon.request('MKCALENDAR', `${a.paths.home}anon/`),
    ]);
    for (const res of replies) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
      expect(res.text).not.toContain('BEGIN:VCALENDAR');
    }
    expect((await a.get(path)).status).toBe(404);
    expect((await a.get(a.paths.object(`${PARIS_UID}.ics`))).status).toBe(200);
    expect(await syncToken()).toBe(before);
  });
});

describe('another user cannot change or list A', () => {
  it('PROPPATCH on A\'s calendar is refused and A\'s name stays', async () => {
    const body =
      '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Hijacked</d:displayname></d:prop></d:set></d:propertyupdate>';
    for (const path of [a.paths.calendar, '/calendars/fay%40example.com/crm/', a.paths.principal]) {
      const res = await b.request('PROPPATCH', path, { body });
      expect([403, 404], path).toContain(res.status);
    }
    const reply = await a.propfind(a.paths.calendar, propfindBody('<d:displayname/>'));
    expect(reply.ms.responses.get(a.paths.calendar)?.get(P.d('displayname'))?.element.text).toBe('fay@example.com');
  });

  it('MKCALENDAR in A\'s home is refused', async () => {
    const res = await b.request('MKCALENDAR', `${a.paths.home}planted/`);
    expect([403, 404]).toContain(res.status);
  });

  it('PROPFIND on the principal and calendar roots, and on A\'s paths with %40, never shows A', async () => {
    for (const path of ['/', '/principals/', '/calendars/']) {
      const res = await b.request('PROPFIND', path, { depth: '1', body: propfindBody('<d:displayname/><d:resourcetype/>') });
      expect([207, 403, 404], path).toContain(res.status);
      expect(res.text, path).not.toContain('fay@example.com');
      expect(res.text, path).not.toContain('fay%40example.com');
    }
    for (const path of ['/principals/fay%40example.com/', '/calendars/fay%40example.com/', '/calendars/FAY%40example.com/crm/']) {
      const res = await b.request('PROPFIND', path, { depth: '1', body: propfindBody('<d:displayname/><d:getetag/>') });
      expect([403, 404], path).toContain(res.status);
      expect(res.text).not.toContain(PARIS_UID);
    }
  });

  it('a sync-collection on B\'s own calendar never lists A\'s objects', async () => {
    const reply = await b.syncCollection('');
    expect(reply.status).toBe(207);
    for (const href of reply.ms.responses.keys()) expect(href.startsWith(b.paths.calendar)).toBe(true);
  });
});
