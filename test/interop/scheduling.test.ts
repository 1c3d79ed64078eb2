/**
 * CalDAV scheduling (RFC 6638) between users of one deployment, through the local server on
 * DynamoDB, as raw HTTP: Apple's recorded discovery, inbox and free-busy requests replayed, an
 * invitation from one phone answered on another, the CRM following the answer, iMIP e-mail to
 * an outsider written to the file sink and parsed back, and a participant added in the CRM
 * reaching a colleague's calendar. Tests share state and run in file order.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P, startInteropServer, type DavClient, type InteropServer, type MultistatusReply, type TestUser } from '../helpers/server';

const apple = (name: string) => readFileSync(new URL(`../fixtures/apple/${name}`, import.meta.url), 'utf8');
const UID = 'F1A2B3C4-D5E6-4F70-8192-A3B4C5D6E7F8';
const NAME = `${UID}.ics`;
const LEAD = 'lena.lead@customer.example';

let server: InteropServer;
let mailDir: string;
let ana: TestUser;
let bob: TestUser;
let carol: TestUser;
let a: DavClient;
let b: DavClient;
let c: DavClient;

beforeAll(async () => {
  mailDir = mkdtempSync(join(tmpdir(), 'crm-caldav-mail-'));
  server = await startInteropServer({ SCHEDULE_EMAIL: 'on', SCHEDULE_EMAIL_FROM: 'calendar@example.com', SCHEDULE_MAIL_DIR: mailDir });
  [ana, bob, carol] = await Promise.all(['ana@example.com', 'bob@example.com', 'carol@example.com'].map((e) => server.addUser(e)));
  [a, b, c] = [ana, bob, carol].map((u) => server.as(u));
});
afterAll(async () => {
  await server?.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');
const attendeeLine = (ics: string, email: string) => unfold(ics).split(/\r?\n/).find((l) => l.startsWith('ATTENDEE') && l.toLowerCase().endsWith(`mailto:${email}`)) ?? '';
const hrefs = (reply: MultistatusReply) => [...reply.ms.responses.keys()];
const childHrefs = (reply: MultistatusReply, href: string, name: string) =>
  reply.ms.responses.get(href)?.get(name)?.element.children.map((e) => e.text) ?? [];

/** What iOS PUTs for a new event with invitees: the organizer as ACCEPTED chair, invitees NEEDS-ACTION. */
function iosInvitation(organizer: string, invitees: string[], summary = 'Pipeline review'): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 17.5//EN', 'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT', 'CREATED:20250301T080000Z', 'DTSTAMP:20250301T080000Z', 'DTSTART:20250312T140000Z', 'DTEND:20250312T150000Z',
    `SUMMARY:${summary}`, `UID:${UID}`, 'SEQUENCE:0', 'TRANSP:OPAQUE',
    `ORGANIZER;CN=Ana:mailto:${organizer}`,
    `ATTENDEE;CN=Ana;CUTYPE=INDIVIDUAL;EMAIL=${organizer};PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:${organizer}`,
    ...invitees.map((i) => `ATTENDEE;CUTYPE=INDIVIDUAL;EMAIL=${i};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${i}`),
    'BEGIN:VALARM', 'X-WR-ALARMUID:11111111-2222-4333-8444-555555555555', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT10M', 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

/** The text/calendar part of an .eml, decoded. */
function calendarPart(eml: string): string {
  const m = /Content-Type: text\/calendar; charset=utf-8; method=([A-Z]+)\r\nContent-Transfer-Encoding: (7bit|base64|quoted-printable)\r\n\r\n([\s\S]*?)\r\n--/.exec(eml);
  if (!m) throw new Error(`no text/calendar part in\n${eml}`);
  if (m[2] === 'base64') return Buffer.from(m[3]!.replace(/\s/g, ''), 'base64').toString('utf8');
  if (m[2] === 'quoted-printable') return m[3]!.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return m[3]!;
}
const mails = () => readdirSync(mailDir).sort().map((f) => ({ file: f, eml: readFileSync(join(mailDir, f), 'utf8') }));

