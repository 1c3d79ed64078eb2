/**
 * Record lists against `getRecords/operation.md` and its examples: `fields` required, paging with
 * page/per_page to 2,000 and page tokens beyond, sorting, `ids`, If-Modified-Since with 304,
 * GET by id, and /deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT, connect, isoSeconds, type Api } from './client';

let api: Api | undefined;
afterEach(async () => {
  await api?.sim.stop();
  api = undefined;
});

const event = (i: number) => ({ ...EVENT, Event_Title: `Event ${i}` });

describe('GET /crm/v8/{module}', () => {
  it('requires fields, at most 50, with Zoho\'s error bodies', async () => {
    api = await connect();
    const missing = await api.get('/Events');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ code: 'REQUIRED_PARAM_MISSING', status: 'error', details: { param_name: 'fields' }, message: 'required param is missing' });
    const many = Array.from({ length: 51 }, () => 'Event_Title').join(',');
    expect((await api.get(`/Events?fields=${many}`)).body).toEqual({ code: 'LIMIT_EXCEEDED', details: { limit: 50, param_name: 'fields' }, message: 'limit exceeded', status: 'error' });
  });

  it('answers 204 with no body when nothing matches', async () => {
    api = await connect();
    const answer = await api.get('/Events?fields=Event_Title');
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
  });

  it('lists the asked fields plus id, with the info object of the example', async () => {
    api = await connect();
    api.sim.state.addEvent(event(1));
    const answer = await api.get('/Events?fields=Event_Title,Start_DateTime,Owner');
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.data[0]).sort()).toEqual(['Event_Title', 'Owner', 'Start_DateTime', 'id']);
    // The org's zone (America/Los_Angeles, -07:00 in August) replaces the offset the writer used.
    expect(answer.body.data[0].Start_DateTime).toBe('2026-08-25T08:00:00-07:00');
    expect(answer.body.data[0].Owner).toEqual({ name: 'Patricia Boyle', id: api.sim.state.admin.id, email: 'patriciab@zillum.com' });
    expect(answer.body.info).toEqual({
      per_page: 200,
      next_page_token: null,
      count: 1,
      sort_by: 'id',
      page: 1,
      previous_page_token: null,
      page_token_expiry: null,
      sort_order: 'desc',
      more_records: false,
    });
  });

  it('pages past 2,000 records only with page_token, which is bound to its query and expires', async () => {
    api = await connect();
    const total = 2450;
    for (let i = 0; i < total; i++) api.sim.state.addEvent(event(i));
    const tooFar = await api.get('/Events?fields=Event_Title&page=11&per_page=200');
    expect(tooFar.status).toBe(400);
    expect(tooFar.body).toEqual({
      code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
      message: 'You can only get the first 2000 records without using page_token param',
      status: 'error',
      details: { limit: 2000 },
    });
    expect((await api.get('/Events?fields=Event_Title&per_page=201')).status).toBe(400);

    const seen = new Set<string>();
    let token: string | null = null;
    for (let page = 1; page <= 10; page++) {
      const answer = await api.get(`/Events?fields=Event_Title&page=${page}&per_page=200`);
      for (const r of answer.body.data) seen.add(r.id);
      expect(answer.body.info.more_records).toBe(true);
      token = answer.body.info.next_page_token;
    }
    expect(seen.size).toBe(2000);
    const firstTokenPage = await api.get(`/Events?fields=Event_Title&per_page=200&page_token=${token}`);
    expect(firstTokenPage.status).toBe(200);
    expect(firstTokenPage.body.info.previous_page_token).toBe(token);

    const altered = await api.get(`/Events?fields=Event_Title,Venue&per_page=200&page_token=${token}`);
    expect(altered.body).toEqual({
      code: 'TOKEN_BOUND_DATA_MISMATCH',
      message: 'The page_token given seems to be invalid or input param is added or altered or deleted',
      status: 'error',
      details: { param_name: 'page_token' },
    });

    let answer = firstTokenPage;
    for (;;) {
      for (const r of answer.body.data) seen.add(r.id);
      if (!answer.body.info.more_records) break;
      expect(answer.body.info.next_page_token).toMatch(/^\w{1,96}$/);
      answer = await api.get(`/Events?fields=Event_Title&per_page=200&page_token=${answer.body.info.next_page_token}`);
    }
    expect(seen.size).toBe(total);

    api.sim.clock.advance(24 * 3600_000 + 1000);
    await api.reauth();
    const expired = await api.get(`/Events?fields=Event_Title&per_page=200&page_token=${token}`);
    expect(expired.body).toEqual({ status: 'error', code: 'EXPIRED_VALUE', message: 'Page token expired', details: { api_name: 'page_token', json_path: '$.query.page_token' } });
  });

  it('sorts by Modified_Time and refuses other sort keys', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(event(1));
    api.sim.clock.advance(5000);
    const b = api.sim.state.addEvent(event(2));
    api.sim.clock.advance(5000);
    api.sim.state.update('Events', a.id as string, { Venue: 'Room 1' });
    const asc = await api.get('/Events?fields=Event_Title&sort_by=Modified_Time&sort_order=asc');
    expect(asc.body.data.map((r: { id: string }) => r.id)).toEqual([b.id, a.id]);
    expect(asc.body.info).toMatchObject({ sort_by: 'Modified_Time', sort_order: 'asc' });
    const bad = await api.get('/Events?fields=Event_Title&sort_by=Event_Title');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_DATA', details: { param_name: 'sort_by', supported_values: ['id', 'Created_Time', 'Modified_Time'] } });
  });

  it('returns only records modified after If-Modified-Since, and 304 when there are none', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(event(1));
    api.sim.state.addEvent(event(2));
    api.sim.clock.advance(60_000);
    const mark = isoSeconds(api.sim.clock.now());
    api.sim.clock.advance(2000);
    api.sim.state.update('Events', a.id as string, { Event_Title: 'Moved' });
    const since = await api.get('/Events?fields=Event_Title,Modified_Time', { 'If-Modified-Since': mark });
    expect(since.status).toBe(200);
    expect(since.body.data.map((r: { Event_Title: string }) => r.Event_Title)).toEqual(['Moved']);
    const none = await api.get('/Events?fields=Event_Title', { 'If-Modified-Since': isoSeconds(api.sim.clock.now() + 1000) });
    expect(none.status).toBe(304);
    expect(none.text).toBe('');
    expect((await api.get('/Events?fields=Event_Title', { 'If-Modified-Since': 'yesterday' })).status).toBe(400);
  });

  it('filters by ids', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(event(1));
    api.sim.state.addEvent(event(2));
    const c = api.sim.state.addEvent(event(3));
    const answer = await api.get(`/Events?fields=Event_Title&ids=${a.id},${c.id}`);
    expect(answer.body.data.map((r: { id: string }) => r.id).sort()).toEqual([a.id, c.id].sort());
  });
});

describe('GET /crm/v8/{module}/{id}', () => {
  it('answers {data:[record]} with every field and no info; 204 for an unknown id', async () => {
    api = await connect();
    const contact = api.sim.state.addContact({ First_Name: 'Anna', Last_Name: 'Kingsley', Email: 'anna@zylker.com' });
    const created = api.sim.state.addEvent({ ...EVENT, Who_Id: { id: contact.id }, What_Id: { id: contact.id }, $se_module: 'Contacts' });
    const answer = await api.get(`/Events/${created.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty('info');
    const record = answer.body.data[0];
    expect(record).toMatchObject({
      id: created.id,
      Event_Title: EVENT.Event_Title,
      All_day: false,
      Venue: null,
      Participants: [],
      Who_Id: { name: 'Anna Kingsley', id: contact.id },
      What_Id: { name: 'Anna Kingsley', id: contact.id },
      $se_module: 'Contacts',
      Created_By: { name: 'Patricia Boyle', id: api.sim.state.admin.id },
    });
    expect(record.Modified_Time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect((await api.get('/Events/5725767000009999999')).status).toBe(204);
    const later = new Date(api.sim.clock.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect((await api.get(`/Events/${created.id}`, { 'If-Modified-Since': later })).status).toBe(304);
  });
});

describe('GET /crm/v8/{module}/deleted', () => {
  it('lists deletions as recycle entries, filters by If-Modified-Since and type, and turns permanent when the bin empties', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(event(1));
    const b = api.sim.state.addEvent(event(2));
    expect((await api.get('/Events/deleted')).status).toBe(204);
    await api.call('DELETE', `/Events?ids=${a.id}`);
    api.sim.clock.advance(10_000);
    const mark = isoSeconds(api.sim.clock.now());
    api.sim.clock.advance(2000);
    await api.call('DELETE', `/Events/${b.id}`);
    const all = await api.get('/Events/deleted?type=all');
    expect(all.status).toBe(200);
    expect(all.body.info).toEqual({ per_page: 200, count: 2, page: 1, more_records: false });
    expect(all.body.data[0]).toMatchObject({
      id: b.id,
      type: 'recycle',
      display_name: 'Event 2',
      deleted_by: { name: 'Patricia Boyle', id: api.sim.state.admin.id },
      created_by: { name: 'Patricia Boyle', id: api.sim.state.admin.id },
    });
    const since = await api.get('/Events/deleted', { 'If-Modified-Since': mark });
    expect(since.body.data.map((e: { id: string }) => e.id)).toEqual([b.id]);
    expect((await api.get('/Events/deleted?type=permanent')).status).toBe(204);
    api.sim.state.purgeRecycleBin();
    const permanent = await api.get('/Events/deleted?type=permanent');
    expect(permanent.body.data[0]).toMatchObject({ type: 'permanent', deleted_by: null, created_by: null, display_name: null });
  });
});

describe('routing', () => {
  it('names unknown modules and paths the way Zoho does', async () => {
    api = await connect();
    expect((await api.get('/Deals?fields=Deal_Name')).body).toEqual({
      code: 'INVALID_MODULE',
      details: { resource_path_index: 0 },
      message: 'the module name given seems to be invalid',
      status: 'error',
    });
    const lower = await api.get('/events?fields=Event_Title');
    expect(lower.status).toBe(204);
    const nowhere = await api.get('/Events/abc/def');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body).toEqual({ code: 'INVALID_URL_PATTERN', message: 'Please check if the URL trying to access is a correct one', status: 'error', details: {} });
  });
});
