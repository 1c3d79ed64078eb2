/** Zoho's Events records <-> the port's events, on records shaped like Zoho's published examples. */
import { describe, expect, it } from 'vitest';
import { eventFieldDefaults, type CrmEventDraft } from '../../../lambda/crm/types';
import { allDayDates, caldavIdentity, eventFromZoho, recordForZoho, remindAtOf, rruleForZoho, rruleFromZoho } from '../../../lambda/crm/zoho/mapping';

const OWNER = { id: '5725767000000411001', email: 'patriciab@zillum.com', name: 'Patricia Boyle' };
const META = { remindAt: 'reminders' as const, uidField: 'CalDAV_UID', fetchedAt: '2026-12-01T00:00:00Z' };

/** As Zoho's create example (crm-oas v8.0 createRecords request.md), read back. */
const zohoRecord = {
  id: '5725767000000524157',
  Event_Title: 'Renewal Contract Review',
  Venue: 'Zoho Conference Room',
  All_day: false,
  Start_DateTime: '2026-08-25T10:00:00-05:00',
  End_DateTime: '2026-08-25T11:00:00-05:00',
  Description: 'Review the final renewal terms',
  Owner: { name: 'Patricia Boyle', id: OWNER.id, email: 'PatriciaB@zillum.com' },
  Participants: [
    { Email: 'alice@mail.com', name: 'Alice Brown', type: 'lead', participant: '5725767000005425036' },
    { Email: 'guest@else.example', type: 'email', participant: 'guest@else.example', status: 'accepted' },
  ],
  Remind_At: [{ unit: 15, period: 'minutes' }],
  Recurring_Activity: { RRULE: 'FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=2026-10-27' },
  What_Id: { id: '5725767000000611001', name: 'Bentley Systems' },
  Created_Time: '2026-08-01T01:10:47-07:00',
  Modified_Time: '2026-08-02T01:10:47-07:00',
};