describe('discovery as Apple Calendar does it', () => {
  it('advertises calendar-auto-schedule', async () => {
    const res = await server.as(null).request('OPTIONS', '/');
    expect(res.headers.get('dav')).toContain('calendar-auto-schedule');
  });

  it('the recorded principal PROPFIND finds inbox, outbox and the mailto: address first', async () => {
    const reply = await a.propfind(a.paths.principal, apple('startup_principal_propfind.xml'));
    expect(reply.status).toBe(207);
    const href = a.paths.principal;
    expect(childHrefs(reply, href, P.c('schedule-inbox-URL'))).toEqual([`${a.paths.home}inbox/`]);
    expect(childHrefs(reply, href, P.c('schedule-outbox-URL'))).toEqual([`${a.paths.home}outbox/`]);
    expect(childHrefs(reply, href, P.c('calendar-user-address-set'))).toEqual(['mailto:ana@example.com', href]);
  });

  it('the recorded home Depth 1 PROPFIND lists calendar, inbox and outbox with the scheduling properties', async () => {
    const reply = await a.propfind(a.paths.home, apple('poll_calendarhome_depth1_propfind.xml'), '1');
    expect(reply.status).toBe(207);
    expect(hrefs(reply)).toEqual([a.paths.home, a.paths.calendar, `${a.paths.home}tasks/`, `${a.paths.home}inbox/`, `${a.paths.home}outbox/`]);
    const transp = reply.ms.responses.get(a.paths.calendar)!.get(P.c('schedule-calendar-transp'))!;
    expect(transp.element.children.map((e) => e.name)).toEqual([P.c('opaque')]);
    expect(childHrefs(reply, a.paths.home, P.c('schedule-default-calendar-URL'))).toEqual([a.paths.calendar]);
    const inboxType = reply.ms.responses.get(`${a.paths.home}inbox/`)!.get(P.d('resourcetype'))!;
    expect(inboxType.element.children.map((e) => e.name)).toContain(P.c('schedule-inbox'));
  });
});

