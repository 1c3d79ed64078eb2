import { beforeEach, describe, expect, it } from 'vitest';
import { OLIVIA, UMA, useFreshApi, type ApiHarness, event } from './harness';

let h: ApiHarness;
useFreshApi((api) => (h = api));
beforeEach(() => {
  h.listener.calls.length = 0;
  h.listener.fail = false;
});

describe('create', () => {
  it('answers 201 with the event, its ETag and Location, owned by the caller, and tells the listener', async () => {
    const res = await h.call('POST', '/crm/v1/events', { body: event({ Remind_At: 15, Venue: 'Room 4' }) });
    expect(res.status).toBe(201);
    const e = res.json.data;
    expect(e).toMatchObject({ Event_Title: 'Quarterly review', Remind_At: 15, Venue: 'Room 4', All_day: false, Deleted: false, Participants: [], Owner: { email: OLIVIA.email, name: 'Olivia Owner' } });
    expect(res.headers.etag).toBe(`"${e.Modified_Time}"`);
    expect(res.headers.location).toBe(`/crm/v1/events/${e.id}`);
    expect(h.listener.calls).toEqual([{ kind: 'saved', after: expect.objectContaining({ id: e.id }), before: null }]);
    expect((await h.call('GET', `/crm/v1/events/${e.id}`)).json.data).toEqual(e);
  });

  it('links participants: lead before contact before user, a bare e-mail otherwise, explicit links checked', async () => {
    const lead = (await h.call('POST', '/crm/v1/leads', { as: 'admin', body: { Last_Name: 'Lead', First_Name: 'Larry', Email: 'larry@acme.example' } })).json.data;
    const contact = (await h.call('POST', '/crm/v1/contacts', { as: 'admin', body: { Last_Name: 'Contact', Email: 'carla@acme.example' } })).json.data;
    const res = await h.call('POST', '/crm/v1/events', {
      body: event({
        Participants: [
          { Email: 'LARRY@acme.example' },
          { Email: 'carla@acme.example', status: 'ACCEPTED' },
          { Email: UMA.email },
          { Email: 'stranger@else.example', name: 'Stranger' },
          { type: 'contact', participant: contact.id, Email: 'carla@acme.example' },
        ],
      }),
    });
    expect(res.status).toBe(201);
    expect(res.json.data.Participants).toEqual([
      { type: 'lead', participant: lead.id, Email: 'LARRY@acme.example', name: 'Larry Lead' },
      { type: 'contact', participant: contact.id, Email: 'carla@acme.example', name: 'Contact', status: 'ACCEPTED' },
      { type: 'user', participant: UMA.email, Email: UMA.email, name: 'Uma User' },
      { type: 'email', participant: 'stranger@else.example', Email: 'stranger@else.example', name: 'Stranger' },
      { type: 'contact', participant: contact.id, Email: 'carla@acme.example' },
    ]);
    const bad = await h.call('POST', '/crm/v1/events', { body: event({ Participants: [{ type: 'lead', participant: 'no-such-lead', Email: 'x@y.example' }] }) });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'INVALID_DATA', field: 'Participants[0].participant' });
  });

  it('creates under a client-chosen id once; a repeat is a 409', async () => {
    const first = await h.call('POST', '/crm/v1/events/client-id-1', { body: event() });
    expect(first.status).toBe(201);
    expect(first.json.data.id).toBe('client-id-1');
    const again = await h.call('POST', '/crm/v1/events/client-id-1', { body: event({ Event_Title: 'dup' }) });
    expect(again.status).toBe(409);
    expect((await h.call('GET', '/crm/v1/events/client-id-1')).json.data.Event_Title).toBe('Quarterly review');
  });

  it('keeps an all-day event with inclusive end and a recurring one with exceptions', async () => {
    const allDay = await h.call('POST', '/crm/v1/events', { body: event({ All_day: true, Start_DateTime: '2024-05-10', End_DateTime: '2024-05-11' }) });
    expect(allDay.status).toBe(201);
    const rec = await h.call('POST', '/crm/v1/events', {
      body: event({
        Recurring_Activity: { RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=5', EXDATE: ['2024-05-13T10:00:00+02:00'] },
        Recurrence_Exceptions: [{ Recurrence_Id: '2024-05-20T10:00:00+02:00', Event_Title: 'Moved', Start_DateTime: '2024-05-21T10:00:00+02:00', End_DateTime: '2024-05-21T11:00:00+02:00' }],
      }),
    });
    expect(rec.status).toBe(201);
    expect(rec.json.data.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;BYDAY=MO;COUNT=5', EXDATE: ['2024-05-13T10:00:00+02:00'] });
    expect(rec.json.data.Recurrence_Exceptions).toHaveLength(1);
  });
});

