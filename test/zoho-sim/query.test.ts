/**
 * Reads the connector leans on besides lists: search (with the index delay), COQL, users and
 * field metadata, against `searchRecords.md`, `executeCOQLQuery/operation.md`, the users and
 * fields examples.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Api } from './client';

let api: Api | undefined;
afterEach(async () => {
  await api?.sim.stop();
  api = undefined;
});

const coql = (a: Api, select_query: string) => a.call('POST', '/coql', { body: { select_query } });

describe('GET /crm/v8/{module}/search', () => {
  it('finds by e-mail (partial), word and criteria, and answers 204 when nothing matches', async () => {
    api = await connect();
    const anna = api.sim.state.addContact({ First_Name: 'Anna', Last_Name: 'Kingsley', Email: 'anna.kingsley@zylker.com' });
    api.sim.state.addContact({ First_Name: 'Bob', Last_Name: 'Burns', Email: 'bob@example.com' });
    const byEmail = await api.get('/Contacts/search?email=kingsley@zylker');
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.data.map((r: { id: string }) => r.id)).toEqual([anna.id]);
    expect(byEmail.body.info).toEqual({ per_page: 200, count: 1, page: 1, more_records: false });
    expect((await api.get('/Contacts/search?word=burns')).body.data).toHaveLength(1);
    const criteria = encodeURIComponent('((Last_Name:equals:Kingsley) or (Email:starts_with:bob@))');
    expect((await api.get(`/Contacts/search?criteria=${criteria}`)).body.data).toHaveLength(2);
    // equals on text behaves like "contains", as Zoho documents: exact matching is the caller's job.
    expect((await api.get(`/Contacts/search?criteria=${encodeURIComponent('(Email:equals:anna.kingsley@zylker.com)')}`)).body.data).toHaveLength(1);
    expect((await api.get(`/Contacts/search?criteria=${encodeURIComponent('(Email:equals:kingsley)')}`)).body.data).toHaveLength(1);
    const none = await api.get('/Contacts/search?email=nobody@nowhere.com');
    expect(none.status).toBe(204);
    const noParam = await api.get('/Contacts/search');
    expect(noParam.body).toMatchObject({ code: 'EXPECTED_PARAM_MISSING', details: { param_names: ['criteria', 'email', 'phone', 'word'] } });
    expect((await api.get(`/Contacts/search?criteria=${encodeURIComponent('(Email:equals')}`)).body.code).toBe('INVALID_QUERY');
  });

  it('misses a record until the search index catches up, while COQL sees it at once', async () => {
    api = await connect({ searchIndexDelayMs: 30_000 });
    const created = await api.call('POST', '/Leads', { body: { data: [{ Last_Name: 'Fresh', Email: 'fresh@zylker.com' }] } });
    expect(created.status).toBe(201);
    expect((await api.get('/Leads/search?email=fresh@zylker.com')).status).toBe(204);
    const now = await coql(api, "select Last_Name, Email from Leads where Email = 'fresh@zylker.com'");
    expect(now.body.data).toEqual([{ Last_Name: 'Fresh', Email: 'fresh@zylker.com', id: created.body.data[0].details.id }]);
    api.sim.clock.advance(30_000);
    expect((await api.get('/Leads/search?email=fresh@zylker.com')).status).toBe(200);
  });
});

describe('POST /crm/v8/coql', () => {
  it('selects a user\'s events in a start range and changed since a time, with LIMIT/OFFSET paging', async () => {
    api = await connect();
    const other = api.sim.state.addUser({ email: 'other@zillum.com', firstName: 'Oscar', lastName: 'Other' });
    const mine = ['2026-03-01', '2026-03-10', '2026-03-20', '2026-04-02'].map((d, i) =>
      api!.sim.state.addEvent({ Event_Title: `Mine ${i}`, Start_DateTime: `${d}T09:00:00+00:00`, End_DateTime: `${d}T10:00:00+00:00` }),
    );
    api.sim.state.addEvent({ Event_Title: 'Theirs', Start_DateTime: '2026-03-05T09:00:00+00:00', End_DateTime: '2026-03-05T10:00:00+00:00', Owner: { id: other.id } });
    const admin = api.sim.state.admin.id;
    const q = `select Event_Title, Start_DateTime, Owner from Events where Owner = '${admin}' and Start_DateTime >= '2026-03-01T00:00:00+00:00' and Start_DateTime < '2026-04-01T00:00:00+00:00' order by Start_DateTime asc limit 2`;
    const first = await coql(api, q);
    expect(first.status).toBe(200);
    expect(first.body.data.map((r: { Event_Title: string }) => r.Event_Title)).toEqual(['Mine 0', 'Mine 1']);
    expect(first.body.data[0].Owner).toEqual({ id: admin });
    expect(first.body.data[0].Start_DateTime).toBe('2026-03-01T01:00:00-08:00');
    expect(first.body.info).toEqual({ count: 2, more_records: true });
    const second = await coql(api, `${q} offset 2`);
    expect(second.body.data.map((r: { Event_Title: string }) => r.Event_Title)).toEqual(['Mine 2']);
    expect(second.body.info.more_records).toBe(false);
    const byEmail = await coql(api, "select Event_Title, Owner.email from Events where Owner.email = 'other@zillum.com'");
    expect(byEmail.body.data).toEqual([{ Event_Title: 'Theirs', 'Owner.email': 'other@zillum.com', id: expect.any(String) }]);

    api.sim.clock.advance(60_000);
    const mark = new Date(api.sim.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    api.sim.clock.advance(2000);
    api.sim.state.update('Events', mine[3]!.id as string, { Venue: 'Moved' });
    const changed = await coql(api, `select Event_Title from Events where Modified_Time > '${mark}'`);
    expect(changed.body.data.map((r: { Event_Title: string }) => r.Event_Title)).toEqual(['Mine 3']);
    expect((await coql(api, "select Event_Title from Events where Event_Title = 'nothing'")).status).toBe(204);
  });

  it('refuses a LIMIT over 200, unknown columns and bad syntax', async () => {
    api = await connect();
    const big = await coql(api, 'select Event_Title from Events limit 201');
    expect(big.status).toBe(400);
    expect(big.body).toMatchObject({ code: 'INVALID_QUERY', details: { limit: '200' } });
    expect((await coql(api, 'select Colour from Events')).body).toMatchObject({ code: 'INVALID_QUERY', details: { column_name: 'Colour', clause: 'select' } });
    expect((await coql(api, 'select from Events where')).body.code).toBe('SYNTAX_ERROR');
    expect((await api.call('POST', '/coql', { body: {} })).body).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'select_query' } });
  });
});

describe('GET /crm/v8/users', () => {
  it('lists active users, all users, one user, and refuses an unknown type', async () => {
    api = await connect();
    const gone = api.sim.state.addUser({ email: 'former@zillum.com', firstName: 'Fred', lastName: 'Former', status: 'disabled' });
    const active = await api.get('/users?type=ActiveUsers');
    expect(active.status).toBe(200);
    expect(active.body.users.map((u: { email: string }) => u.email)).toEqual(['patriciab@zillum.com']);
    expect(active.body.users[0]).toMatchObject({ full_name: 'Patricia Boyle', first_name: 'Patricia', last_name: 'Boyle', status: 'active', confirm: true, time_zone: 'America/Los_Angeles' });
    expect(active.body.info).toEqual({ per_page: 200, count: 1, page: 1, more_records: false });
    const all = await api.get('/users?type=AllUsers');
    expect(all.body.users.map((u: { email: string }) => u.email)).toEqual(['patriciab@zillum.com', 'former@zillum.com']);
    const one = await api.get(`/users/${gone.id}`);
    expect(one.body.users[0]).toMatchObject({ id: gone.id, status: 'disabled' });
    expect(one.body).not.toHaveProperty('info');
    expect((await api.get('/users?type=Everybody')).status).toBe(400);
  });
});

describe('GET /crm/v8/settings/fields', () => {
  it('describes Remind_At as multireminder on Events and ALARM on Tasks, recurrence as RRULE, Task picklists with their values', async () => {
    api = await connect();
    const events = (await api.get('/settings/fields?module=Events')).body.fields as Array<Record<string, unknown>>;
    const field = (list: Array<Record<string, unknown>>, name: string) => list.find((f) => f.api_name === name)!;
    expect(field(events, 'Remind_At')).toMatchObject({ data_type: 'multireminder', json_type: 'jsonarray' });
    expect(field(events, 'Recurring_Activity')).toMatchObject({ data_type: 'RRULE', json_type: 'jsonobject', operation_type: { api_create: true, api_update: false } });
    expect(field(events, 'Participants')).toMatchObject({ json_type: 'jsonarray' });
    expect(field(events, 'What_Id')).toMatchObject({ data_type: 'lookup', lookup: { module: { api_name: 'se_module' } } });
    expect(field(events, 'Start_DateTime')).toMatchObject({ data_type: 'datetime', system_mandatory: true });
    const tasks = (await api.get('/settings/fields?module=Tasks')).body.fields as Array<Record<string, unknown>>;
    expect(field(tasks, 'Remind_At')).toMatchObject({ data_type: 'ALARM', json_type: 'jsonobject' });
    const status = field(tasks, 'Status').pick_list_values as Array<{ actual_value: string }>;
    expect(status.map((v) => v.actual_value)).toEqual(['Not Started', 'Deferred', 'In Progress', 'Completed', 'Waiting for input']);
    const priority = field(tasks, 'Priority').pick_list_values as Array<{ actual_value: string }>;
    expect(priority.map((v) => v.actual_value)).toEqual(['High', 'Highest', 'Low', 'Lowest', 'Normal']);
    expect((await api.get('/settings/fields')).body).toEqual({ code: 'REQUIRED_PARAM_MISSING', status: 'error', details: { param_name: 'module' }, message: 'required param is missing' });
  });
});
