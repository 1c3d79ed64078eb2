/**
 * Bad input through the running server on DynamoDB Local, as a careless or hostile client sends
 * it: each gets a clear 4xx and stores nothing. Then a bounded, seeded fuzz of the XML and
 * iCalendar paths: whatever the bytes, never a 5xx, never a stored change on refusal, and every
 * REPORT answer stays well-formed XML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../bench/ics';
import { parseXml } from '../../lambda/core/xml';
import { fixture, startInteropServer, type DavClient, type InteropServer, type TestUser } from '../helpers/server';

let server: InteropServer;
let user: TestUser;
let dav: DavClient;

beforeAll(async () => {
  server = await startInteropServer();
  user = await server.addUser('fuzz@example.com');
  dav = server.as(user);
});
afterAll(async () => {
  await server?.stop();
});

/** What a refusal must leave as it was: the change counter and every object's ETag. */
async function state() {
  const meta = await server.store.getCalendar(user.email);
  const objects = await server.store.listObjects(user.email);
  return { seq: meta.seq, props: meta, etags: objects.map((o) => `${o.name} ${o.etag}`).sort() };
}

const send = (method: string, path: string, body: Buffer | string | undefined, headers: Record<string, string> = {}) =>
  fetch(new URL(path, server.url), { method, body, headers: { authorization: user.authorization, ...headers } });

