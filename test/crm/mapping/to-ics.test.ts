import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { crmEventToIcs, crmIdFromUid, icsToCrmEvent, PRODID, uidForCrmId } from '../../../lambda/crm/mapping';
import { CrmValidationError, type CrmEventDraft } from '../../../lambda/crm/types';
import { lineDiff, lines, lookup, NOW, owner } from './helpers';

const base: CrmEventDraft = {
  id: '4711',
  Owner: { id: owner.id, email: owner.email, name: owner.name },
  caldav: null,
  Event_Title: 'Demo for Acme',
  Start_DateTime: '2024-04-10T10:00:00-07:00',
  End_DateTime: '2024-04-10T11:00:00-07:00',
  All_day: false,
  Venue: 'Acme HQ',
  Description: 'Show the new pipeline view',
  Participants: [
    { type: 'lead', participant: 'L1', Email: 'larry@acme.example', name: 'Larry Lead' },
    { type: 'email', participant: 'x@elsewhere.example', Email: 'x@elsewhere.example' },
  ],
  Remind_At: 10,
  Recurring_Activity: null,
  Recurrence_Exceptions: [],
};

const toIcs = (ev: CrmEventDraft, previousIcs?: string) => crmEventToIcs(ev, { owner, previousIcs, now: NOW });
const vevent = (ics: string) => new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;

