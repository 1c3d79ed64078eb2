/**
 * Writes against `createRecords.md`, `updateRecords/operation.md`, `upsertRecords/operation.md`,
 * `deleteRecords/operation.md` and their examples: per-record results with 201/200/207/400/412,
 * unknown fields, the unique custom field (DUPLICATE_DATA naming the holder), upsert on it,
 * and the Events/Tasks shapes the connector writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT, connect, isoSeconds, type Api } from './client';

let api: Api | undefined;
afterEach(async () => {
  await api?.sim.stop();
  api = undefined;
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

async function uidField(a: Api): Promise<string> {
  const created = await a.call('POST', '/settings/fields?module=Events', {
    body: { fields: [{ field_label: 'CalDAV UID', data_type: 'text', length: 255, unique: { case_sensitive: false } }] },
  });
  expect(created.status).toBe(201);
  return 'CalDAV_UID';
}

describe('POST /crm/v8/{module}', () => {
  it('answers 201 with the success item of the example', async () => {
    api = await connect();
    const answer = await api.call('POST', '/Events', { body: { data: [EVENT] } });
    expect(answer.status).toBe(201);
    const [item] = answer.body.data;
    expect(item).toMatchObject({ code: 'SUCCESS', message: 'record added', status: 'success' });
    expect(Object.keys(item.details).sort()).toEqual(['Created_By', 'Created_Time', 'Modified_By', 'Modified_Time', 'id']);
    expect(item.details.Created_By).toEqual({ name: 'Patricia Boyle', id: api.sim.state.admin.id });
    expect(item.details.Modified_Time).toMatch(DATE_TIME);
    expect(item.details.id).toMatch(/^\d{19}$/);
    expect(api.sim.state.counts().Events).toBe(1);
  });

  it('answers 207 when some records fail, each failure naming its field and JSON path', async () => {
    api = await connect();
    const answer = await api.call('POST', '/Events', { body: { data: [EVENT, { ...EVENT, Colour: 'red' }] } });
    expect(answer.status).toBe(207);
    expect(answer.body.data[0].status).toBe('success');
    expect(answer.body.data[1]).toEqual({
      code: 'INVALID_DATA',
      details: { api_name: 'Colour', json_path: '$.data[1].Colour' },
      message: 'the field api name given seems to be invalid',
      status: 'error',
    });
  });

  it('answers 400 with data[] when every record fails: mandatory fields, types, seconds-only date-times', async () => {
    api = await connect();
    const answer = await api.call('POST', '/Events', {
      body: {
        data: [
          { Start_DateTime: EVENT.Start_DateTime, End_DateTime: EVENT.End_DateTime },
          { ...EVENT, Start_DateTime: '2026-08-25T10:00:00.000Z' },
          { ...EVENT, All_day: 'yes' },
          { ...EVENT, End_DateTime: '2026-08-25T09:00:00-05:00' },
        ],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toEqual([
      { code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Event_Title', json_path: '$.data[0].Event_Title' }, message: 'required field not found', status: 'error' },
      { code: 'INVALID_DATA', details: { api_name: 'Start_DateTime', json_path: '$.data[1].Start_DateTime', expected_data_type: 'datetime' }, message: 'invalid data', status: 'error' },
      { code: 'INVALID_DATA', details: { api_name: 'All_day', json_path: '$.data[2].All_day', expected_data_type: 'boolean' }, message: 'invalid data', status: 'error' },
      { code: 'INVALID_DATA', details: { api_name: 'End_DateTime', json_path: '$.data[3].End_DateTime' }, message: 'invalid data', status: 'error' },
    ]);
  });

  it('refuses more than 100 records, an empty data array and a body that is not JSON', async () => {
    api = await connect();
    const many = await api.call('POST', '/Events', { body: { data: Array.from({ length: 101 }, () => EVENT) } });
    expect(many.status).toBe(400);
    expect(many.body).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 100 } });
    expect((await api.call('POST', '/Events', { body: { data: [] } })).body).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'data' } });
    const broken = await api.call('POST', '/Events', { raw: '{"data":[' });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: 'INVALID_DATA', status: 'error' });
    expect(api.sim.state.counts().Events).toBe(0);
  });

  it('keeps the shapes the connector writes: participants, reminders, recurrence, What_Id with $se_module', async () => {
    api = await connect();
    const lead = api.sim.state.addLead({ Last_Name: 'Brown', First_Name: 'Alice', Email: 'alice@mail.com', Company: 'Zylker' });
    const other = api.sim.state.addUser({ email: 'other@zillum.com', firstName: 'Oscar', lastName: 'Other' });
    const answer = await api.call('POST', '/Events', {
      body: {
        data: [
          {
            ...EVENT,
            Venue: 'Zoho Conference Room',
            Description: 'Review',
            Participants: [
              { type: 'lead', participant: lead.id },
              { type: 'user', participant: other.id },
              { type: 'email', participant: 'guest@example.com' },
            ],
            Remind_At: [{ unit: 15, period: 'minutes' }],
            Recurring_Activity: { RRULE: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261201' },
            What_Id: { id: lead.id },
            $se_module: 'Leads',
            $send_notification: true,
          },
        ],
      },
    });
    expect(answer.status).toBe(201);
    const stored = (await api.get(`/Events/${answer.body.data[0].details.id}`)).body.data[0];
    expect(stored.Participants.map((p: Record<string, unknown>) => [p.type, p.participant, p.Email, p.name, p.invited, p.status])).toEqual([
      ['lead', lead.id, 'alice@mail.com', 'Alice Brown', true, 'not_known'],
      ['user', other.id, 'other@zillum.com', 'Oscar Other', true, 'not_known'],
      ['email', 'guest@example.com', 'guest@example.com', 'guest@example.com', true, 'not_known'],
    ]);
    expect(stored.Remind_At).toEqual([{ unit: 15, period: 'minutes' }]);
    expect(stored.Recurring_Activity).toEqual({ RRULE: 'FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=2026-12-01;DTSTART=2026-08-25' });
    expect(stored.What_Id).toEqual({ name: 'Alice Brown', id: lead.id });
    expect(stored.$se_module).toBe('Leads');
    expect(api.sim.state.invitations()).toHaveLength(1);
    expect(api.sim.state.invitations()[0]!.participants.map((p) => p.Email)).toEqual(['alice@mail.com', 'other@zillum.com', 'guest@example.com']);

    const noModule = await api.call('POST', '/Events', { body: { data: [{ ...EVENT, What_Id: { id: lead.id } }] } });
    expect(noModule.body.data[0]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: '$se_module' } });
    const badReminder = await api.call('POST', '/Events', { body: { data: [{ ...EVENT, Remind_At: { ALARM: 'ACTION=POPUP;TRIGGER=-PT15M' } }] } });
    expect(badReminder.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Remind_At', expected_data_type: 'jsonarray' } });
  });

  it('takes a task with an ALARM reminder and picklist values from the defaults', async () => {
    api = await connect();
    const alarm = 'FREQ=NONE;ACTION=EMAILANDPOPUP;TRIGGER=DATE-TIME:2026-08-28T09:00:00-07:00';
    const ok = await api.call('POST', '/Tasks', { body: { data: [{ Subject: 'Follow up', Due_Date: '2026-08-28', Priority: 'High', Remind_At: { ALARM: alarm } }] } });
    expect(ok.status).toBe(201);
    const task = (await api.get(`/Tasks/${ok.body.data[0].details.id}`)).body.data[0];
    expect(task).toMatchObject({ Subject: 'Follow up', Status: 'Not Started', Priority: 'High', Remind_At: { ALARM: alarm }, Due_Date: '2026-08-28' });
    const bad = await api.call('POST', '/Tasks', { body: { data: [{ Subject: 'x', Status: 'Done' }] } });
    expect(bad.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Status' } });
  });
});

describe('PUT /crm/v8/{module}', () => {
  it('updates by id in the body or in the path with 200, and reports a missing or unknown id per record', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(EVENT);
    const b = api.sim.state.addEvent(EVENT);
    const bulk = await api.call('PUT', '/Events', { body: { data: [{ id: a.id, Venue: 'Room 1' }, { Venue: 'x' }, { id: '5725767000009999999', Venue: 'y' }] } });
    expect(bulk.status).toBe(207);
    expect(bulk.body.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record updated', status: 'success', details: { id: a.id } });
    expect(bulk.body.data[1]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'id' } });
    expect(bulk.body.data[2]).toMatchObject({ code: 'INVALID_DATA', message: 'the id given seems to be invalid' });
    const single = await api.call('PUT', `/Events/${b.id}`, { body: { data: [{ Event_Title: 'Renamed' }] } });
    expect(single.status).toBe(200);
    expect(api.sim.state.record('Events', b.id as string)!.Event_Title).toBe('Renamed');
  });

  it('answers 412 ALREADY_MODIFIED when the record changed after If-Unmodified-Since', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(EVENT);
    const readAt = isoSeconds(api.sim.clock.now());
    api.sim.clock.advance(5000);
    api.sim.state.update('Events', a.id as string, { Venue: 'Changed in Zoho' });
    const stale = await api.call('PUT', `/Events/${a.id}`, { body: { data: [{ Venue: 'From the phone' }] }, headers: { 'If-Unmodified-Since': readAt } });
    expect(stale.status).toBe(412);
    expect(stale.body.data[0]).toMatchObject({
      code: 'ALREADY_MODIFIED',
      message: 'record updated time has already passed if-unmodified-since time',
      status: 'error',
      details: { id: a.id, Modified_By: { name: 'Patricia Boyle', id: api.sim.state.admin.id } },
    });
    expect(stale.body.data[0].details.Modified_Time).toMatch(DATE_TIME);
    expect(api.sim.state.record('Events', a.id as string)!.Venue).toBe('Changed in Zoho');
    const fresh = await api.call('PUT', `/Events/${a.id}`, { body: { data: [{ Venue: 'From the phone' }] }, headers: { 'If-Unmodified-Since': isoSeconds(api.sim.clock.now()) } });
    expect(fresh.status).toBe(200);
  });
});

describe('a unique custom field', () => {
  it('is created by POST /settings/fields, listed with unique, and enforced with DUPLICATE_DATA naming the holder', async () => {
    api = await connect();
    const created = await api.call('POST', '/settings/fields?module=Events', {
      body: { fields: [{ field_label: 'CalDAV UID', data_type: 'text', length: 255, unique: { case_sensitive: false } }] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ fields: [{ code: 'SUCCESS', details: { id: expect.stringMatching(/^\d{19}$/) }, message: 'field created', status: 'success' }] });
    const listed = (await api.get('/settings/fields?module=Events')).body.fields.find((f: { api_name: string }) => f.api_name === 'CalDAV_UID');
    expect(listed).toMatchObject({ field_label: 'CalDAV UID', data_type: 'text', length: 255, custom_field: true, unique: { case_sensitive: false } });
    const again = await api.call('POST', '/settings/fields?module=Events', { body: { fields: [{ field_label: 'CalDAV UID', data_type: 'text' }] } });
    expect(again.status).toBe(400);
    expect(again.body.fields[0]).toMatchObject({ code: 'DUPLICATE_DATA' });

    const first = await api.call('POST', '/Events', { body: { data: [{ ...EVENT, CalDAV_UID: 'abc-123@phone' }] } });
    const firstId = first.body.data[0].details.id;
    const dup = await api.call('POST', '/Events', { body: { data: [{ ...EVENT, CalDAV_UID: 'ABC-123@PHONE' }] } });
    expect(dup.status).toBe(400);
    expect(dup.body.data[0]).toEqual({
      code: 'DUPLICATE_DATA',
      details: {
        api_name: 'CalDAV_UID',
        json_path: '$.data[0].CalDAV_UID',
        duplicate_record: { Owner: { name: 'Patricia Boyle', id: api.sim.state.admin.id, zuid: expect.any(String) }, id: firstId },
        id: firstId,
        more_records: false,
      },
      message: 'duplicate data',
      status: 'error',
    });
    const other = api.sim.state.addEvent({ ...EVENT, CalDAV_UID: 'other@phone' });
    const clash = await api.call('PUT', `/Events/${other.id}`, { body: { data: [{ CalDAV_UID: 'abc-123@phone' }] } });
    expect(clash.body.data[0].code).toBe('DUPLICATE_DATA');
    expect(api.sim.state.counts().Events).toBe(2);
  });

  it('drives upsert on Events: an existing value updates, a new one inserts', async () => {
    api = await connect();
    const uid = await uidField(api);
    const body = (title: string, value: string) => ({ data: [{ ...EVENT, Event_Title: title, [uid]: value }], duplicate_check_fields: [uid] });
    const inserted = await api.call('POST', '/Events/upsert', { body: body('One', 'u1@phone') });
    expect(inserted.status).toBe(200);
    expect(inserted.body.data[0]).toMatchObject({ code: 'SUCCESS', action: 'insert', duplicate_field: uid, message: 'record added' });
    const updated = await api.call('POST', '/Events/upsert', { body: body('One again', 'u1@phone') });
    expect(updated.body.data[0]).toMatchObject({ code: 'SUCCESS', action: 'update', duplicate_field: uid, message: 'record updated', details: { id: inserted.body.data[0].details.id } });
    expect(api.sim.state.counts().Events).toBe(1);
    expect(api.sim.state.records('Events')[0]!.Event_Title).toBe('One again');
    const notUnique = await api.call('POST', '/Events/upsert', { body: { data: [EVENT], duplicate_check_fields: ['Venue'] } });
    expect(notUnique.status).toBe(400);
    expect(notUnique.body).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'duplicate_check_fields', supported_values: [uid] } });
  });

  it('can be configured to refuse upsert on Events (unconfirmed in Zoho\'s docs)', async () => {
    api = await connect({ eventsUpsert: false });
    const answer = await api.call('POST', '/Events/upsert', { body: { data: [EVENT] } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('NOT_SUPPORTED');
  });

  it('upserts Leads by their system duplicate field, Email', async () => {
    api = await connect();
    api.sim.state.addLead({ Last_Name: 'Doe', Email: 'john.doe@zylker.com' });
    const answer = await api.call('POST', '/Leads/upsert', { body: { data: [{ Last_Name: 'Doe', Company: 'Zylker', Email: 'JOHN.DOE@zylker.com' }, { Last_Name: 'New', Email: 'new@zylker.com' }] } });
    expect(answer.status).toBe(200);
    expect(answer.body.data.map((i: { action: string; duplicate_field: string }) => [i.action, i.duplicate_field])).toEqual([
      ['update', 'Email'],
      ['insert', 'Email'],
    ]);
  });
});

describe('DELETE /crm/v8/{module}', () => {
  it('deletes each id on its own (207 when some are unknown) and wants ids', async () => {
    api = await connect();
    const a = api.sim.state.addEvent(EVENT);
    const mixed = await api.call('DELETE', `/Events?ids=${a.id},5725767000009999999`);
    expect(mixed.status).toBe(207);
    expect(mixed.body.data).toEqual([
      { code: 'SUCCESS', message: 'record deleted', status: 'success', details: { id: a.id } },
      { status: 'error', code: 'INVALID_DATA', message: 'record not deleted', details: { id: '5725767000009999999' } },
    ]);
    const missing = await api.call('DELETE', '/Events');
    expect(missing.body).toEqual({ status: 'error', code: 'REQUIRED_PARAM_MISSING', message: 'One of the expected parameter is missing', details: { param_name: 'ids' } });
    const byId = await api.call('DELETE', `/Events/${a.id}`);
    expect(byId.body).toEqual({ code: 'INVALID_DATA', message: 'invalid record id', details: { resource_path_index: 0 }, status: 'error' });
  });
});
