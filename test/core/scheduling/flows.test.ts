/** Implicit scheduling through core's PUT and DELETE, between users on one memory store. */
import { describe, expect, it } from 'vitest';
import { deleteMethod } from '../../../lambda/core/methods/delete';
import { get } from '../../../lambda/core/methods/get';
import { storeKey, INBOX_SLUG } from '../../../lambda/core/paths';
import { call } from '../methods/harness';
import { davError, putIcs } from '../methods/object-helpers';
import { ANA, BOB, CAROL, LEAD, answer, invitation, partstatOf, scheduleStatusOf, world } from './harness';

const path = (email: string, name: string) => `/calendars/${email}/crm/${name}`;
const inbox = (w: ReturnType<typeof world>, email: string) => w.store.listObjects(storeKey(email, INBOX_SLUG));
const inboxTexts = async (w: ReturnType<typeof world>, email: string) =>
  Promise.all((await inbox(w, email)).map(async (s) => (await w.store.getObject(storeKey(email, INBOX_SLUG), s.name))!.ics));

describe('organizer PUT', () => {
  it('delivers a copy (NEEDS-ACTION, no organizer alarm) and a REQUEST to a colleague, and e-mails outsiders', async () => {
    const w = world();
    const res = await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, LEAD]), { 'if-none-match': '*' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['schedule-tag']).toMatch(/^"s/);
    const organizer = (await w.store.getObject(ANA, 'm1.ics'))!.ics;
    expect(scheduleStatusOf(organizer, BOB)).toBe('1.2');
    expect(scheduleStatusOf(organizer, LEAD)).toBe('1.1');
    expect(scheduleStatusOf(organizer, ANA)).toBeNull();
    const copy = (await w.store.getObject(BOB, 'm1.ics'))!.ics;
    expect(partstatOf(copy, BOB)).toBe('NEEDS-ACTION');
    expect(copy).not.toContain('BEGIN:VALARM');
    expect(copy).not.toContain('SCHEDULE-STATUS');
    const [request] = await inboxTexts(w, BOB);
    expect(request).toContain('METHOD:REQUEST');
    expect(w.mail.map((m) => [m.to, m.method])).toEqual([[LEAD, 'REQUEST']]);
    expect(await inbox(w, ANA)).toEqual([]);
  });

  it('says not delivered for outsiders when e-mail is off', async () => {
    const w = world({ external: 'off' });
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [LEAD]));
    expect(scheduleStatusOf((await w.store.getObject(ANA, 'm1.ics'))!.ics, LEAD)).toBe('5.3');
    expect(w.mail).toEqual([]);
  });

  it('records a failed e-mail as 5.1 on the organizer copy', async () => {
    const w = world({ failMail: true });
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [LEAD]));
    expect(scheduleStatusOf((await w.store.getObject(ANA, 'm1.ics'))!.ics, LEAD)).toBe('5.1');
  });

  it('SCHEDULE-AGENT=CLIENT delivers nothing and leaves the attendee line alone', async () => {
    const w = world();
    const ics = invitation('m1', ANA, []).replace('END:VALARM\r\nEND:VEVENT', `END:VALARM\r\nATTENDEE;SCHEDULE-AGENT=CLIENT;PARTSTAT=NEEDS-ACTION:mailto:${BOB}\r\nEND:VEVENT`);
    const res = await putIcs(w.as(ANA), path(ANA, 'm1.ics'), ics);
    expect(res.status).toBe(201);
    expect(await w.store.getObject(BOB, 'm1.ics')).toBeNull();
    expect(await inbox(w, BOB)).toEqual([]);
    expect((await w.store.getObject(ANA, 'm1.ics'))!.ics).toBe(ics);
  });

  it('keeps a PARTSTAT a reply set unless the time changes, and tells only whom it concerns', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, CAROL]));
    const bobCopy = (await w.store.getObject(BOB, 'm1.ics'))!;
    expect((await putIcs(w.as(BOB), path(BOB, 'm1.ics'), answer(bobCopy.ics, BOB, 'ACCEPTED'))).status).toBe(204);
    // The organizer's phone had not seen the reply: its PUT says NEEDS-ACTION, the server keeps ACCEPTED.
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, CAROL], { summary: 'Quarterly review (room 4)' }));
    expect(partstatOf((await w.store.getObject(ANA, 'm1.ics'))!.ics, BOB)).toBe('ACCEPTED');
    expect(partstatOf((await w.store.getObject(BOB, 'm1.ics'))!.ics, BOB)).toBe('ACCEPTED');
    expect((await w.store.getObject(BOB, 'm1.ics'))!.ics).toContain('room 4');
    // A new time asks everyone again.
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, CAROL], { start: '20250311T090000Z', end: '20250311T100000Z' }));
    expect(partstatOf((await w.store.getObject(ANA, 'm1.ics'))!.ics, BOB)).toBe('NEEDS-ACTION');
    expect(partstatOf((await w.store.getObject(BOB, 'm1.ics'))!.ics, BOB)).toBe('NEEDS-ACTION');
  });

  it('removing an attendee or deleting the event cancels: the copy goes, a CANCEL arrives', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, CAROL, LEAD]));
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [CAROL, LEAD]));
    expect(await w.store.getObject(BOB, 'm1.ics')).toBeNull();
    expect((await inboxTexts(w, BOB))[0]).toContain('METHOD:CANCEL');
    expect((await call(deleteMethod, w.as(ANA), { method: 'DELETE', path: path(ANA, 'm1.ics') })).status).toBe(204);
    expect(await w.store.getObject(CAROL, 'm1.ics')).toBeNull();
    expect((await inboxTexts(w, CAROL))[0]).toContain('METHOD:CANCEL');
    expect(w.mail.map((m) => m.method)).toEqual(['REQUEST', 'CANCEL']);
  });
});