describe('Zoho record -> event', () => {
  it('reads every field the port owns, the owner as we know them, the link as given', () => {
    const link = { uid: 'ABC', name: 'ABC.ics', ics: 'BEGIN:VCALENDAR', reminders: { series: 'AL-1' } };
    const e = eventFromZoho(zohoRecord, OWNER, link, [], 'America/Chicago');
    expect(e).toMatchObject({
      id: zohoRecord.id,
      Event_Title: 'Renewal Contract Review',
      Start_DateTime: '2026-08-25T10:00:00-05:00',
      End_DateTime: '2026-08-25T11:00:00-05:00',
      All_day: false,
      Venue: 'Zoho Conference Room',
      Description: 'Review the final renewal terms',
      Remind_At: 15,
      Owner: OWNER,
      // Zoho's whole seconds in its caller's zone, as the port's UTC instants.
      Modified_Time: '2026-08-02T08:10:47.000Z',
      Created_Time: '2026-08-01T08:10:47.000Z',
      Deleted: false,
      caldav: link,
    });
    expect(e.Participants).toEqual([
      { type: 'lead', participant: '5725767000005425036', Email: 'alice@mail.com', name: 'Alice Brown' },
      { type: 'email', participant: 'guest@else.example', Email: 'guest@else.example', status: 'ACCEPTED' },
    ]);
    // UNTIL as Zoho writes it (a dashed date) becomes the end of that day, in UTC; Zoho's spelled-out INTERVAL=1 goes.
    expect(e.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261028T045959Z' });
  });

  it('reads all-day events as dates in the owner\'s zone, the end inclusive', () => {
    const berlin = 'Europe/Berlin';
    expect(allDayDates('2026-05-20T00:00:00+02:00', '2026-05-22T23:59:00+02:00', berlin)).toEqual({ Start_DateTime: '2026-05-20', End_DateTime: '2026-05-22' });
    // An end at midnight is the exclusive end of the day before.
    expect(allDayDates('2026-05-20T00:00:00+02:00', '2026-05-23T00:00:00+02:00', berlin)).toEqual({ Start_DateTime: '2026-05-20', End_DateTime: '2026-05-22' });
    expect(allDayDates('2026-05-20T00:00:00+02:00', '2026-05-20T00:00:00+02:00', berlin)).toEqual({ Start_DateTime: '2026-05-20', End_DateTime: '2026-05-20' });
    // Zoho answers in the zone of the user whose token wrote (an admin in Los Angeles): still Berlin's days.
    expect(allDayDates('2026-05-19T15:00:00-07:00', '2026-05-22T14:59:00-07:00', berlin)).toEqual({ Start_DateTime: '2026-05-20', End_DateTime: '2026-05-22' });
  });

  it('reads Remind_At in each shape Zoho uses', () => {
    expect(remindAtOf([{ unit: 2, period: 'hours' }], '2026-01-01T10:00:00Z')).toBe(120);
    expect(remindAtOf([{ unit: 1, period: 'days' }], '2026-01-01T10:00:00Z')).toBe(1440);
    expect(remindAtOf([], '2026-01-01T10:00:00Z')).toBeNull();
    expect(remindAtOf(null, '2026-01-01T10:00:00Z')).toBeNull();
    expect(remindAtOf({ ALARM: 'FREQ=NONE;ACTION=EMAILANDPOPUP;TRIGGER=DATE-TIME:2026-01-01T09:45:00+00:00' }, '2026-01-01T10:00:00Z')).toBe(15);
    expect(remindAtOf({ ALARM: 'ACTION=POPUP;TRIGGER=-PT30M' }, '2026-01-01T10:00:00Z')).toBe(30);
  });
});

describe('event -> Zoho record', () => {
  const draft = (extra: Partial<CrmEventDraft> = {}): CrmEventDraft => ({
    ...eventFieldDefaults(),
    Event_Title: 'Pricing call',
    Start_DateTime: '2026-12-10T09:00:00+01:00',
    End_DateTime: '2026-12-10T09:30:00+01:00',
    Owner: OWNER,
    Remind_At: 10,
    Participants: [{ type: 'contact', participant: 'C1', Email: 'carla@acme.example', name: 'Carla', status: 'TENTATIVE' }],
    Recurring_Activity: { RRULE: 'FREQ=DAILY;UNTIL=20261214T225959Z', EXDATE: ['2026-12-12T09:00:00+01:00'] },
    caldav: { uid: 'UID-1', name: 'UID-1.ics', ics: '' },
    ...extra,
  });

  it('writes every field the port owns, the owner on create, our identity in the unique field, no e-mail from Zoho unless asked', () => {
    const record = recordForZoho(draft(), OWNER.id, { meta: META, timeZone: 'Europe/Berlin', sendNotification: false });
    expect(record).toEqual({
      Event_Title: 'Pricing call',
      Start_DateTime: '2026-12-10T09:00:00+01:00',
      End_DateTime: '2026-12-10T09:30:00+01:00',
      All_day: false,
      Venue: null,
      Description: null,
      Participants: [{ type: 'contact', participant: 'C1', Email: 'carla@acme.example', name: 'Carla', status: 'tentative' }],
      Remind_At: [{ unit: 10, period: 'minutes' }],
      Recurring_Activity: { RRULE: 'FREQ=DAILY;UNTIL=2026-12-14', EXDATE: '2026-12-12T09:00:00+01:00' },
      $send_notification: false,
      Owner: { id: OWNER.id },
      CalDAV_UID: caldavIdentity(OWNER.email, 'UID-1'),
    });
    // An update sends no owner; What_Id is never sent, so Zoho keeps it.
    expect(recordForZoho(draft(), null, { meta: { ...META, uidField: null }, timeZone: 'Europe/Berlin', sendNotification: true })).not.toHaveProperty('Owner');
  });

  it('round-trips through Zoho: times, all-day dates, reminders, recurrence', () => {
    for (const d of [
      draft(),
      draft({ All_day: true, Start_DateTime: '2026-12-24', End_DateTime: '2026-12-26', Recurring_Activity: { RRULE: 'FREQ=YEARLY;UNTIL=20301224' } }),
      draft({ Remind_At: null, Recurring_Activity: null }),
    ]) {
      for (const meta of [META, { ...META, remindAt: 'alarm' as const }]) {
        const record = { ...recordForZoho(d, OWNER.id, { meta, timeZone: 'Europe/Berlin', sendNotification: false }), id: 'Z1', Owner: { ...OWNER }, Modified_Time: '2026-12-01T00:00:00+00:00' };
        const back = eventFromZoho(record, OWNER, d.caldav, [], 'Europe/Berlin');
        expect({ ...back, Participants: back.Participants.map(({ status: _s, ...p }) => p) }).toMatchObject({
          Start_DateTime: d.Start_DateTime,
          End_DateTime: d.End_DateTime,
          All_day: d.All_day,
          Remind_At: d.Remind_At,
          Recurring_Activity: d.Recurring_Activity && { RRULE: d.Recurring_Activity.RRULE },
        });
      }
    }
  });

  it('converts UNTIL both ways in the event\'s own offset', () => {
    expect(rruleForZoho('FREQ=WEEKLY;UNTIL=20240601T215959Z', '2024-05-01T09:00:00-07:00')).toBe('FREQ=WEEKLY;UNTIL=2024-06-01');
    expect(rruleFromZoho('FREQ=WEEKLY;UNTIL=2024-06-01', '2024-05-01T09:00:00-07:00', false)).toBe('FREQ=WEEKLY;UNTIL=20240602T065959Z');
    expect(rruleFromZoho('RRULE:FREQ=DAILY;DTSTART=2024-05-01;UNTIL=2024-06-01', '2024-05-01', true)).toBe('FREQ=DAILY;UNTIL=20240601');
    expect(rruleForZoho('FREQ=DAILY;COUNT=5', '2024-05-01T09:00:00Z')).toBe('FREQ=DAILY;COUNT=5');
  });
});
