import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { apiOn, event } from './harness';

let t: TestTables;
let h: Awaited<ReturnType<typeof apiOn>>;
let existing: { id: string; Modified_Time: string };
beforeAll(async () => {
  t = await freshTables();
  h = await apiOn(t);
  existing = (await h.call('POST', '/crm/v1/events', { body: event() })).json.data;
});
afterAll(async () => {
  await t?.drop();
});

/** Every refusal: 400, a JSON error naming the field, and no trace of a write anywhere. */
async function refused(method: string, path: string, body: unknown, field: string, code = 'INVALID_DATA') {
  const feedBefore = (await h.crm.listChangesSince(null)).nextCursor;
  const listenerBefore = h.listener.calls.length;
  const stored = await h.crm.getEvent(existing.id);
  const res = await h.call(method, path, { body });
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  expect(res.json.error.code).toBe(code);
  if (code === 'INVALID_DATA') expect(res.json.error.field).toBe(field);
  expect(typeof res.json.error.message).toBe('string');
  expect(JSON.stringify(res.json)).not.toMatch(/\bat .+\.ts:\d+/);
  expect((await h.crm.listChangesSince(null)).nextCursor).toBe(feedBefore);
  expect(h.listener.calls.length).toBe(listenerBefore);
  expect(await h.crm.getEvent(existing.id)).toEqual(stored);
}

describe('bad event input gets a 400 naming the field and changes nothing', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['unknown field', { Colour: 'red' }, 'Colour'],
    ['end before start', { End_DateTime: '2024-05-06T09:00:00+02:00' }, 'End_DateTime'],
    ['all-day end before start', { All_day: true, Start_DateTime: '2024-05-10', End_DateTime: '2024-05-09' }, 'End_DateTime'],
    ['start not a date-time', { Start_DateTime: 'next tuesday' }, 'Start_DateTime'],
    ['all-day with a time', { All_day: true }, 'Start_DateTime'],
    ['malformed participant e-mail', { Participants: [{ Email: 'not an email' }] }, 'Participants[0].Email'],
    ['unknown participant field', { Participants: [{ Email: 'a@b.example', role: 'chair' }] }, 'Participants[0].role'],
    ['bad participant status', { Participants: [{ Email: 'a@b.example', status: 'MAYBE' }] }, 'Participants[0].status'],
    ['bad RRULE', { Recurring_Activity: { RRULE: 'FREQ=FORTNIGHTLY' } }, 'Recurring_Activity.RRULE'],
    ['RRULE with junk', { Recurring_Activity: { RRULE: 'FREQ=DAILY;BANANA=1' } }, 'Recurring_Activity.RRULE'],
    ['RRULE with COUNT and UNTIL', { Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=2;UNTIL=20250101T000000Z' } }, 'Recurring_Activity.RRULE'],
    ['recurrence without RRULE', { Recurring_Activity: { EXDATE: [] } }, 'Recurring_Activity.RRULE'],
    ['wrong type: title', { Event_Title: 42 }, 'Event_Title'],
    ['empty title', { Event_Title: '  ' }, 'Event_Title'],
    ['wrong type: All_day', { All_day: 'yes' }, 'All_day'],
    ['wrong type: Remind_At', { Remind_At: '15' }, 'Remind_At'],
    ['negative Remind_At', { Remind_At: -5 }, 'Remind_At'],
    ['wrong type: Participants', { Participants: 'a@b.example' }, 'Participants'],
    ['wrong type: Venue', { Venue: ['x'] }, 'Venue'],
    ['unknown owner', { Owner: 'nobody@crm.example' }, 'Owner'],
    ['malformed owner', { Owner: 'not-an-email' }, 'Owner'],
  ];

  it.each(cases)('POST: %s', async (_label, fields, field) => {
    await refused('POST', '/crm/v1/events', event(fields), field);
  });

  it.each(cases)('PATCH: %s', async (_label, fields, field) => {
    await refused('PATCH', `/crm/v1/events/${existing.id}`, fields, field);
  });

  it('PUT without a required field', async () => {
    await refused('PUT', `/crm/v1/events/${existing.id}`, { Event_Title: 'x', Start_DateTime: '2024-05-06T10:00:00+02:00' }, 'End_DateTime');
  });

  it('bodies that are not a JSON object', async () => {
    await refused('POST', '/crm/v1/events', '{"Event_Title": ', '', 'INVALID_JSON');
    await refused('POST', '/crm/v1/events', '[1,2]', '', 'INVALID_JSON');
  });

  it('a client id with characters outside the allowed set', async () => {
    await refused('POST', '/crm/v1/events/bad%20id', event(), 'id');
  });
});

describe('read-only fields', () => {
  it('accepts what GET returned (PUT it back) and ignores id, timestamps and the CalDAV link', async () => {
    const got = (await h.call('GET', `/crm/v1/events/${existing.id}`)).json.data;
    const res = await h.call('PUT', `/crm/v1/events/${existing.id}`, { body: { ...got, id: 'other', Created_Time: '1999-01-01T00:00:00Z', Deleted: true } });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ id: existing.id, Created_Time: got.Created_Time, Deleted: false });
    existing = res.json.data;
  });
});

describe('content type', () => {
  it('refuses a non-JSON body type with 415', async () => {
    const res = await h.call('POST', '/crm/v1/events', { body: 'Event_Title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