describe('attendee PUT and DELETE', () => {
  it('a reply updates the organizer copy (PARTSTAT, SCHEDULE-STATUS 2.0), the CRM hook, the inbox and the other attendees', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, CAROL]));
    const copy = await call(get, w.as(BOB), { method: 'GET', path: path(BOB, 'm1.ics') });
    const tag = copy.headers['schedule-tag']!;
    const res = await putIcs(w.as(BOB), path(BOB, 'm1.ics'), answer(copy.body!, BOB, 'ACCEPTED'), { 'if-schedule-tag-match': tag });
    expect(res.status).toBe(204);
    expect(res.headers['schedule-tag']).toBe(tag);
    const organizer = (await w.store.getObject(ANA, 'm1.ics'))!.ics;
    expect(partstatOf(organizer, BOB)).toBe('ACCEPTED');
    expect(scheduleStatusOf(organizer, BOB)).toBe('2.0');
    expect(w.crm.map((c) => c.owner)).toEqual([ANA]);
    expect((await inboxTexts(w, ANA))[0]).toContain('METHOD:REPLY');
    expect(partstatOf((await w.store.getObject(CAROL, 'm1.ics'))!.ics, BOB)).toBe('ACCEPTED');
    expect(await inbox(w, CAROL)).toHaveLength(1);
  });

  it('refuses changes to the organizer\'s part with allowed-attendee-scheduling-object-change', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB]));
    const copy = (await w.store.getObject(BOB, 'm1.ics'))!.ics;
    const res = await putIcs(w.as(BOB), path(BOB, 'm1.ics'), copy.replace('Quarterly review', 'My meeting now'));
    expect(res.status).toBe(403);
    expect(davError(res).condition!.name).toBe('{urn:ietf:params:xml:ns:caldav}allowed-attendee-scheduling-object-change');
    const alarm = copy.replace('END:VEVENT', 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT');
    expect((await putIcs(w.as(BOB), path(BOB, 'm1.ics'), alarm)).status).toBe(204);
  });

  it('a stale If-Schedule-Tag-Match is 412', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB]));
    const copy = await call(get, w.as(BOB), { method: 'GET', path: path(BOB, 'm1.ics') });
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB], { summary: 'Moved' }));
    const res = await putIcs(w.as(BOB), path(BOB, 'm1.ics'), answer(copy.body!, BOB, 'ACCEPTED'), { 'if-schedule-tag-match': copy.headers['schedule-tag']! });
    expect(res.status).toBe(412);
  });

  it('deleting the copy declines; Schedule-Reply: F does not', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB, CAROL]));
    await call(deleteMethod, w.as(BOB), { method: 'DELETE', path: path(BOB, 'm1.ics') });
    expect(partstatOf((await w.store.getObject(ANA, 'm1.ics'))!.ics, BOB)).toBe('DECLINED');
    await call(deleteMethod, w.as(CAROL), { method: 'DELETE', path: path(CAROL, 'm1.ics'), headers: { 'schedule-reply': 'F' } });
    expect(partstatOf((await w.store.getObject(ANA, 'm1.ics'))!.ics, CAROL)).toBe('NEEDS-ACTION');
  });
});