describe('an invitation from one iPhone to another', () => {
  let bobTag = '';

  it('the organizer PUTs with invitees: SCHEDULE-STATUS per attendee, a Schedule-Tag, no ETag (the text changed)', async () => {
    const res = await a.put(a.paths.object(NAME), iosInvitation('ana@example.com', ['bob@example.com', LEAD]), { 'if-none-match': '*' });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('schedule-tag')).toMatch(/^"s/);
    const stored = (await a.get(a.paths.object(NAME))).text;
    expect(attendeeLine(stored, 'bob@example.com')).toContain('SCHEDULE-STATUS=1.2');
    expect(attendeeLine(stored, LEAD)).toContain('SCHEDULE-STATUS=1.1');
    expect(stored).toContain('X-WR-ALARMUID:11111111');
  });

  it("the colleague's calendar syncs the copy, and the recorded inbox poll lists the REQUEST", async () => {
    const sync = await b.syncCollection('');
    expect(hrefs(sync)).toContain(b.paths.object(NAME));
    const copy = await b.get(b.paths.object(NAME));
    expect(copy.status).toBe(200);
    bobTag = copy.headers.get('schedule-tag')!;
    expect(bobTag).toMatch(/^"s/);
    expect(attendeeLine(copy.text, 'bob@example.com')).toContain('PARTSTAT=NEEDS-ACTION');
    expect(copy.text).not.toContain('VALARM');
    const inbox = await b.propfind(`${b.paths.home}inbox/`, apple('poll_inbox_propfind.xml'), '1');
    expect(inbox.status).toBe(207);
    const items = hrefs(inbox).filter((h) => h !== `${b.paths.home}inbox/`);
    expect(items).toHaveLength(1);
    const message = await b.get(items[0]!);
    expect(message.text).toContain('METHOD:REQUEST');
  });

  it('the outsider gets an iMIP e-mail that parses back to the same meeting', () => {
    const sent = mails();
    expect(sent.map((m) => m.file)).toEqual([expect.stringMatching(/-REQUEST-lena\.lead@customer\.example\.eml$/)]);
    const eml = sent[0]!.eml;
    expect(eml).toMatch(/^Reply-To: ana@example\.com\r$/m);
    expect(eml).toMatch(/^Subject: Invitation: Pipeline review\r$/m);
    const vcalendar = new ICAL.Component(ICAL.parse(calendarPart(eml)));
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const event = vcalendar.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('uid')).toBe(UID);
    expect(event.getAllSubcomponents('valarm')).toEqual([]);
    expect(event.getAllProperties('attendee').map((p) => p.getFirstValue())).toContain(`mailto:${LEAD}`);
    expect(calendarPart(eml)).not.toContain('SCHEDULE-STATUS');
  });

  it('the colleague may not move the meeting: 403 allowed-attendee-scheduling-object-change', async () => {
    const copy = (await b.get(b.paths.object(NAME))).text;
    const res = await b.put(b.paths.object(NAME), copy.replace('DTSTART:20250312T140000Z', 'DTSTART:20250312T130000Z'));
    expect(res.status).toBe(403);
    expect(res.text).toContain('allowed-attendee-scheduling-object-change');
  });

  it('accepting with If-Schedule-Tag-Match updates the organizer, who sees it, and the CRM participant', async () => {
    const copy = unfold((await b.get(b.paths.object(NAME))).text);
    const accepted = copy.replace(/(ATTENDEE[^\r\n]*)PARTSTAT=NEEDS-ACTION([^\r\n]*mailto:bob@example\.com)/, '$1PARTSTAT=ACCEPTED$2');
    const res = await b.put(b.paths.object(NAME), accepted, { 'if-schedule-tag-match': bobTag });
    expect(res.status).toBe(204);
    expect(res.headers.get('schedule-tag')).toBe(bobTag);
    const organizer = (await a.get(a.paths.object(NAME))).text;
    expect(attendeeLine(organizer, 'bob@example.com')).toMatch(/PARTSTAT=ACCEPTED/);
    expect(attendeeLine(organizer, 'bob@example.com')).toMatch(/SCHEDULE-STATUS=2\.0/);
    const inbox = await a.propfind(`${a.paths.home}inbox/`, apple('poll_inbox_propfind.xml'), '1');
    expect(hrefs(inbox)).toHaveLength(2);
    const crm = server.app.crm!.connector;
    const event = await crm.findEventByUid('ana@example.com', UID);
    expect(event?.Participants.find((p) => p.Email === 'bob@example.com')?.status).toBe('ACCEPTED');
    // One CRM event, the organizer's: the attendee's copy never becomes an event of Bob's.
    expect(await crm.findEventByUid('bob@example.com', UID)).toBeNull();
    expect(await crm.listEvents('bob@example.com')).toEqual([]);
  });

  it('a free-busy POST (Apple\'s availability request) answers busy time only, and 3.7 for an unknown user', async () => {
    const body = (attendee: string) =>
      apple('post_availability.request')
        .replaceAll('%(vfreebusy-uid)s', 'FB-1')
        .replaceAll('%(start)s', '20250312T000000Z')
        .replaceAll('%(end)s', '20250313T000000Z')
        .replaceAll('%(attendee)s', attendee)
        .replaceAll('%(event-uid)s', 'NOT-THIS-ONE')
        .replaceAll('%(now)s', '20250301T080000Z')
        .replaceAll('%(organizer)s', 'mailto:carol@example.com')
        .replace(/\n/g, '\r\n');
    const res = await c.request('POST', `${c.paths.home}outbox/`, { body: body('mailto:bob@example.com'), headers: { 'content-type': 'text/calendar' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('2.0;Success');
    const data = /<[a-z:]*calendar-data[^>]*>([\s\S]*?)<\/[a-z:]*calendar-data>/.exec(res.text)![1]!.replace(/&#13;/g, '\r');
    const fb = new ICAL.Component(ICAL.parse(data)).getFirstSubcomponent('vfreebusy')!;
    expect(fb.getAllProperties('freebusy').map((p) => [p.getParameter('fbtype'), String(p.getFirstValue())])).toEqual([['BUSY', '2025-03-12T14:00:00Z/2025-03-12T15:00:00Z']]);
    expect(data).not.toContain('Pipeline review');
    const unknown = await c.request('POST', `${c.paths.home}outbox/`, { body: body('mailto:nobody@example.com'), headers: { 'content-type': 'text/calendar' } });
    expect(unknown.text).toContain('3.7;Invalid calendar user');
    const forged = await c.request('POST', `${c.paths.home}outbox/`, { body: body('mailto:bob@example.com').replace('ORGANIZER:mailto:carol', 'ORGANIZER:mailto:ana'), headers: { 'content-type': 'text/calendar' } });
    expect(forged.status).toBe(403);
  });

  it('nobody else sees the meeting, and the inbox takes no writes', async () => {
    expect((await c.get(b.paths.object(NAME))).status).toBe(404);
    expect((await c.propfind(`${b.paths.home}inbox/`, apple('poll_inbox_propfind.xml'), '1')).status).toBe(404);
    expect((await b.put(`${b.paths.home}inbox/forged.ics`, iosInvitation('bob@example.com', []))).status).toBe(403);
  });

  it('deleting the meeting cancels: the copy goes, the inbox and the outsider get a CANCEL', async () => {
    const etag = (await a.get(a.paths.object(NAME))).headers.get('etag')!;
    expect((await a.delete(a.paths.object(NAME), { 'if-match': etag })).status).toBe(204);
    expect((await b.get(b.paths.object(NAME))).status).toBe(404);
    const inbox = await b.propfind(`${b.paths.home}inbox/`, apple('poll_inbox_propfind.xml'), '1');
    const items = hrefs(inbox).filter((h) => h.endsWith('.ics'));
    expect(items).toHaveLength(1);
    expect((await b.get(items[0]!)).text).toContain('METHOD:CANCEL');
    expect((await b.delete(items[0]!)).status).toBe(204);
    const cancel = mails().find((m) => m.file.includes('-CANCEL-'));
    expect(new ICAL.Component(ICAL.parse(calendarPart(cancel!.eml))).getFirstPropertyValue('method')).toBe('CANCEL');
  });
});

describe('the CRM side', () => {
  it("a participant added to a CRM event reaches the colleague's calendar and inbox", async () => {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(new URL(path, server.url), {
        method,
        headers: { authorization: ana.authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as { data: { id: string } } };
    };
    const created = await api('POST', '/crm/v1/events', {
      Event_Title: 'Contract signing',
      Start_DateTime: '2025-03-20T10:00:00+00:00',
      End_DateTime: '2025-03-20T11:00:00+00:00',
      Participants: [{ Email: 'carol@example.com' }],
    });
    expect(created.status).toBe(201);
    const sync = await c.syncCollection('');
    const copies = hrefs(sync).filter((h) => h.endsWith('.ics'));
    expect(copies).toHaveLength(1);
    const copy = (await c.get(copies[0]!)).text;
    expect(copy).toContain('SUMMARY:Contract signing');
    expect(copy).toMatch(/ORGANIZER[^\r\n]*mailto:ana@example\.com/);
    expect(attendeeLine(copy, 'carol@example.com')).toContain('PARTSTAT=NEEDS-ACTION');
    // Still one CRM event, the organizer's.
    expect(await server.app.crm!.connector.listEvents('carol@example.com')).toEqual([]);
  });
});