const XML = { 'content-type': 'application/xml; charset=utf-8' };
const ICS = { 'content-type': 'text/calendar; charset=utf-8' };
const PROPPATCH = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop>${inner}</d:prop></d:set></d:propertyupdate>`;

describe('refused input stores nothing', () => {
  it('a 10 KB path answers 414 on GET, PROPFIND and PUT', async () => {
    const long = `${dav.paths.calendar}${'x'.repeat(10_000)}.ics`;
    for (const [method, body, headers] of [['GET', undefined, {}], ['PROPFIND', undefined, { depth: '0' }], ['PUT', fixture('ics', 'ios-event.ics'), ICS]] as const) {
      expect((await send(method, long, body, headers)).status, method).toBe(414);
    }
  });

  it('XML with two roots, invalid UTF-8 or 100,000 levels answers 400', async () => {
    const before = await state();
    // Well-formed but for one byte: "caf" then 0xC3 0x28, an invalid UTF-8 sequence.
    const [head, tail] = PROPPATCH('<d:displayname>@</d:displayname>').split('@') as [string, string];
    const displayname = Buffer.concat([Buffer.from(`${head}caf`), Buffer.from([0xc3, 0x28]), Buffer.from(tail)]);
    for (const body of [`${PROPPATCH('<d:displayname>a</d:displayname>')}<d:x/>`, displayname, `<d:propfind xmlns:d="DAV:">${'<d:prop>'.repeat(100_000)}${'</d:prop>'.repeat(100_000)}</d:propfind>`]) {
      const res = await send(body.includes('propfind') ? 'PROPFIND' : 'PROPPATCH', dav.paths.calendar, body, { ...XML, depth: '0' });
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect(text).not.toMatch(/at \w+ \(|Error:/);
    }
    expect(await state()).toEqual(before);
  });

  it('a 20 MB body gets 413 from the server, not a reset connection', async () => {
    const res = await send('PUT', dav.paths.object('big.ics'), Buffer.alloc(20 * 1024 * 1024, 0x41), ICS);
    expect(res.status).toBe(413);
  });

  it('iCalendar with invalid UTF-8, a NUL, DTEND before DTSTART or an unknown TZID answers 403 valid-calendar-data', async () => {
    const before = await state();
    const ics = fixture('ics', 'ios-event.ics');
    const bad = [
      Buffer.concat([Buffer.from(ics.replace('SUMMARY:', 'SUMMARY:caf')).subarray(0, ics.indexOf('SUMMARY:') + 11), Buffer.from([0xe9]), Buffer.from(ics.slice(ics.indexOf('SUMMARY:') + 8))]),
      ics.replace('SUMMARY:', 'SUMMARY:\u0000'),
      ics.replace(/DTEND;TZID=([^:]+):(\d{8})T\d{6}/, 'DTEND;TZID=$1:$2T000001'),
      ics.replace(/TZID=[^:;]+/g, 'TZID=Nowhere/Special').replace(/BEGIN:VTIMEZONE[\s\S]*?END:VTIMEZONE\r?\n/, ''),
    ];
    for (const body of bad) {
      const res = await send('PUT', dav.paths.object('bad.ics'), body, ICS);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('valid-calendar-data');
    }
    expect(await state()).toEqual(before);
  });
});

const NASTY = ['\u0000', '\u001b', '\uFFFD', '&', '&#13;', '&#0;', '&amp;#x41;', '<', '>', ']]>', '"', '\r', '\n', '\uD800', '😀', 'é', '%', '\\', ';', ':', ',', '\r\n ', 'BEGIN:VEVENT', 'END:VCALENDAR', 'TZID=X', '<![CDATA[', '<!--', 'xmlns:q="urn:x"', '</d:prop>', '<d:prop>'];

/** One mutation: insert, delete or replace a short run, or splice in something nasty. */
function mutate(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const len = Math.floor(rnd() * 8);
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return text.slice(0, at) + NASTY[Math.floor(rnd() * NASTY.length)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + len);
    case 2:
      return text.slice(0, at) + text.slice(at, at + len).split('').reverse().join('') + text.slice(at + len);
    default:
      return text.slice(0, at) + text.slice(Math.floor(rnd() * text.length)).slice(0, len) + text.slice(at);
  }
}

describe('fuzz (seeded, bounded)', () => {
  const SEED = 20261202;
  const CASES = 60;

  it('PUT of mutated iOS events: 2xx or 4xx, a refusal stores nothing, every stored object reads back as valid XML', async () => {
    const rnd = rng(SEED);
    const base = fixture('ics', 'ios-event.ics');
    for (let i = 0; i < CASES; i++) {
      let body = base;
      for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) body = mutate(body, rnd);
      const before = await state();
      const res = await send('PUT', dav.paths.object(`f${i % 5}.ics`), body, ICS);
      expect(res.status, `seed ${SEED} case ${i}`).toBeLessThan(500);
      if (res.status >= 400) expect(await state(), `seed ${SEED} case ${i}`).toEqual(before);
    }
    const report = await dav.report(
      dav.paths.calendar,
      '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>',
    );
    expect(report.status).toBe(207);
    expect(() => parseXml(report.text)).not.toThrow();
  });

  it('PROPFIND, PROPPATCH and REPORT with mutated bodies: never a 5xx, a refused PROPPATCH stores nothing', async () => {
    const rnd = rng(SEED + 1);
    const bodies: Array<[string, string, Record<string, string>]> = [
      ['PROPFIND', '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:displayname/><cs:getctag/><d:sync-token/></d:prop></d:propfind>', { depth: '1' }],
      ['PROPPATCH', PROPPATCH('<d:displayname>Fuzzed &amp; fine</d:displayname><x:color xmlns:x="http://apple.com/ns/ical/">#FF0000FF</x:color>'), {}],
      ['REPORT', '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>', { depth: '1' }],
      ['REPORT', '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20250101T000000Z" end="20260101T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>', { depth: '1' }],
    ];
    for (let i = 0; i < CASES; i++) {
      const [method, base, headers] = bodies[i % bodies.length]!;
      let body = base;
      for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) body = mutate(body, rnd);
      const before = await state();
      const res = await send(method, dav.paths.calendar, body, { ...XML, ...headers });
      const text = await res.text();
      expect(res.status, `seed ${SEED + 1} case ${i}: ${method}`).toBeLessThan(500);
      if (res.status === 207) expect(() => parseXml(text), `seed ${SEED + 1} case ${i}`).not.toThrow();
      if (method === 'PROPPATCH' && res.status >= 400) expect(await state()).toEqual(before);
    }
  });
});