describe('abuse', () => {
  it('a new event organized by someone else is 403 valid-organizer', async () => {
    const w = world();
    const res = await putIcs(w.as(BOB), path(BOB, 'x.ics'), invitation('x', ANA, [BOB]));
    expect(res.status).toBe(403);
    expect(davError(res).condition!.name).toBe('{urn:ietf:params:xml:ns:caldav}valid-organizer');
  });

  it('a UID another organizer uses in an attendee\'s calendar is unique-scheduling-object-resource', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB]));
    const res = await putIcs(w.as(CAROL), path(CAROL, 'm1.ics'), invitation('m1', CAROL, [BOB]));
    expect(res.status).toBe(403);
    expect(davError(res).condition!.name).toBe('{urn:ietf:params:xml:ns:caldav}unique-scheduling-object-resource');
    expect((await w.store.getObject(BOB, 'm1.ics'))!.ics).toContain(`ORGANIZER;CN=Organizer:mailto:${ANA}`);
  });

  it('two users inviting each other terminates: each delivery is one store write', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'a.ics'), invitation('a', ANA, [BOB]));
    await putIcs(w.as(BOB), path(BOB, 'b.ics'), invitation('b', BOB, [ANA]));
    const a = (await w.store.getObject(BOB, 'a.ics'))!;
    await putIcs(w.as(BOB), path(BOB, 'a.ics'), answer(a.ics, BOB, 'ACCEPTED'));
    const b = (await w.store.getObject(ANA, 'b.ics'))!;
    await putIcs(w.as(ANA), path(ANA, 'b.ics'), answer(b.ics, ANA, 'TENTATIVE'));
    expect(partstatOf((await w.store.getObject(ANA, 'a.ics'))!.ics, BOB)).toBe('ACCEPTED');
    expect(partstatOf((await w.store.getObject(BOB, 'b.ics'))!.ics, ANA)).toBe('TENTATIVE');
  });

  it('inbox items can be deleted but nothing written', async () => {
    const w = world();
    await putIcs(w.as(ANA), path(ANA, 'm1.ics'), invitation('m1', ANA, [BOB]));
    const [item] = await inbox(w, BOB);
    expect((await putIcs(w.as(BOB), `/calendars/${BOB}/inbox/x.ics`, invitation('x', BOB, []))).status).toBe(403);
    expect((await call(deleteMethod, w.as(BOB), { method: 'DELETE', path: `/calendars/${BOB}/inbox/${item!.name}` })).status).toBe(204);
    expect(await inbox(w, BOB)).toEqual([]);
    expect((await call(deleteMethod, w.as(ANA), { method: 'DELETE', path: `/calendars/${BOB}/inbox/${item!.name}` })).status).toBe(404);
  });
});
