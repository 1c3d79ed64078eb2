/**
 * The built-in CRM's part of a phone write, committed in the calendar's transaction
 * (crm/builtin/phone-write.ts, sync/crm-alongside.ts), on DynamoDB Local through core's PUT and
 * DELETE: which CRM event an object maps to, when it falls back to the write after the commit,
 * and that concurrent writers never leave CalDAV and the CRM apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteMethod } from '../../../lambda/core/methods/delete';
import { put } from '../../../lambda/core/methods/put';
import { DEFAULT_CONFIG, type DavContext } from '../../../lambda/core/types';
import { phoneEventId } from '../../../lambda/crm/builtin/phone-write';
import { readEvent } from '../../../lambda/crm/builtin/event-reads';
import { spanOfEvent } from '../../../lambda/crm/builtin/span';
import type { CrmUser } from '../../../lambda/crm/types';
import { DynamoCalendarStore } from '../../../lambda/store/dynamodb/calendar-store';
import type { TransactionParticipant } from '../../../lambda/store/dynamodb/participant';
import { uidForCrmId } from '../../../lambda/crm/mapping';
import { PAT, SAM, event, jobWorld, type JobWorld } from '../../jobs/world';

let w: JobWorld;
let ctx: DavContext;
beforeAll(async () => {
  w = await jobWorld();
  ctx = { user: { email: PAT }, store: w.store, config: DEFAULT_CONFIG, now: () => w.clock.now, onObjectChange: w.app.onObjectChange };
});
afterAll(() => w.t.drop());

const ics = (uid: string, summary: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
const phonePut = (name: string, body: string, headers: Record<string, string> = {}) =>
  put({ method: 'PUT', path: `/calendars/${PAT}/crm/${name}`, headers: { 'content-type': 'text/calendar', ...headers }, body }, ctx);
const phoneDelete = (name: string) => deleteMethod({ method: 'DELETE', path: `/calendars/${PAT}/crm/${name}`, headers: {}, body: '' }, ctx);
const pending = async () => (await w.outbox.list(PAT)).map((e) => e.name);

describe('a phone write and its CRM event, in one transaction', () => {
  it('creates a phone-made event under an id derived from owner and UID, and updates it there', async () => {
    expect((await phonePut('A1.ics', ics('A1', 'first'))).status).toBe(201);
    const id = phoneEventId(PAT, 'A1');
    expect(await w.crm.getEvent(id)).toMatchObject({ Event_Title: 'first', Owner: { email: PAT }, caldav: { uid: 'A1', name: 'A1.ics' } });
    expect((await phonePut('A1.ics', ics('A1', 'second'))).status).toBe(204);
    expect(await w.crm.getEvent(id)).toMatchObject({ Event_Title: 'second' });
    expect(await w.crm.listEvents(PAT)).toHaveLength(1);
    expect(await pending()).toEqual([]);
  });

  it("a phone edit of a CRM-made event's object writes that event", async () => {
    const saved = await w.save(event(PAT, '2026-12-03T09:00:00Z', '2026-12-03T10:00:00Z', { Event_Title: 'from the CRM' }));
    const uid = uidForCrmId(saved.id);
    expect((await phonePut(`${uid}.ics`, ics(uid, 'edited on the phone'))).status).toBe(201);
    expect(await w.crm.getEvent(saved.id)).toMatchObject({ Event_Title: 'edited on the phone', caldav: { uid } });
    expect((await w.crm.listEvents(PAT)).filter((e) => e.Event_Title === 'edited on the phone')).toHaveLength(1);
  });

  it('finds an event linked before ids were derived (a random id) through the UID index', async () => {
    const legacy = await w.save({ ...event(PAT, '2026-12-04T09:00:00Z', '2026-12-04T10:00:00Z', { Event_Title: 'old link' }), caldav: { uid: 'L1', name: 'L1.ics', ics: ics('L1', 'old link') } });
    expect(legacy.id).not.toBe(phoneEventId(PAT, 'L1'));
    expect((await phonePut('L1.ics', ics('L1', 'new title'))).status).toBe(201);
    expect(await w.crm.getEvent(legacy.id)).toMatchObject({ Event_Title: 'new title' });
    expect(await w.crm.getEvent(phoneEventId(PAT, 'L1'))).toBeNull();
  });

  it("falls back to the write after the commit when the UID names someone else's event; the calendar write stands", async () => {
    const sams = await w.save(event(SAM, '2026-12-05T09:00:00Z', '2026-12-05T10:00:00Z', { Event_Title: "Sam's" }));
    const uid = uidForCrmId(sams.id);
    expect((await phonePut('copied.ics', ics(uid, 'a copy in my calendar'))).status).toBe(201);
    expect(await w.crm.getEvent(sams.id)).toMatchObject({ Event_Title: "Sam's", Owner: { email: SAM } });
    const mine = (await w.crm.listEvents(PAT)).find((e) => e.caldav?.uid === uid);
    expect(mine).toMatchObject({ Event_Title: 'a copy in my calendar', Owner: { email: PAT } });
    expect(await pending()).toEqual([]);
  });

  it('deletes the CRM event with the object, whatever the object is named', async () => {
    expect((await phonePut('renamed.ics', ics('R1', 'to be deleted'))).status).toBe(201);
    expect((await phoneDelete('renamed.ics')).status).toBe(204);
    expect(await w.crm.getEvent(phoneEventId(PAT, 'R1'))).toMatchObject({ Deleted: true });
    expect((await w.crm.listEvents(PAT)).map((e) => e.caldav?.uid)).not.toContain('R1');
  });

  it('a UID deleted and created again brings its event back, live', async () => {
    expect((await phonePut('B1.ics', ics('B1', 'once'))).status).toBe(201);
    expect((await phoneDelete('B1.ics')).status).toBe(204);
    expect((await phonePut('B1.ics', ics('B1', 'again'))).status).toBe(201);
    expect(await w.crm.getEvent(phoneEventId(PAT, 'B1'))).toMatchObject({ Event_Title: 'again', Deleted: false });
  });

  it('a CRM edit racing the phone write cannot be lost silently: the transaction retries on the new record', async () => {
    expect((await phonePut('C1.ics', ics('C1', 'start'))).status).toBe(201);
    const id = phoneEventId(PAT, 'C1');
    // The CRM writes between the phone write's read and its commit: the first commit is cancelled.
    let raced = false;
    const participant = w.crm.participant();
    const racingParticipant: TransactionParticipant = {
      join: (change) => {
        const part = participant.join(change)!;
        return {
          keys: part.keys,
          prepare: async (current) => {
            const items = await part.prepare(current);
            if (!raced) {
              raced = true;
              const crmEdit = (await w.crm.getEvent(id))!;
              await w.crm.upsertEvent({ ...crmEdit, Venue: 'Room 4' }, { ifModified: crmEdit.Modified_Time });
            }
            return items;
          },
        };
      },
    };
    const racing: DavContext = {
      ...ctx,
      store: new DynamoCalendarStore(w.t.doc, { events: w.t.tables.events, sync: w.t.tables.sync }, { now: () => w.clock.now, participant: racingParticipant }),
    };
    const res = await put({ method: 'PUT', path: `/calendars/${PAT}/crm/C1.ics`, headers: { 'content-type': 'text/calendar' }, body: ics('C1', 'phone after') }, racing);
    expect(res.status).toBe(204);
    expect(raced).toBe(true);
    // Committed on the CRM's edited record (the first attempt, made on the older one, was cancelled):
    // the phone's write is the later one and both sides hold it.
    const after = (await w.crm.getEvent(id))!;
    expect(after.Event_Title).toBe('phone after');
    expect(after.Venue).toBeNull();
    expect(after.caldav?.ics).toBe(ics('C1', 'phone after'));
    expect((await w.store.getObject(PAT, 'C1.ics'))!.ics).toBe(ics('C1', 'phone after'));
  });
});

describe("the CRM record's time span on a phone edit", () => {
  const spanOf = async (uid: string) => (await readEvent(w.crm.context, phoneEventId(PAT, uid)))!.span;
  const timed = (uid: string, summary: string, start: string, end: string, extra = '') =>
    `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:${start}\r\nDTEND:${end}\r\n${extra}SUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  const computed = async (uid: string) => {
    const { event: stored } = (await readEvent(w.crm.context, phoneEventId(PAT, uid)))!;
    return spanOfEvent(stored, { email: PAT, name: PAT, timeZone: 'Europe/Berlin' } as CrmUser);
  };

  it('a rename keeps it, a new time moves it, and both equal the span computed from the fields', async () => {
    expect((await phonePut('S1.ics', timed('S1', 'first', '20261210T090000Z', '20261210T100000Z'))).status).toBe(201);
    const first = await spanOf('S1');
    expect(first).toEqual({ rangeStart: Date.parse('2026-12-10T09:00:00Z'), rangeEnd: Date.parse('2026-12-10T10:00:00Z') });
    expect((await phonePut('S1.ics', timed('S1', 'renamed', '20261210T090000Z', '20261210T100000Z'))).status).toBe(204);
    expect(await spanOf('S1')).toEqual(first);
    expect(await spanOf('S1')).toEqual(await computed('S1'));
    expect((await phonePut('S1.ics', timed('S1', 'renamed', '20261211T090000Z', '20261211T110000Z'))).status).toBe(204);
    expect(await spanOf('S1')).toEqual({ rangeStart: Date.parse('2026-12-11T09:00:00Z'), rangeEnd: Date.parse('2026-12-11T11:00:00Z') });
    expect((await w.crm.listEvents(PAT, { from: '2026-12-11T00:00:00Z', to: '2026-12-12T00:00:00Z' })).map((e) => e.caldav?.uid)).toContain('S1');
  });

  it('an edit that makes the event recurring computes it again', async () => {
    expect((await phonePut('S2.ics', timed('S2', 'once', '20261210T090000Z', '20261210T100000Z'))).status).toBe(201);
    expect((await phonePut('S2.ics', timed('S2', 'weekly', '20261210T090000Z', '20261210T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=3\r\n'))).status).toBe(204);
    expect(await spanOf('S2')).toEqual({ rangeStart: Date.parse('2026-12-10T09:00:00Z'), rangeEnd: Date.parse('2026-12-24T10:00:00Z') });
    expect(await spanOf('S2')).toEqual(await computed('S2'));
  });
});
