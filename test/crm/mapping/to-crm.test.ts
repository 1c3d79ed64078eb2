import { describe, expect, it } from 'vitest';
import { icsToCrmEvent } from '../../../lambda/crm/mapping';
import { CrmValidationError, type CrmEvent } from '../../../lambda/crm/types';
import { fixture, lookup, owner } from './helpers';

const wrap = (vevent: string, extra = '') =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', extra, 'BEGIN:VEVENT', 'UID:t-1', 'DTSTAMP:20240101T000000Z', vevent, 'END:VEVENT', 'END:VCALENDAR', '']
    .join('\r\n')
    .replace(/\r\n\r\n/g, '\r\n');

const toCrm = (ics: string) => icsToCrmEvent(ics, { owner, lookup });

describe('icsToCrmEvent', () => {
  it('maps an iOS event: text, TZID times, participants, first reminder, link', async () => {
    const ics = fixture('ios-event.ics');
    const ev = await toCrm(ics);
    expect(ev).toMatchObject({
      Event_Title: 'Quarterly review with Acme',
      All_day: false,
      Start_DateTime: '2024-04-10T10:00:00-07:00',
      End_DateTime: '2024-04-10T11:00:00-07:00',
      Venue: 'Blue Bottle Coffee\n66 Mint St, San Francisco, CA 94103, United States',
      Description: 'Bring the Q1 numbers.\nAgenda: pricing, renewal.',
      Remind_At: 15,
      Recurring_Activity: null,
      Recurrence_Exceptions: [],
      Owner: { id: 'u1', email: 'olivia@crm.example', name: 'Olivia Owner' },
      caldav: { uid: '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C', ics },
    });
    // The organizer (the owner) is not a participant; matching ignores case.
    expect(ev.Participants).toEqual([
      { type: 'lead', participant: 'L1', Email: 'Larry@Acme.example', name: 'Larry Lead', status: 'NEEDS-ACTION' },
      { type: 'contact', participant: 'C1', Email: 'carla@acme.example', name: 'Carla Contact, CFO', status: 'ACCEPTED' },
      { type: 'email', participant: 'stranger@elsewhere.example', Email: 'stranger@elsewhere.example', status: 'TENTATIVE' },
    ]);
  });

  it('links users and takes the name from the CRM when the attendee has no CN', async () => {
    const ev = await toCrm(wrap('DTSTART:20240410T170000Z\r\nATTENDEE:mailto:UMA@crm.example'));
    expect(ev.Participants).toEqual([{ type: 'user', participant: 'u2', Email: 'UMA@crm.example', name: 'Uma User' }]);
  });

  it('accepts an async lookup', async () => {
    const ev = await icsToCrmEvent(wrap('DTSTART:20240410T170000Z\r\nATTENDEE:mailto:larry@acme.example'), {
      owner,
      lookup: async (e) => lookup(e),
    });
    expect(ev.Participants[0]).toMatchObject({ type: 'lead', participant: 'L1' });
  });

  it('all-day: DATE values, exclusive DTEND becomes an inclusive End_DateTime', async () => {
    const ev = await toCrm(fixture('all-day.ics'));
    expect(ev).toMatchObject({ All_day: true, Start_DateTime: '2024-05-20', End_DateTime: '2024-05-22' });
    const one = await toCrm(wrap('DTSTART;VALUE=DATE:20240520'));
    expect(one).toMatchObject({ All_day: true, Start_DateTime: '2024-05-20', End_DateTime: '2024-05-20' });
    const dur = await toCrm(wrap('DTSTART;VALUE=DATE:20240520\r\nDURATION:P2D'));
    expect(dur.End_DateTime).toBe('2024-05-21');
  });

  it('UTC and floating times are shown in the owner zone; DURATION gives the end', async () => {
    const utc = await toCrm(wrap('DTSTART:20240110T170000Z\r\nDURATION:PT90M'));
    expect(utc).toMatchObject({ Start_DateTime: '2024-01-10T09:00:00-08:00', End_DateTime: '2024-01-10T10:30:00-08:00' });
    const floating = await toCrm(wrap('DTSTART:20240710T090000\r\nDTEND:20240710T100000'));
    expect(floating).toMatchObject({ Start_DateTime: '2024-07-10T09:00:00-07:00', End_DateTime: '2024-07-10T10:00:00-07:00' });
    const none = await toCrm(wrap('DTSTART:20240110T170000Z'));
    expect(none.End_DateTime).toBe(none.Start_DateTime);
  });

  it('a TZID without VTIMEZONE falls back to the IANA zone', async () => {
    const ev = await toCrm(wrap('DTSTART;TZID=Asia/Tokyo:20240110T090000\r\nDTEND;TZID=Asia/Tokyo:20240110T100000'));
    expect(ev).toMatchObject({ Start_DateTime: '2024-01-10T09:00:00+09:00', End_DateTime: '2024-01-10T10:00:00+09:00' });
  });

  it('the VTIMEZONE in the file wins over the IANA name', async () => {
    const vtz = ['BEGIN:VTIMEZONE', 'TZID:Custom', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0300', 'TZOFFSETTO:+0300', 'END:STANDARD', 'END:VTIMEZONE'].join('\r\n');
    const ev = await toCrm(wrap('DTSTART;TZID=Custom:20240110T090000', vtz));
    expect(ev.Start_DateTime).toBe('2024-01-10T09:00:00+03:00');
  });

  it('reminder: first DISPLAY/AUDIO alarm with a relative trigger before the start', async () => {
    const alarm = (trigger: string, action = 'DISPLAY') => `BEGIN:VALARM\r\nACTION:${action}\r\nDESCRIPTION:x\r\nTRIGGER${trigger}\r\nEND:VALARM`;
    const read = async (...alarms: string[]) => (await toCrm(wrap(['DTSTART:20240110T170000Z', ...alarms].join('\r\n')))).Remind_At;
    expect(await read()).toBeNull();
    expect(await read(alarm(':-P1D'))).toBe(1440);
    expect(await read(alarm(':PT0S'))).toBe(0);
    expect(await read(alarm(';VALUE=DATE-TIME:20240110T160000Z'), alarm(':-PT10M'))).toBe(10);
    expect(await read(alarm(';RELATED=END:-PT5M'), alarm(':-PT20M'))).toBe(20);
    expect(await read(alarm(':-PT5M', 'EMAIL'), alarm(':-PT30M', 'AUDIO'))).toBe(30);
    expect(await read(alarm(':PT5M'))).toBeNull();
  });

  it('recurrence: RRULE, EXDATE in the event zone, overridden instance', async () => {
    const ev = await toCrm(fixture('recurring-override.ics'));
    expect(ev.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10', EXDATE: ['2024-03-11T09:00:00+01:00'] });
    expect(ev.Remind_At).toBe(5);
    expect(ev.Recurrence_Exceptions).toEqual([
      {
        Recurrence_Id: '2024-03-18T09:00:00+01:00',
        Event_Title: 'Team standup (moved)',
        All_day: false,
        Start_DateTime: '2024-03-18T10:00:00+01:00',
        End_DateTime: '2024-03-18T10:30:00+01:00',
        Venue: 'Room 4',
        Description: null,
        Participants: [],
        Remind_At: null,
      },
    ]);
  });

  it('all-day recurrence keeps dates', async () => {
    const ev = await toCrm(wrap('DTSTART;VALUE=DATE:20240101\r\nRRULE:FREQ=YEARLY\r\nEXDATE;VALUE=DATE:20250101\r\nRDATE;VALUE=DATE:20240704'));
    expect(ev.Recurring_Activity).toEqual({ RRULE: 'FREQ=YEARLY', EXDATE: ['2025-01-01'], RDATE: ['2024-07-04'] });
  });

  it('a bad RRULE is a validation error naming the field', async () => {
    const err = await toCrm(wrap('DTSTART:20240110T170000Z\r\nRRULE:INTERVAL=2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmValidationError);
    expect((err as CrmValidationError).field).toBe('RRULE');
  });

  it('unparsable values become a validation error, not a parser crash', async () => {
    await expect(toCrm(wrap('DTSTART:2024'))).rejects.toMatchObject({ name: 'CrmValidationError', field: 'ics' });
  });

  it('rejects files without a VEVENT or DTSTART', async () => {
    await expect(toCrm('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n')).rejects.toBeInstanceOf(CrmValidationError);
    await expect(toCrm(wrap('SUMMARY:x'))).rejects.toMatchObject({ field: 'DTSTART' });
  });

  it('keeps id, owner and timestamps of the existing record', async () => {
    const existing: CrmEvent = {
      id: 'E9',
      Owner: { id: 'u1', email: owner.email, name: owner.name },
      Created_Time: '2024-01-01T00:00:00Z',
      Modified_Time: '2024-01-02T00:00:00Z',
      Deleted: false,
      caldav: { uid: 't-1', name: 't-1.ics', ics: 'old' },
      Event_Title: 'old',
      Start_DateTime: '2024-01-01T00:00:00Z',
      End_DateTime: '2024-01-01T00:00:00Z',
      All_day: false,
      Venue: 'old',
      Description: null,
      Participants: [],
      Remind_At: null,
      Recurring_Activity: null,
      Recurrence_Exceptions: [],
    };
    const ics = wrap('DTSTART:20240110T170000Z\r\nSUMMARY:new');
    const ev = await icsToCrmEvent(ics, { owner, lookup, existing });
    expect(ev).toMatchObject({ id: 'E9', Created_Time: '2024-01-01T00:00:00Z', Event_Title: 'new', Venue: null, caldav: { uid: 't-1', name: 't-1.ics', ics } });
  });
});