describe('crmEventToIcs, new events', () => {
  it('builds a complete calendar object from a CRM event', () => {
    const ics = toIcs(base);
    const l = lines(ics);
    expect(l).toContain(`PRODID:${PRODID}`);
    expect(l).toContain(`UID:${uidForCrmId('4711')}`);
    expect(l).toContain('DTSTAMP:20240405T120000Z');
    expect(l).toContain('SUMMARY:Demo for Acme');
    expect(l).toContain('DTSTART;TZID=America/Los_Angeles:20240410T100000');
    expect(l).toContain('DTEND;TZID=America/Los_Angeles:20240410T110000');
    expect(l).toContain('LOCATION:Acme HQ');
    expect(l).toContain('ORGANIZER;CN=Olivia Owner:mailto:olivia@crm.example');
    expect(l).toContain('ATTENDEE;CN=Larry Lead;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;X-CRM-RECORD="lead:L1":mailto:larry@acme.example');
    expect(l).toContain('TRIGGER:-PT10M');
    expect(l.filter((x) => x === 'BEGIN:VTIMEZONE')).toHaveLength(1);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.split('\r\n').every((x) => Buffer.byteLength(x) <= 75)).toBe(true);
  });

  it('is deterministic for a pinned clock (same CRM event, same bytes)', () => {
    expect(toIcs(base)).toBe(toIcs(base));
  });

  it('reads back to the same CRM fields', async () => {
    const ics = toIcs(base);
    const back = await icsToCrmEvent(ics, { owner, lookup });
    const { caldav: _c, id: _i, ...want } = base;
    expect(back).toMatchObject({ ...want, Participants: [{ ...base.Participants[0], status: 'NEEDS-ACTION' }, { ...base.Participants[1], status: 'NEEDS-ACTION' }] });
  });

  it('uses UTC when the CRM offset is not the owner zone, and keeps a given caldav uid', () => {
    const ics = toIcs({ ...base, caldav: { uid: 'keep-me' }, Start_DateTime: '2024-04-10T10:00:00+02:00', End_DateTime: '2024-04-10T11:00:00+02:00' });
    expect(lines(ics)).toEqual(expect.arrayContaining(['UID:keep-me', 'DTSTART:20240410T080000Z', 'DTEND:20240410T090000Z']));
    expect(ics).not.toContain('BEGIN:VTIMEZONE');
  });

  it('all-day: inclusive CRM end becomes an exclusive DATE DTEND', () => {
    const ics = toIcs({ ...base, All_day: true, Start_DateTime: '2024-05-20', End_DateTime: '2024-05-22', Remind_At: null, Participants: [] });
    expect(lines(ics)).toEqual(expect.arrayContaining(['DTSTART;VALUE=DATE:20240520', 'DTEND;VALUE=DATE:20240523']));
    expect(ics).not.toContain('VALARM');
    expect(ics).not.toContain('VTIMEZONE');
    const oneDay = toIcs({ ...base, All_day: true, Start_DateTime: '2024-05-20', End_DateTime: '2024-05-20' });
    expect(lines(oneDay)).toContain('DTEND;VALUE=DATE:20240521');
  });

  it('recurrence with EXDATE and an overridden instance', async () => {
    const ev: CrmEventDraft = {
      ...base,
      Recurring_Activity: { RRULE: 'FREQ=WEEKLY;BYDAY=WE;COUNT=5', EXDATE: ['2024-04-17T10:00:00-07:00'] },
      Recurrence_Exceptions: [{ Recurrence_Id: '2024-04-24T10:00:00-07:00', Start_DateTime: '2024-04-24T14:00:00-07:00', End_DateTime: '2024-04-24T15:00:00-07:00', Venue: 'Online' }],
    };
    const ics = toIcs(ev);
    const cal = new ICAL.Component(ICAL.parse(ics));
    const [master, override] = cal.getAllSubcomponents('vevent');
    expect(master!.getFirstPropertyValue('rrule')!.toString()).toBe('FREQ=WEEKLY;COUNT=5;BYDAY=WE');
    expect(lines(ics)).toContain('EXDATE;TZID=America/Los_Angeles:20240417T100000');
    expect(lines(ics)).toContain('RECURRENCE-ID;TZID=America/Los_Angeles:20240424T100000');
    expect(override!.getFirstPropertyValue('summary')).toBe('Demo for Acme');
    expect(override!.getFirstPropertyValue('location')).toBe('Online');
    const back = await icsToCrmEvent(ics, { owner, lookup });
    expect(back.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;COUNT=5;BYDAY=WE', EXDATE: ['2024-04-17T10:00:00-07:00'] });
    expect(back.Recurrence_Exceptions).toEqual([
      expect.objectContaining({ Recurrence_Id: '2024-04-24T10:00:00-07:00', Start_DateTime: '2024-04-24T14:00:00-07:00', Venue: 'Online', Remind_At: 10 }),
    ]);
  });

  it('an override with only a new title keeps the instance times', () => {
    const ics = toIcs({ ...base, Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=3' }, Recurrence_Exceptions: [{ Recurrence_Id: '2024-04-11T10:00:00-07:00', Event_Title: 'Day 2' }] });
    const override = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent')[1]!;
    expect(override.getFirstPropertyValue('summary')).toBe('Day 2');
    expect(lines(ics)).toEqual(expect.arrayContaining(['DTSTART;TZID=America/Los_Angeles:20240411T100000', 'DTEND;TZID=America/Los_Angeles:20240411T110000']));
  });

  it('validation errors name the field and change nothing', () => {
    const field = (ev: Partial<CrmEventDraft>) => {
      try {
        toIcs({ ...base, ...ev });
      } catch (e) {
        expect(e).toBeInstanceOf(CrmValidationError);
        return (e as CrmValidationError).field;
      }
      return null;
    };
    expect(field({ Recurring_Activity: { RRULE: 'FREQ=SOMETIMES' } })).toBe('Recurring_Activity.RRULE');
    expect(field({ Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=2;UNTIL=20240501T000000Z' } })).toBe('Recurring_Activity.RRULE');
    expect(field({ Recurring_Activity: { RRULE: 'FREQ=DAILY;BOGUS=1' } })).toBe('Recurring_Activity.RRULE');
    expect(field({ Recurring_Activity: { RRULE: 'FREQ=DAILY', EXDATE: ['tomorrow'] } })).toBe('Recurring_Activity.EXDATE[0]');
    expect(field({ End_DateTime: '2024-04-10T09:00:00-07:00' })).toBe('End_DateTime');
    expect(field({ Start_DateTime: '10/04/2024' })).toBe('Start_DateTime');
    expect(field({ All_day: true, Start_DateTime: '2024-02-30', End_DateTime: '2024-03-01' })).toBe('Start_DateTime');
    expect(field({ Participants: [{ type: 'email', participant: 'nope', Email: 'nope' }] })).toBe('Participants[0].Email');
    expect(field({ Remind_At: -5 })).toBe('Remind_At');
    expect(field({ Recurrence_Exceptions: [{ Recurrence_Id: 'x' }] })).toBe('Recurrence_Exceptions[0].Recurrence_Id');
    expect(field({ id: undefined })).toBe('id');
  });
});

describe('crmEventToIcs, editing a stored object', () => {
  const stored = toIcs(base);

  it('returns the previous text untouched when nothing the CRM owns changed', async () => {
    expect(toIcs(base, stored)).toBe(stored);
    // Also after a CRM read: representation differences (offset form, UTC vs local) do not count.
    const read = await icsToCrmEvent(stored, { owner, lookup });
    expect(toIcs({ ...read, id: '4711' }, stored)).toBe(stored);
    expect(toIcs({ ...base, Start_DateTime: '2024-04-10T17:00:00Z' }, stored)).toBe(stored);
  });

  it('moving the start keeps the TZID, bumps SEQUENCE, DTSTAMP and LAST-MODIFIED', () => {
    const later = new Date('2024-04-06T08:00:00Z');
    const next = crmEventToIcs({ ...base, Start_DateTime: '2024-04-10T10:30:00-07:00' }, { owner, previousIcs: stored, now: later });
    const diff = lineDiff(stored, next);
    expect(diff.removed.sort()).toEqual(['DTSTAMP:20240405T120000Z', 'DTSTART;TZID=America/Los_Angeles:20240410T100000', 'LAST-MODIFIED:20240405T120000Z']);
    expect(diff.added.sort()).toEqual(['DTSTAMP:20240406T080000Z', 'DTSTART;TZID=America/Los_Angeles:20240410T103000', 'LAST-MODIFIED:20240406T080000Z', 'SEQUENCE:1']);
  });

  it('turning a timed event into an all-day one', () => {
    const next = toIcs({ ...base, All_day: true, Start_DateTime: '2024-04-10', End_DateTime: '2024-04-10' }, stored);
    const ev = vevent(next);
    expect(ev.getFirstPropertyValue('dtstart')!.toString()).toBe('2024-04-10');
    expect(ev.getFirstPropertyValue('dtend')!.toString()).toBe('2024-04-11');
  });

  it('clearing venue and description removes the lines', () => {
    const next = toIcs({ ...base, Venue: null, Description: '' }, stored);
    expect(next).not.toContain('LOCATION');
    expect(next).not.toContain('DESCRIPTION:Show');
  });

  it('adding a participant appends an ATTENDEE; changing status edits PARTSTAT only', () => {
    const added = toIcs({ ...base, Participants: [...base.Participants, { type: 'contact', participant: 'C1', Email: 'carla@acme.example', name: 'Carla Contact' }] }, stored);
    expect(lineDiff(stored, added).added).toContain('ATTENDEE;CN=Carla Contact;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;X-CRM-RECORD="contact:C1":mailto:carla@acme.example');
    const accepted = toIcs({ ...base, Participants: [{ ...base.Participants[0]!, status: 'ACCEPTED' }, base.Participants[1]!] }, stored);
    expect(lineDiff(stored, accepted).added).toContain('ATTENDEE;CN=Larry Lead;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;X-CRM-RECORD="lead:L1":mailto:larry@acme.example');
  });

  it('adds a reminder to an event without one, and removes it again', () => {
    const none = toIcs({ ...base, Remind_At: null }, stored);
    expect(none).not.toContain('VALARM');
    const again = toIcs(base, none);
    expect(lines(again).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(1);
    expect(lines(again)).toContain('TRIGGER:-PT10M');
  });
});

describe('CRM-derived UIDs', () => {
  it('crmIdFromUid inverts uidForCrmId and rejects UIDs made elsewhere', () => {
    expect(crmIdFromUid(uidForCrmId('4711'))).toBe('4711');
    expect(crmIdFromUid('crm-4711@crm-caldav.example')).toBeNull();
    expect(crmIdFromUid('E6F1-iphone-uid')).toBeNull();
  });
});
