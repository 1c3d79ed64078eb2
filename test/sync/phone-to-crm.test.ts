import { describe, expect, it } from 'vitest';
import { OLIVIA, fixture, makeWorld } from './harness';

const IOS_UID = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C';
const IOS_NAME = `${IOS_UID}.ics`;

describe('phone -> CRM', () => {
  it('a PUT creates the CRM event before answering: linked lead and contact, bare e-mail, reminder, owner', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    expect((await w.phone.put(IOS_NAME, ics, { 'if-none-match': '*' })).status).toBe(201);
    const ev = await w.onlyEvent();
    expect(ev).toMatchObject({
      Event_Title: 'Quarterly review with Acme',
      Start_DateTime: '2024-04-10T10:00:00-07:00',
      End_DateTime: '2024-04-10T11:00:00-07:00',
      Remind_At: 15,
      Owner: { id: OLIVIA.id, email: OLIVIA.email },
      caldav: { uid: IOS_UID, name: IOS_NAME, ics },
    });
    expect(ev.Participants).toEqual([
      expect.objectContaining({ type: 'lead', participant: 'L1', Email: 'Larry@Acme.example' }),
      expect.objectContaining({ type: 'contact', participant: 'C1', Email: 'carla@acme.example' }),
      expect.objectContaining({ type: 'email', participant: 'stranger@elsewhere.example', status: 'TENTATIVE' }),
    ]);
    expect(await w.outbox.list()).toEqual([]);
  });

  it('an update changes the same CRM event; an identical re-PUT writes nothing to the CRM', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    await w.phone.put(IOS_NAME, ics);
    const first = await w.onlyEvent();
    await w.phone.put(IOS_NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Q2 review'));
    const second = await w.onlyEvent();
    expect(second.id).toBe(first.id);
    expect(second.Event_Title).toBe('Q2 review');
    const writes = w.crm.calls.filter((c) => c === 'upsertEvent').length;
    await w.phone.put(IOS_NAME, (await w.phone.get(IOS_NAME))!.ics);
    expect(w.crm.calls.filter((c) => c === 'upsertEvent').length).toBe(writes);
  });

  it('a DELETE deletes the CRM event', async () => {
    const w = makeWorld();
    await w.phone.put(IOS_NAME, fixture('ios-event.ics'));
    const { id } = await w.onlyEvent();
    expect((await w.phone.delete(IOS_NAME)).status).toBe(204);
    expect(await w.crm.listEvents(OLIVIA.email)).toEqual([]);
    expect((await w.crm.getEvent(id))?.Deleted).toBe(true);
  });

  it('attendee removed on the phone leaves the CRM participants', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    await w.phone.put(IOS_NAME, ics);
    const withoutCarla = ics.replace(/ATTENDEE;CN="Carla Contact, CFO"[^\r]*\r\n(?: [^\r]*\r\n)*/, '');
    expect(withoutCarla).not.toBe(ics);
    await w.phone.put(IOS_NAME, withoutCarla);
    expect((await w.onlyEvent()).Participants.map((p) => p.participant)).toEqual(['L1', 'stranger@elsewhere.example']);
  });

  it('recurrence with an overridden instance reaches the CRM', async () => {
    const w = makeWorld();
    await w.phone.put('standup.ics', fixture('recurring-override.ics'));
    const ev = await w.onlyEvent();
    expect(ev.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10', EXDATE: ['2024-03-11T09:00:00+01:00'] });
    expect(ev.Recurrence_Exceptions).toEqual([
      expect.objectContaining({ Recurrence_Id: '2024-03-18T09:00:00+01:00', Event_Title: 'Team standup (moved)', Start_DateTime: '2024-03-18T10:00:00+01:00', Venue: 'Room 4' }),
    ]);
    expect(ev.Remind_At).toBe(5);
  });

  it('a calendar whose owner is not a CRM user is stored without CRM writes or outbox entries', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    expect((await w.phone.put(IOS_NAME, ics, {}, 'someone@else.example')).status).toBe(201);
    expect(w.crm.calls).not.toContain('upsertEvent');
    expect(await w.outbox.list()).toEqual([]);
  });
});