describe('update and delete', () => {
  async function created(extra: Record<string, unknown> = {}) {
    const res = await h.call('POST', '/crm/v1/events', { body: event(extra) });
    h.listener.calls.length = 0;
    return res.json.data;
  }

  it('PUT replaces every field (absent ones return to defaults) and PATCH changes only those given', async () => {
    const e = await created({ Venue: 'Room 1', Remind_At: 10 });
    const put = await h.call('PUT', `/crm/v1/events/${e.id}`, { body: { ...e, Event_Title: 'Replaced', Venue: undefined, Remind_At: undefined } });
    expect(put.status).toBe(200);
    expect(put.json.data).toMatchObject({ Event_Title: 'Replaced', Venue: null, Remind_At: null, Created_Time: e.Created_Time });
    const patch = await h.call('PATCH', `/crm/v1/events/${e.id}`, { body: { Description: 'Agenda' } });
    expect(patch.json.data).toMatchObject({ Event_Title: 'Replaced', Description: 'Agenda' });
    expect(patch.json.data.Modified_Time > put.json.data.Modified_Time).toBe(true);
    expect(h.listener.calls.map((c) => c.kind)).toEqual(['saved', 'saved']);
    const [first, second] = h.listener.calls as Array<{ after: { Event_Title: string }; before: { Event_Title: string } }>;
    expect([first.before.Event_Title, first.after.Event_Title]).toEqual(['Quarterly review', 'Replaced']);
    expect(second.before).toMatchObject({ Event_Title: 'Replaced', Description: null });
  });

  it('applies a write whose If-Match is current; a stale one is a 409 that changes nothing', async () => {
    const e = await created();
    const ok = await h.call('PATCH', `/crm/v1/events/${e.id}`, { body: { Venue: 'A' }, headers: { 'if-match': `"${e.Modified_Time}"` } });
    expect(ok.status).toBe(200);
    const stale = await h.call('PATCH', `/crm/v1/events/${e.id}`, { body: { Venue: 'B' }, headers: { 'if-match': `"${e.Modified_Time}"` } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('CONFLICT');
    expect(stale.headers.etag).toBe(ok.headers.etag);
    const del = await h.call('DELETE', `/crm/v1/events/${e.id}`, { headers: { 'if-match': e.Modified_Time } });
    expect(del.status).toBe(409);
    expect((await h.call('GET', `/crm/v1/events/${e.id}`)).json.data.Venue).toBe('A');
    expect(h.listener.calls).toHaveLength(1);
  });

  it('DELETE soft-deletes: 204, the listener gets the record as it was, then 404 everywhere', async () => {
    const e = await created({ Venue: 'Gone soon' });
    const del = await h.call('DELETE', `/crm/v1/events/${e.id}`, { headers: { 'if-match': `"${e.Modified_Time}"` } });
    expect(del.status).toBe(204);
    expect(h.listener.calls).toEqual([{ kind: 'deleted', before: expect.objectContaining({ id: e.id, Venue: 'Gone soon', Deleted: false }) }]);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await h.call(method, `/crm/v1/events/${e.id}`, method === 'PATCH' ? { body: {} } : {});
      expect(res.status, method).toBe(404);
    }
    expect((await h.crm.getEvent(e.id))?.Deleted).toBe(true);
  });

  it('moves an event to another owner', async () => {
    const e = await created();
    const res = await h.call('PATCH', `/crm/v1/events/${e.id}`, { body: { Owner: UMA.email } });
    expect(res.json.data.Owner.email).toBe(UMA.email);
    const call = h.listener.calls[0] as { before: { Owner: { email: string } }; after: { Owner: { email: string } } };
    expect([call.before.Owner.email, call.after.Owner.email]).toEqual([OLIVIA.email, UMA.email]);
    expect((await h.call('GET', `/crm/v1/events/${e.id}`)).status).toBe(404);
    expect((await h.call('GET', `/crm/v1/events/${e.id}`, { as: UMA })).status).toBe(200);
  });

  it('answers the write even when the listener fails, and logs it', async () => {
    const e = await created();
    h.listener.fail = true;
    const res = await h.call('PATCH', `/crm/v1/events/${e.id}`, { body: { Venue: 'x' } });
    expect(res.status).toBe(200);
    expect(h.logs.at(-1)).toMatchObject({ level: 'error', message: 'CRM event listener failed', fields: { id: e.id } });
  });
});

describe('who sees what', () => {
  it('hides other users’ events and refuses listing them; the admin sees and lists everyone', async () => {
    const e = (await h.call('POST', '/crm/v1/events', { body: event({ Event_Title: 'olivia only' }) })).json.data;
    expect((await h.call('GET', `/crm/v1/events/${e.id}`, { as: UMA })).status).toBe(404);
    expect((await h.call('PATCH', `/crm/v1/events/${e.id}`, { as: UMA, body: { Venue: 'x' } })).status).toBe(404);
    expect((await h.call('DELETE', `/crm/v1/events/${e.id}`, { as: UMA })).status).toBe(404);
    expect((await h.call('GET', '/crm/v1/events', { as: UMA, query: { owner: OLIVIA.email } })).status).toBe(403);
    expect((await h.call('GET', '/crm/v1/events', { as: UMA })).json.data.map((x: { id: string }) => x.id)).not.toContain(e.id);
    expect((await h.call('GET', `/crm/v1/events/${e.id}`, { as: 'admin' })).status).toBe(200);
    const all = await h.call('GET', '/crm/v1/events', { as: 'admin' });
    expect(all.json.data.map((x: { id: string }) => x.id)).toContain(e.id);
  });

  it('refuses a user creating an event for someone else; the admin must name the owner', async () => {
    expect((await h.call('POST', '/crm/v1/events', { as: UMA, body: event({ Owner: OLIVIA.email }) })).status).toBe(403);
    const noOwner = await h.call('POST', '/crm/v1/events', { as: 'admin', body: event() });
    expect(noOwner.json.error).toMatchObject({ code: 'INVALID_DATA', field: 'Owner' });
    const ok = await h.call('POST', '/crm/v1/events', { as: 'admin', body: event({ Owner: { email: UMA.email } }) });
    expect(ok.status).toBe(201);
    expect(ok.json.data.Owner.email).toBe(UMA.email);
  });
});

describe('listing', () => {
  it('lists by owner and date range, and by modified_since including deletions', async () => {
    const { call } = h;
    const owner = (await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'lister@crm.example', timeZone: 'UTC' } })).json.data.email;
    const mk = async (title: string, start: string, end: string) =>
      (await call('POST', '/crm/v1/events', { as: 'admin', body: event({ Owner: owner, Event_Title: title, Start_DateTime: start, End_DateTime: end }) })).json.data;
    const jan = await mk('jan', '2024-01-10T09:00:00Z', '2024-01-10T10:00:00Z');
    await mk('feb', '2024-02-10T09:00:00Z', '2024-02-10T10:00:00Z');
    const range = await call('GET', '/crm/v1/events', { as: 'admin', query: { owner, from: '2024-02-01T00:00:00Z', to: '2024-03-01T00:00:00Z' } });
    expect(range.json.data.map((e: { Event_Title: string }) => e.Event_Title)).toEqual(['feb']);
    expect(range.json.info).toEqual({ count: 1 });
    const mark = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await call('DELETE', `/crm/v1/events/${jan.id}`, { as: 'admin' });
    const since = await call('GET', '/crm/v1/events', { as: 'admin', query: { owner, modified_since: mark } });
    expect(since.json.data.map((e: { id: string; Deleted: boolean }) => [e.id, e.Deleted])).toEqual([[jan.id, true]]);
  });

  it('refuses malformed or contradictory parameters', async () => {
    const bad = async (query: Record<string, string>, field: string) => {
      const res = await h.call('GET', '/crm/v1/events', { query });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'INVALID_DATA', field });
    };
    await bad({ from: 'yesterday' }, 'from');
    await bad({ from: '2024-02-01T00:00:00Z', to: '2024-01-01T00:00:00Z' }, 'to');
    await bad({ modified_since: '2024-01-01T00:00:00Z', from: '2024-01-01T00:00:00Z' }, 'modified_since');
    await bad({ page: '2' }, 'page');
  });

  it('serves the change feed to the admin only', async () => {
    expect((await h.call('GET', '/crm/v1/changes')).status).toBe(403);
    const first = await h.call('GET', '/crm/v1/changes', { as: 'admin' });
    expect(first.status).toBe(200);
    expect(first.json.data.events.length).toBeGreaterThan(0);
    expect(first.json.data.events[0].caldav === null || !('ics' in first.json.data.events[0].caldav)).toBe(true);
    expect(typeof first.json.data.nextCursor).toBe('string');
    const bad = await h.call('GET', '/crm/v1/changes', { as: 'admin', query: { cursor: 'x' } });
    expect(bad.json.error).toMatchObject({ code: 'INVALID_DATA', field: 'cursor' });
  });
});
