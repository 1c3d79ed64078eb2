/**
 * The switches for behaviours Zoho's sources leave open (docs/zoho-simulator.md): each changes
 * what the simulator does, so a connector can be tested against either reading.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT, connect, type Api } from './client';

let api: Api | undefined;
afterEach(async () => {
  await api?.sim.stop();
  api = undefined;
});

describe('simulator options', () => {
  it('unknownFields: ignore drops unknown fields instead of refusing the record', async () => {
    api = await connect({ unknownFields: 'ignore' });
    const answer = await api.call('POST', '/Events', { body: { data: [{ ...EVENT, Colour: 'red' }] } });
    expect(answer.status).toBe(201);
    expect(api.sim.state.records('Events')[0]).not.toHaveProperty('Colour');
  });

  it('enforceApiUpdate refuses changing Recurring_Activity after create, as its metadata says', async () => {
    api = await connect({ enforceApiUpdate: true });
    const event = api.sim.state.addEvent({ ...EVENT, Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=3' } });
    const answer = await api.call('PUT', `/Events/${event.id}`, { body: { data: [{ Recurring_Activity: { RRULE: 'FREQ=DAILY;COUNT=5' } }] } });
    expect(answer.status).toBe(400);
    expect(answer.body.data[0]).toMatchObject({ code: 'NOT_ALLOWED', details: { api_name: 'Recurring_Activity' } });
    expect((await api.call('PUT', `/Events/${event.id}`, { body: { data: [{ Venue: 'ok' }] } })).status).toBe(200);
  });

  it('deleteMode: permanent leaves nameless permanent entries in /deleted', async () => {
    api = await connect({ deleteMode: 'permanent' });
    const event = api.sim.state.addEvent(EVENT);
    await api.call('DELETE', `/Events/${event.id}`);
    const deleted = await api.get('/Events/deleted');
    expect(deleted.body.data[0]).toMatchObject({ id: event.id, type: 'permanent', deleted_by: null, display_name: null });
  });

  it('timeZone decides the offset of every date-time Zoho writes', async () => {
    api = await connect({ timeZone: 'Asia/Kolkata', startAt: Date.parse('2026-01-15T12:00:00Z') });
    const created = await api.call('POST', '/Events', { body: { data: [EVENT] } });
    expect(created.body.data[0].details.Created_Time).toBe('2026-01-15T17:30:00+05:30');
    expect((await api.get(`/Events/${created.body.data[0].details.id}`)).body.data[0].Start_DateTime).toBe('2026-08-25T20:30:00+05:30');
  });

  it('answers in the calling user\'s zone, not the org\'s or the writer\'s', async () => {
    api = await connect({ timeZone: 'America/Los_Angeles', admin: { email: 'patriciab@zillum.com', firstName: 'Patricia', lastName: 'Boyle', timeZone: 'Europe/Berlin' } });
    const created = await api.call('POST', '/Events', { body: { data: [EVENT] } });
    const read = (await api.get(`/Events/${created.body.data[0].details.id}`)).body.data[0];
    expect(read.Start_DateTime).toBe('2026-08-25T17:00:00+02:00');
    expect(api.sim.state.records('Events')[0]!.Start_DateTime).toBe('2026-08-25T08:00:00-07:00');
    expect((await api.get('/users?type=CurrentUser')).body.users[0].time_zone).toBe('Europe/Berlin');
  });

  it('heavyConcurrency caps writes of more than 10 records apart from other calls', async () => {
    api = await connect({ heavyConcurrency: 1 });
    api.sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'hang' });
    const abort = new AbortController();
    const eleven = { data: Array.from({ length: 11 }, () => EVENT) };
    const first = api.call('POST', '/Events', { body: eleven, signal: abort.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    expect((await api.call('POST', '/Events', { body: eleven })).status).toBe(429);
    expect((await api.call('POST', '/Events', { body: { data: [EVENT] } })).status).toBe(201);
    abort.abort();
    await first;
  });
});
