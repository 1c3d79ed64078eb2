/**
 * Notification channels against `notifications.yaml`, its examples and Zoho's v7 enable doc:
 * subscribe/list/patch/unsubscribe bodies, the expiry rules, and real callbacks to a local
 * listener after API and in-Zoho changes, never after the channel expired.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT, connect, type Api } from './client';
import { startListener, type Listener } from './listener';

let api: Api | undefined;
let listener: Listener | undefined;
afterEach(async () => {
  await api?.sim.stop();
  await listener?.close();
  api = listener = undefined;
});

const expiryIn = (a: Api, ms: number) => new Date(a.sim.clock.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY = 24 * 3600_000;

async function subscribe(a: Api, url: string, extra: Record<string, unknown> = {}) {
  return a.call('POST', '/actions/watch', {
    body: { watch: [{ channel_id: '1000000068001', notify_url: url, events: ['Events.all'], channel_expiry: expiryIn(a, 2 * DAY), token: 'TOKEN_FOR_VERIFICATION', ...extra }] },
  });
}

describe('POST/GET /crm/v8/actions/watch', () => {
  it('subscribes with 201 and the example body, and lists one entry with the events expanded', async () => {
    api = await connect();
    const answer = await subscribe(api, 'https://crm-caldav.example/crm/zoho/notify');
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      watch: [
        {
          code: 'SUCCESS',
          details: {
            events: [
              {
                channel_expiry: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0[78]:00$/),
                resource_uri: `${api.sim.apiUrl}/crm/v8/Events`,
                resource_id: expect.stringMatching(/^\d{19}$/),
                resource_name: 'Events',
                channel_id: '1000000068001',
              },
            ],
          },
          message: 'Successfully subscribed for actions-watch of the given module',
          status: 'success',
        },
      ],
    });
    const listed = await api.get('/actions/watch');
    expect(listed.body.watch).toHaveLength(1);
    expect(listed.body.watch[0]).toMatchObject({
      channel_id: '1000000068001',
      notify_url: 'https://crm-caldav.example/crm/zoho/notify',
      resource_name: 'Events',
      events: ['Events.create', 'Events.edit', 'Events.delete'],
      token: 'TOKEN_FOR_VERIFICATION',
      notify_on_related_action: true,
      return_affected_field_values: false,
    });
    expect(listed.body.info).toEqual({ per_page: 200, count: 1, page: 1, more_records: false });
  });

  it('refuses a missing notify_url or channel_id, an unsupported module and a token over 50 characters', async () => {
    api = await connect();
    const post = (channel: Record<string, unknown>) => api!.call('POST', '/actions/watch', { body: { watch: [channel] } });
    const noUrl = await post({ channel_id: '1', events: ['Events.create'] });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body).toEqual({ code: 'MANDATORY_NOT_FOUND', message: 'required field not found', details: { api_name: 'notify_url', json_path: '$.watch[0].notify_url' }, status: 'error' });
    expect((await post({ notify_url: 'https://x.example/n', events: ['Events.create'] })).body).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'channel_id' } });
    expect((await post({ channel_id: '1', notify_url: 'https://x.example/n', events: ['Deals.create'] })).body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'events' } });
    expect((await post({ channel_id: '1', notify_url: 'https://x.example/n', events: ['Events.update'] })).body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'events' } });
    expect((await post({ channel_id: '1', notify_url: 'https://x.example/n', events: ['Events.create'], token: 'x'.repeat(51) })).body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'token' } });
    expect((await api.get('/actions/watch')).status).toBe(204);
  });

  it('gives one hour when no expiry is asked or more than a week is, and keeps a week or less as asked', async () => {
    api = await connect();
    const expiryOf = async () => Date.parse((await api!.get('/actions/watch')).body.watch[0].channel_expiry);
    const now = api.sim.clock.now();
    await api.call('POST', '/actions/watch', { body: { watch: [{ channel_id: '1', notify_url: 'https://x.example/n', events: ['Events.create'] }] } });
    expect(Math.abs((await expiryOf()) - (now + 3600_000))).toBeLessThan(2000);
    await api.call('POST', '/actions/watch', { body: { watch: [{ channel_id: '1', notify_url: 'https://x.example/n', events: ['Events.create'], channel_expiry: expiryIn(api, 8 * DAY) }] } });
    expect(Math.abs((await expiryOf()) - (now + 3600_000))).toBeLessThan(2000);
    await api.call('POST', '/actions/watch', { body: { watch: [{ channel_id: '1', notify_url: 'https://x.example/n', events: ['Events.create'], channel_expiry: expiryIn(api, 6 * DAY) }] } });
    expect(Math.abs((await expiryOf()) - (now + 6 * DAY))).toBeLessThan(2000);
    const millis = await api.call('POST', '/actions/watch', {
      body: { watch: [{ channel_id: '1', notify_url: 'https://x.example/n', events: ['Events.create'], channel_expiry: new Date(now + DAY).toISOString() }] },
    });
    expect(millis.body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'channel_expiry' } });
  });
});

describe('callbacks', () => {
  it('POSTs Zoho\'s payload to notify_url after API creates, edits and deletes', async () => {
    api = await connect();
    listener = await startListener();
    await subscribe(api, `${listener.url}/crm/zoho/notify?org=acme`);
    const created = await api.call('POST', '/Events', { body: { data: [EVENT, { ...EVENT, Event_Title: 'Second' }] } });
    const ids = created.body.data.map((i: { details: { id: string } }) => i.details.id);
    const insert = await listener.nth(1);
    expect(insert.path).toBe('/crm/zoho/notify?org=acme');
    expect(insert.body).toEqual({
      server_time: expect.any(Number),
      query_params: { org: 'acme' },
      module: 'Events',
      resource_uri: `${api.sim.apiUrl}/crm/v8/Events`,
      ids,
      affected_fields: [],
      operation: 'insert',
      channel_id: '1000000068001',
      token: 'TOKEN_FOR_VERIFICATION',
    });
    await api.call('PUT', `/Events/${ids[0]}`, { body: { data: [{ Venue: 'Room 2' }] } });
    expect((await listener.nth(2)).body).toMatchObject({ operation: 'update', ids: [ids[0]] });
    await api.call('DELETE', `/Events?ids=${ids.join(',')}`);
    expect((await listener.nth(3)).body).toMatchObject({ operation: 'delete', ids });
  });

  it('also calls for changes made in Zoho itself, with affected field values when asked', async () => {
    api = await connect();
    listener = await startListener();
    await subscribe(api, listener.url, { return_affected_field_values: true });
    const event = api.sim.state.addEvent(EVENT);
    await listener.nth(1);
    api.sim.state.update('Events', event.id as string, { Event_Title: 'Moved by the CRM user' });
    const edit = await listener.nth(2);
    expect(edit.body.operation).toBe('update');
    expect(edit.body.affected_fields).toEqual([{ [event.id as string]: { Event_Title: 'Moved by the CRM user' } }]);
  });

  it('stops when the channel expires, and after PATCH _delete_events or DELETE', async () => {
    api = await connect();
    listener = await startListener();
    await subscribe(api, listener.url, { channel_expiry: expiryIn(api, 3600_000) });
    api.sim.clock.advance(3600_000 + 1000);
    await api.reauth();
    api.sim.state.addEvent(EVENT);
    await api.sim.notifications.settled();
    expect(listener.received).toHaveLength(0);
    expect((await api.get('/actions/watch')).status).toBe(204);

    await subscribe(api, listener.url);
    const patched = await api.call('PATCH', '/actions/watch', { body: { watch: [{ channel_id: '1000000068001', events: ['Events.create'], _delete_events: true }] } });
    expect(patched.status).toBe(200);
    expect(patched.body.watch[0].message).toBe('Successfully updated the subscribe details');
    api.sim.state.addEvent(EVENT);
    await api.sim.notifications.settled();
    expect(listener.received).toHaveLength(0);

    const removed = await api.call('DELETE', '/actions/watch?channel_ids=1000000068001,42');
    expect(removed.status).toBe(207);
    expect(removed.body.watch[0]).toEqual({
      code: 'SUCCESS',
      details: { resource_uri: `${api.sim.apiUrl}/crm/v8/Events`, resource_id: expect.any(String), channel_id: '1000000068001' },
      message: 'Successfully un-subscribed from actions-watch',
      status: 'success',
    });
    expect(removed.body.watch[1]).toMatchObject({ code: 'NOT_SUBSCRIBED', status: 'error' });
    expect(api.sim.notifications.channels()).toEqual([]);
  });

  it('replaces a channel on PUT: its old events stop', async () => {
    api = await connect();
    listener = await startListener();
    await subscribe(api, listener.url);
    const put = await api.call('PUT', '/actions/watch', { body: { watch: [{ channel_id: '1000000068001', notify_url: listener.url, events: ['Leads.create'] }] } });
    expect(put.status).toBe(200);
    expect(put.body.watch[0].details.events.map((e: { resource_name: string }) => e.resource_name)).toEqual(['Leads']);
    api.sim.state.addEvent(EVENT);
    api.sim.state.addLead({ Last_Name: 'Lead' });
    expect((await listener.nth(1)).body.module).toBe('Leads');
    await api.sim.notifications.settled();
    expect(listener.received).toHaveLength(1);
  });

  it('calls only for edits of the fields a notification_condition names', async () => {
    api = await connect();
    listener = await startListener();
    await subscribe(api, listener.url, { events: ['Events.edit'] });
    await api.call('PATCH', '/actions/watch?channel_id=1000000068001', {
      body: {
        notification_condition: [
          { type: 'field_selection', module: { api_name: 'Events', id: '1' }, field_selection: { group_operator: 'or', group: [{ field: { api_name: 'Start_DateTime', id: '2' } }] } },
        ],
      },
    });
    const event = api.sim.state.addEvent(EVENT);
    api.sim.state.update('Events', event.id as string, { Description: 'notes only' });
    api.sim.state.update('Events', event.id as string, { Start_DateTime: '2026-08-25T12:00:00-05:00', End_DateTime: '2026-08-25T13:00:00-05:00' });
    await api.sim.notifications.settled();
    expect(listener.received).toHaveLength(1);
  });

  it('can use the create/edit/delete words instead of Zoho\'s sample insert/update/delete', async () => {
    api = await connect({ callbackOperations: 'create-edit-delete' });
    listener = await startListener();
    await subscribe(api, listener.url);
    api.sim.state.addEvent(EVENT);
    expect((await listener.nth(1)).body.operation).toBe('create');
  });

  it('records a callback the listener refused or never answered', async () => {
    api = await connect();
    listener = await startListener(500);
    await subscribe(api, listener.url);
    api.sim.state.addEvent(EVENT);
    await api.sim.notifications.settled();
    expect(api.sim.notifications.deliveries()[0]).toMatchObject({ channelId: '1000000068001', status: 500 });
  });
});
