import { describe, expect, it } from 'vitest';
import { uidForCrmId } from '../../lambda/crm/mapping';
import { NED, OLIVIA, UMA, draft, fixture, lineDiff, lines, makeWorld } from './harness';

const IOS_NAME = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C.ics';
const participants = [
  { type: 'lead' as const, participant: 'L1', Email: 'larry@acme.example', name: 'Larry Lead' },
  { type: 'contact' as const, participant: 'C1', Email: 'carla@acme.example', name: 'Carla Contact' },
];

describe('CRM -> phone', () => {
  it('a CRM-created event appears in the owner calendar with ATTENDEEs and a VALARM, bumping the ctag', async () => {
    const w = makeWorld();
    const ev = await w.api.save(draft(OLIVIA, { Participants: participants, Remind_At: 10 }));
    const name = `${uidForCrmId(ev.id)}.ics`;
    const obj = await w.phone.get(name);
    expect(obj).not.toBeNull();
    const l = lines(obj!.ics);
    expect(l).toContain(`UID:${uidForCrmId(ev.id)}`);
    expect(l).toContain('SUMMARY:Pricing call');
    expect(l.filter((x) => x.startsWith('ATTENDEE'))).toEqual([
      expect.stringMatching(/^ATTENDEE;CN=Larry Lead;CUTYPE=INDIVIDUAL;.*X-CRM-RECORD="lead:L1":mailto:larry@acme.example$/),
      expect.stringMatching(/^ATTENDEE;CN=Carla Contact;.*:mailto:carla@acme.example$/),
    ]);
    expect(l).toContain('ORGANIZER;CN=Olivia Owner:mailto:olivia@crm.example');
    expect(l).toContain('TRIGGER:-PT10M');
    expect(l.some((x) => x.startsWith('BEGIN:VTIMEZONE'))).toBe(true);
    expect((await w.inner.getCalendar(OLIVIA.email)).seq).toBe(1);
    // Nothing echoed back: the CRM event was written once, by the API.
    expect(w.crm.calls.filter((c) => c === 'upsertEvent')).toHaveLength(1);
  });

  it('a CRM change gives a new etag, a bumped SEQUENCE for a new time, and no write when nothing changed', async () => {
    const w = makeWorld();
    const ev = await w.api.save(draft(OLIVIA));
    const name = `${uidForCrmId(ev.id)}.ics`;
    const before = (await w.phone.get(name))!;
    w.tick();
    await w.api.save({ ...ev, Start_DateTime: '2024-04-12T10:00:00-07:00', End_DateTime: '2024-04-12T10:30:00-07:00' });
    const after = (await w.phone.get(name))!;
    expect(after.etag).not.toBe(before.etag);
    expect(lines(after.ics)).toContain('SEQUENCE:1');
    expect(lines(after.ics)).toContain('DTSTART;TZID=America/Los_Angeles:20240412T100000');
    const seq = (await w.inner.getCalendar(OLIVIA.email)).seq;
    await w.api.save(await w.crm.getEvent(ev.id).then((e) => e!));
    expect((await w.inner.getCalendar(OLIVIA.email)).seq).toBe(seq);
  });

  it('editing a phone-made event in the CRM keeps every byte the CRM does not own', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    await w.phone.put(IOS_NAME, ics);
    const ev = await w.onlyEvent();
    await w.api.save({ ...ev, Event_Title: 'Quarterly review (moved up)' });
    const next = (await w.phone.get(IOS_NAME))!.ics;
    expect(lineDiff(ics, next)).toEqual({
      removed: ['DTSTAMP:20240402T171610Z', 'LAST-MODIFIED:20240402T171609Z', 'SUMMARY:Quarterly review with Acme'],
      added: ['DTSTAMP:20240405T120000Z', 'LAST-MODIFIED:20240405T120000Z', 'SUMMARY:Quarterly review (moved up)'],
    });
    const folded = ics.slice(ics.indexOf('X-APPLE-STRUCTURED-LOCATION'), ics.indexOf('BEGIN:VALARM'));
    expect(next).toContain(folded);
    expect(next.slice(next.indexOf('BEGIN:VALARM'))).toBe(ics.slice(ics.indexOf('BEGIN:VALARM')));
  });

  it('three alarms: the CRM reminder edits the first only, all three stay, and the phone reads it back', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    await w.phone.put(IOS_NAME, ics);
    const ev = await w.onlyEvent();
    expect(ev.Remind_At).toBe(15);
    await w.api.save({ ...ev, Remind_At: 30 });
    const next = (await w.phone.get(IOS_NAME))!.ics;
    expect(lines(next).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(3);
    expect(lineDiff(ics, next).added).toContain('TRIGGER:-PT30M');
    expect(lineDiff(ics, next).removed).toContain('TRIGGER:-PT15M');
    for (const uid of ['0B1C2D3E', '1A2B3C4D', '9F8E7D6C']) expect(next).toContain(`X-WR-ALARMUID:${uid}`);
    // The phone sends it back unchanged: the CRM keeps 30, nothing is duplicated.
    await w.phone.put(IOS_NAME, next);
    expect((await w.onlyEvent()).Remind_At).toBe(30);
    expect(lines((await w.phone.get(IOS_NAME))!.ics).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(3);
  });

  it('attendee removed in the CRM: only that ATTENDEE line leaves the phone copy', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    await w.phone.put(IOS_NAME, ics);
    const ev = await w.onlyEvent();
    await w.api.save({ ...ev, Participants: ev.Participants.filter((p) => p.type !== 'lead') });
    const diff = lineDiff(ics, (await w.phone.get(IOS_NAME))!.ics);
    expect(diff.removed.filter((l) => l.startsWith('ATTENDEE'))).toEqual([expect.stringMatching(/^ATTENDEE;CN=Larry Lead;.*mailto:Larry@Acme.example$/)]);
    expect(diff.added.filter((l) => l.startsWith('ATTENDEE'))).toEqual([]);
  });

  it('recurrence with overrides both ways: a CRM-added exception becomes a RECURRENCE-ID component, the phone override stays', async () => {
    const w = makeWorld();
    await w.phone.put('standup.ics', fixture('recurring-override.ics'));
    const ev = await w.onlyEvent();
    await w.api.save({
      ...ev,
      Recurrence_Exceptions: [...ev.Recurrence_Exceptions, { Recurrence_Id: '2024-03-25T09:00:00+01:00', Event_Title: 'Standup with CEO' }],
    });
    const next = (await w.phone.get('standup.ics'))!.ics;
    const l = lines(next);
    expect(l.filter((x) => x.startsWith('RECURRENCE-ID'))).toEqual([
      'RECURRENCE-ID;TZID=Europe/Berlin:20240318T090000',
      'RECURRENCE-ID;TZID=Europe/Berlin:20240325T090000',
    ]);
    expect(l).toContain('SUMMARY:Standup with CEO');
    expect(l).toContain('SUMMARY:Team standup (moved)');
    // And back: the phone's copy reads as the same two exceptions.
    await w.phone.put('standup.ics', next);
    expect((await w.onlyEvent()).Recurrence_Exceptions.map((x) => x.Event_Title)).toEqual(['Team standup (moved)', 'Standup with CEO']);
  });

  it('owner change moves the event to the new owner calendar', async () => {
    const w = makeWorld();
    const ev = await w.api.save(draft(OLIVIA, { Participants: participants }));
    const name = `${uidForCrmId(ev.id)}.ics`;
    expect(await w.phone.get(name)).not.toBeNull();
    await w.api.save({ ...ev, Owner: { id: UMA.id, email: UMA.email, name: UMA.name } });
    expect(await w.phone.get(name)).toBeNull();
    const moved = await w.phone.get(name, UMA.email);
    expect(moved).not.toBeNull();
    expect(lines(moved!.ics)).toContain('ORGANIZER;CN=Uma User:mailto:uma@crm.example');
    expect((await w.inner.changesSince(OLIVIA.email, 1))?.[0]).toMatchObject({ name, deleted: true });
  });

  it('owner change to a user without CalDAV removes it and creates nothing', async () => {
    const w = makeWorld();
    const ev = await w.api.save(draft(OLIVIA));
    const name = `${uidForCrmId(ev.id)}.ics`;
    await w.api.save({ ...ev, Owner: { id: NED.id, email: NED.email, name: NED.name } });
    expect(await w.phone.get(name)).toBeNull();
    expect(await w.inner.listObjects(NED.email)).toEqual([]);
  });

  it('events of users without CalDAV never touch a calendar', async () => {
    const w = makeWorld();
    await w.api.save(draft(NED, { Remind_At: 5 }));
    expect(await w.inner.listObjects(NED.email)).toEqual([]);
    expect((await w.inner.getCalendar(NED.email)).seq).toBe(0);
  });

  it('soft delete and delete through the API remove the object', async () => {
    const w = makeWorld();
    const a = await w.api.save(draft(OLIVIA));
    const b = await w.api.save(draft(OLIVIA, { Event_Title: 'Other' }));
    await w.api.save({ ...a, Deleted: true });
    expect(await w.phone.get(`${uidForCrmId(a.id)}.ics`)).toBeNull();
    await w.api.remove(b.id);
    expect(await w.inner.listObjects(OLIVIA.email)).toEqual([]);
  });

  it('a phone-made event deleted in the CRM leaves the phone calendar under its own name', async () => {
    const w = makeWorld();
    await w.phone.put(IOS_NAME, fixture('ios-event.ics'));
    await w.api.remove((await w.onlyEvent()).id);
    expect(await w.phone.get(IOS_NAME)).toBeNull();
  });

  it('a CRM-made event edited on the phone updates the same CRM event (found by its derived UID)', async () => {
    const w = makeWorld();
    const ev = await w.api.save(draft(OLIVIA, { Participants: participants }));
    const name = `${uidForCrmId(ev.id)}.ics`;
    const obj = (await w.phone.get(name))!;
    const edited = obj.ics.replace(/ATTENDEE;CN=Carla[^\r]*\r\n(?: [^\r]*\r\n)*/, '').replace('SUMMARY:Pricing call', 'SUMMARY:Pricing call (short)');
    expect((await w.phone.put(name, edited, { 'if-match': obj.etag })).status).toBe(204);
    const now = await w.onlyEvent();
    expect(now.id).toBe(ev.id);
    expect(now.Event_Title).toBe('Pricing call (short)');
    expect(now.Participants.map((p) => p.participant)).toEqual(['L1']);
    expect(now.caldav).toMatchObject({ uid: uidForCrmId(ev.id), name });
  });
});
