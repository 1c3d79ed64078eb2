/**
 * Round trips through both directions on realistic phone data: what the CRM does not own must
 * come back byte for byte, and an unchanged CRM record must give back the exact same text.
 */
import { describe, expect, it } from 'vitest';
import { crmEventToIcs, icsToCrmEvent } from '../../../lambda/crm/mapping';
import type { CrmEventDraft } from '../../../lambda/crm/types';
import { fixture, lineDiff, lines, lookup, NOW, owner } from './helpers';

const read = (ics: string) => icsToCrmEvent(ics, { owner, lookup });
const write = (ev: CrmEventDraft, previousIcs: string) => crmEventToIcs({ ...ev, id: 'E1' }, { owner, previousIcs, now: NOW });
const STAMPS = ['DTSTAMP:20240402T171610Z', 'LAST-MODIFIED:20240402T171609Z'];
const NEW_STAMPS = ['DTSTAMP:20240405T120000Z', 'LAST-MODIFIED:20240405T120000Z'];

describe('iOS event', () => {
  const ics = fixture('ios-event.ics');

  it('CRM-unchanged round trip gives identical bytes', async () => {
    for (const name of ['ios-event.ics', 'recurring-override.ics', 'all-day.ics']) {
      const text = fixture(name);
      expect(write(await read(text), text)).toBe(text);
    }
  });

  it('editing the title changes only SUMMARY (plus DTSTAMP/LAST-MODIFIED)', async () => {
    const next = write({ ...(await read(ics)), Event_Title: 'Quarterly review with Acme (moved up)' }, ics);
    expect(lineDiff(ics, next)).toEqual({
      removed: ['DTSTAMP:20240402T171610Z', 'LAST-MODIFIED:20240402T171609Z', 'SUMMARY:Quarterly review with Acme'],
      added: ['DTSTAMP:20240405T120000Z', 'LAST-MODIFIED:20240405T120000Z', 'SUMMARY:Quarterly review with Acme (moved up)'],
    });
    // Untouched lines keep their folding: the X-APPLE-STRUCTURED-LOCATION block is still there verbatim.
    const folded = ics.slice(ics.indexOf('X-APPLE-STRUCTURED-LOCATION'), ics.indexOf('BEGIN:VALARM'));
    expect(next).toContain(folded);
    expect(next.length - ics.length).toBe(' (moved up)'.length);
  });

  it('three alarms: Remind_At comes from the first; a CRM change edits only its TRIGGER', async () => {
    const ev = await read(ics);
    expect(ev.Remind_At).toBe(15);
    const next = write({ ...ev, Remind_At: 45 }, ics);
    expect(lineDiff(ics, next)).toEqual({ removed: [...STAMPS, 'TRIGGER:-PT15M'], added: [...NEW_STAMPS, 'TRIGGER:-PT45M'] });
    expect(lines(next).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(3);
    expect((await read(next)).Remind_At).toBe(45);
    // And back again: no duplicated alarm, the original bytes of the other two alarms.
    const back = write({ ...(await read(next)), Remind_At: 15 }, next);
    expect(lineDiff(ics, back)).toEqual({ removed: STAMPS, added: NEW_STAMPS });
  });

  it('clearing Remind_At removes the reminder alarm (the first, made on the phone) and keeps the others; re-applying writes nothing', async () => {
    const linked = await read(ics);
    const cleared = { ...linked, Remind_At: null };
    const next = write(cleared, ics);
    expect(lines(next).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(2);
    expect(lines(next).filter((l) => l.startsWith('TRIGGER'))).toEqual(lines(ics).filter((l) => l.startsWith('TRIGGER')).slice(1));
    expect(write(cleared, next)).toBe(next);
  });

  it('after the CRM cleared the reminder, a phone edit makes no other alarm the reminder; a new first alarm becomes it', async () => {
    const linked = await read(ics);
    const cleared = write({ ...linked, Remind_At: null }, ics);
    // The phone saves the cleared event with a new title: the CRM record still links the old text.
    const edited = cleared.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Renamed on the phone');
    const afterEdit = await icsToCrmEvent(edited, { owner, lookup, existing: { ...linked, Remind_At: null } });
    expect(afterEdit.Event_Title).toBe('Renamed on the phone');
    expect(afterEdit.Remind_At).toBeNull();
    // Re-applying that CRM state changes nothing on the phone.
    expect(write({ ...afterEdit, caldav: { ...afterEdit.caldav!, ics: edited } }, edited)).toBe(edited);
    // The phone adds an alarm in front of the two it kept: that one is the reminder now.
    const added = edited.replace('BEGIN:VALARM', 'BEGIN:VALARM\r\nUID:NEW-ALARM-1\r\nTRIGGER:-PT10M\r\nACTION:DISPLAY\r\nDESCRIPTION:Soon\r\nEND:VALARM\r\nBEGIN:VALARM');
    const withNew = await icsToCrmEvent(added, { owner, lookup, existing: { ...afterEdit, caldav: { ...afterEdit.caldav!, ics: edited } } });
    expect(withNew.Remind_At).toBe(10);
    // From then on the CRM edits that alarm, not the phone's others.
    const moved = write({ ...withNew, Remind_At: 25 }, added);
    expect(lineDiff(added, moved).removed).toContain('TRIGGER:-PT10M');
    expect(lineDiff(added, moved).added).toContain('TRIGGER:-PT25M');
  });

  it('clearing Remind_At removes the alarm the CRM added, and only that one', async () => {
    const noAlarms = ics.replace(/BEGIN:VALARM[\s\S]*?END:VALARM\r\n/g, '');
    // An alarm at a fixed time is the phone's own, never the CRM reminder.
    const phoneOnly = noAlarms.replace('END:VEVENT', 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;VALUE=DATE-TIME:20240401T080000Z\r\nDESCRIPTION:Heads-up\r\nEND:VALARM\r\nEND:VEVENT');
    const withCrm = write({ ...(await read(noAlarms)), Remind_At: 5 }, phoneOnly);
    expect(lines(withCrm).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(2);
    const back = write({ ...(await read(withCrm)), Remind_At: null }, withCrm);
    expect(lines(back).filter((l) => l === 'BEGIN:VALARM')).toHaveLength(1);
    expect(back).toContain('TRIGGER;VALUE=DATE-TIME:20240401T080000Z');
    expect(write({ ...(await read(back)), Remind_At: null }, back)).toBe(back);
  });

  it('attendee removed in the CRM: only that ATTENDEE line goes', async () => {
    const ev = await read(ics);
    const next = write({ ...ev, Participants: ev.Participants.filter((p) => p.type !== 'contact') }, ics);
    const diff = lineDiff(ics, next);
    expect(diff.added).toEqual(NEW_STAMPS);
    expect(diff.removed).toEqual([...STAMPS, expect.stringMatching(/^ATTENDEE;CN="Carla Contact, CFO".*:mailto:carla@acme.example$/)]);
    // The organizer's own ATTENDEE line is not a CRM participant and stays.
    expect(next).toContain('ATTENDEE;CN=Olivia Owner;');
  });

  it('attendee removed on the phone: the CRM participant goes', async () => {
    const phone = ics.replace(/ATTENDEE;CUTYPE=INDIVIDUAL;EMAIL=stranger[^\r]*\r\n(?: [^\r]*\r\n)*/, '');
    expect(phone).not.toBe(ics);
    const ev = await read(phone);
    expect(ev.Participants.map((p) => p.Email)).toEqual(['Larry@Acme.example', 'carla@acme.example']);
  });

  it('changing the venue drops the stale map pin but keeps other X-APPLE props', async () => {
    const next = write({ ...(await read(ics)), Venue: 'Acme HQ' }, ics);
    expect(next).not.toContain('X-APPLE-STRUCTURED-LOCATION');
    expect(next).toContain('X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC');
    expect(lines(next)).toContain('LOCATION:Acme HQ');
  });
});

describe('recurring event with an overridden instance', () => {
  const ics = fixture('recurring-override.ics');

  it('editing the override in the CRM changes only that VEVENT', async () => {
    const ev = await read(ics);
    const ex = ev.Recurrence_Exceptions[0]!;
    const next = write({ ...ev, Recurrence_Exceptions: [{ ...ex, Venue: 'Room 5' }] }, ics);
    const diff = lineDiff(ics, next);
    expect(diff.removed).toEqual(['DTSTAMP:20240301T091500Z', 'LOCATION:Room 4']);
    expect(diff.added.sort()).toEqual(['DTSTAMP:20240405T120000Z', 'LAST-MODIFIED:20240405T120000Z', 'LOCATION:Room 5']);
    // The series VEVENT keeps its stamp: only the edited component is re-stamped, no SEQUENCE bump.
    expect(lines(next)).toContain('DTSTAMP:20240301T090000Z');
    expect(lines(next)).toContain('SEQUENCE:1');
  });

  it('an override added in the CRM appears as a RECURRENCE-ID component and reads back', async () => {
    const ev = await read(ics);
    const next = write({
      ...ev,
      Recurrence_Exceptions: [...ev.Recurrence_Exceptions, { Recurrence_Id: '2024-03-25T09:00:00+01:00', Event_Title: 'Standup with guests', Participants: [{ type: 'lead', participant: 'L1', Email: 'larry@acme.example' }] }],
    }, ics);
    expect(lines(next)).toContain('RECURRENCE-ID;TZID=Europe/Berlin:20240325T090000');
    const back = await read(next);
    expect(back.Recurrence_Exceptions).toHaveLength(2);
    expect(back.Recurrence_Exceptions[1]).toMatchObject({
      Recurrence_Id: '2024-03-25T09:00:00+01:00',
      Event_Title: 'Standup with guests',
      Start_DateTime: '2024-03-25T09:00:00+01:00',
      End_DateTime: '2024-03-25T09:30:00+01:00',
      Remind_At: 5,
      Participants: [expect.objectContaining({ type: 'lead', participant: 'L1' })],
    });
    // The series and the first override are untouched.
    expect(next.slice(0, ics.lastIndexOf('END:VCALENDAR'))).toBe(ics.slice(0, ics.lastIndexOf('END:VCALENDAR')));
  });

  it('an override dropped in the CRM is removed; adding an EXDATE rewrites only EXDATE lines', async () => {
    const ev = await read(ics);
    const next = write({ ...ev, Recurrence_Exceptions: [], Recurring_Activity: { ...ev.Recurring_Activity!, EXDATE: ['2024-03-11T09:00:00+01:00', '2024-03-18T09:00:00+01:00'] } }, ics);
    expect(next).not.toContain('RECURRENCE-ID');
    expect(lines(next).filter((l) => l.startsWith('EXDATE'))).toEqual(['EXDATE;TZID=Europe/Berlin:20240311T090000', 'EXDATE;TZID=Europe/Berlin:20240318T090000']);
    expect(lines(next)).toContain('SEQUENCE:1');
    const back = await read(next);
    expect(back.Recurring_Activity?.EXDATE).toEqual(['2024-03-11T09:00:00+01:00', '2024-03-18T09:00:00+01:00']);
  });

  it('changing the RRULE replaces the RRULE line; removing recurrence drops it', async () => {
    const ev = await read(ics);
    const until = write({ ...ev, Recurring_Activity: { RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=12', EXDATE: ev.Recurring_Activity!.EXDATE! } }, ics);
    expect(lineDiff(ics, until).added).toContain('RRULE:FREQ=WEEKLY;COUNT=12;BYDAY=MO');
    const single = write({ ...ev, Recurring_Activity: null, Recurrence_Exceptions: [] }, ics);
    expect(single).not.toMatch(/RRULE:FREQ=WEEKLY;BYDAY=MO|EXDATE|RECURRENCE-ID/);
  });

  it('a caller that omits Recurrence_Exceptions leaves the overrides alone', async () => {
    const ev = await read(ics);
    const { Recurrence_Exceptions: _omit, ...rest } = ev;
    expect(write(rest as CrmEventDraft, ics)).toBe(ics);
  });
});

describe('all-day event', () => {
  const ics = fixture('all-day.ics');

  it('moving the last day edits DTEND only, keeping CATEGORIES', async () => {
    const ev = await read(ics);
    const next = write({ ...ev, End_DateTime: '2024-05-23' }, ics);
    expect(lineDiff(ics, next)).toEqual({
      removed: ['DTSTAMP:20240501T120000Z', 'DTEND;VALUE=DATE:20240523'],
      added: ['DTSTAMP:20240405T120000Z', 'LAST-MODIFIED:20240405T120000Z', 'SEQUENCE:1', 'DTEND;VALUE=DATE:20240524'],
    });
    expect(next).toContain('CATEGORIES:Travel');
  });
});

describe('line endings', () => {
  it('keeps LF-only files LF-only', async () => {
    const lf = fixture('all-day.ics').replace(/\r\n/g, '\n');
    const next = write({ ...(await read(lf)), Event_Title: 'Trade fair 2024' }, lf);
    expect(next).not.toContain('\r');
    expect(next).toContain('SUMMARY:Trade fair 2024\n');
  });
});
