/**
 * When a phone edit may keep the CRM record's stored span instead of computing it again
 * (crm/builtin/span.ts, unchangedSpan): only a single event whose times, all-day flag,
 * participants and reminder stay as they were.
 */
import { describe, expect, it } from 'vitest';
import { unchangedSpan } from '../../../lambda/crm/builtin/span';
import type { CrmEvent } from '../../../lambda/crm/types';
import { PAT, event } from '../../jobs/world';

const before: CrmEvent = { ...event(PAT, '2026-12-10T10:00:00+01:00', '2026-12-10T11:00:00+01:00', { Event_Title: 'first' }), id: 'e1', Created_Time: '2026-12-01T00:00:00Z', Modified_Time: '2026-12-01T00:00:00Z', Deleted: false } as CrmEvent;
const stored = { rangeStart: Date.parse('2026-12-10T09:00:00Z'), rangeEnd: Date.parse('2026-12-10T10:00:00Z') };
const edited = (fields: Partial<CrmEvent>): CrmEvent => ({ ...before, Modified_Time: '2026-12-02T00:00:00Z', ...fields });

describe('unchangedSpan', () => {
  it('keeps the stored span for a new title, venue or description', () => {
    expect(unchangedSpan(before, stored, edited({ Event_Title: 'renamed', Venue: 'Room 4', Description: 'notes' }))).toBe(stored);
  });

  it.each([
    ['a new start', { Start_DateTime: '2026-12-10T10:30:00+01:00' }],
    ['a new end', { End_DateTime: '2026-12-10T12:00:00+01:00' }],
    ['all day now', { All_day: true, Start_DateTime: '2026-12-10', End_DateTime: '2026-12-10' }],
    ['a reminder', { Remind_At: 15 }],
    ['a participant', { Participants: [{ type: 'email', participant: 'guest@example.org', Email: 'guest@example.org' }] as CrmEvent['Participants'] }],
    ['recurring now', { Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=2' } as CrmEvent['Recurring_Activity'] }],
    ['deleted', { Deleted: true }],
  ])('computes it again for %s', (_what, fields) => {
    expect(unchangedSpan(before, stored, edited(fields as Partial<CrmEvent>))).toBeNull();
  });

  it('computes it when there was no record, no stored span, or the record was recurring', () => {
    expect(unchangedSpan(null, stored, edited({}))).toBeNull();
    expect(unchangedSpan(before, null, edited({}))).toBeNull();
    const recurring = { ...before, Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=2' } } as CrmEvent;
    expect(unchangedSpan(recurring, stored, { ...recurring, Event_Title: 'renamed' })).toBeNull();
  });
});
