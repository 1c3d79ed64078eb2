/**
 * Tasks both ways on the local server with the built-in CRM (DynamoDB Local): a reminder made on
 * the phone becomes a CRM task (GET /crm/v1/tasks), a CRM edit reaches the phone with its due
 * time kept, completing and deleting work from either side, and nobody sees another user's tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmTask } from '../../lambda/crm/types';
import { startInteropServer, type DavClient, type InteropServer, type TestUser, IOS_REMINDER } from '../helpers/server';

const EMAIL = 'rita@example.com';
const OTHER = 'otto@example.com';
const { ics: REMINDER, uid: UID } = IOS_REMINDER;

let server: InteropServer;
let user: TestUser;
let other: TestUser;
let phone: DavClient;

/** What GET /crm/v1/tasks answers: the CRM's own task records. */
type TaskJson = CrmTask;

async function api(as: TestUser, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: { authorization: as.authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as { data: TaskJson & TaskJson[] }) : null };
}

const tasksPath = `/calendars/${EMAIL}/tasks/`;
const objectPath = `${tasksPath}${UID}.ics`;

beforeAll(async () => {
  server = await startInteropServer();
  user = await server.addUser(EMAIL);
  other = await server.addUser(OTHER);
  const record = (await server.users.getUser(EMAIL))!;
  await server.users.putUser({ ...record, timeZone: 'Europe/Berlin', name: 'Rita R' });
  phone = server.as(user);
});
afterAll(async () => {
  await server?.stop();
});

describe('phone -> CRM', () => {
  it('a reminder made on the phone is a CRM task of its owner, with the mapped fields', async () => {
    expect((await phone.put(objectPath, REMINDER, { 'if-none-match': '*' })).status).toBe(201);
    const listed = await api(user, 'GET', '/crm/v1/tasks');
    expect(listed.status).toBe(200);
    expect(listed.json!.data).toHaveLength(1);
    const task = listed.json!.data[0]!;
    expect(task).toMatchObject({
      Subject: 'Call Patricia about the renewal',
      Due_Date: '2025-03-12',
      Status: 'Not Started',
      Priority: 'Highest',
      Description: 'Ask about the Q3 numbers',
      Remind_At: '2025-03-12T09:00:00+01:00',
      Closed_Time: null,
      caldav: { uid: UID, name: `${UID}.ics` },
    });
    // Another user sees neither the task nor its list.
    expect((await api(other, 'GET', '/crm/v1/tasks')).json!.data).toEqual([]);
    expect((await api(other, 'GET', `/crm/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await server.as(other).get(objectPath)).status).toBe(404);
  });

  it('completing on the phone completes the CRM task, with COMPLETED as Closed_Time', async () => {
    const stored = await phone.get(objectPath);
    const done = stored.text.replace('STATUS:NEEDS-ACTION', 'STATUS:COMPLETED\r\nCOMPLETED:20250312T101500Z');
    expect((await phone.put(objectPath, done, { 'if-match': stored.headers.get('etag')! })).status).toBe(204);
    const task = (await api(user, 'GET', '/crm/v1/tasks')).json!.data[0]!;
    expect(task).toMatchObject({ Status: 'Completed', Closed_Time: '2025-03-12T10:15:00.000Z' });
  });
});

describe('CRM -> phone', () => {
  it('a CRM edit of another field keeps the phone\'s due time, alarms and X- properties; reopening drops COMPLETED', async () => {
    const [task] = (await api(user, 'GET', '/crm/v1/tasks')).json!.data;
    const res = await api(user, 'PATCH', `/crm/v1/tasks/${task!.id}`, { Subject: 'Call Patricia (renewal signed?)', Status: 'In Progress' });
    expect(res.status).toBe(200);
    expect(res.json!.data).toMatchObject({ Status: 'In Progress', Closed_Time: null, Due_Date: '2025-03-12' });
    const text = (await phone.get(objectPath)).text;
    expect(text).toContain('SUMMARY:Call Patricia (renewal signed?)');
    expect(text).toContain('STATUS:IN-PROCESS');
    expect(text).not.toContain('COMPLETED:');
    expect(text).toContain('DUE;TZID=Europe/Berlin:20250312T090000');
    expect(text).toContain('X-APPLE-SORT-ORDER:763463232');
    expect(text).toContain('X-APPLE-DEFAULT-ALARM:TRUE');
  });

  it('moving Due_Date in the CRM keeps the time of day on the phone', async () => {
    const [task] = (await api(user, 'GET', '/crm/v1/tasks')).json!.data;
    expect((await api(user, 'PATCH', `/crm/v1/tasks/${task!.id}`, { Due_Date: '2025-03-14' })).status).toBe(200);
    expect((await phone.get(objectPath)).text).toContain('DUE;TZID=Europe/Berlin:20250314T090000');
  });

  it('a task made in the CRM appears in the tasks list; completing it there completes it on the phone', async () => {
    const made = await api(user, 'POST', '/crm/v1/tasks', { Subject: 'Send the quote', Due_Date: '2025-04-01', Priority: 'High', Remind_At: '2025-04-01T08:00:00+02:00' });
    expect(made.status).toBe(201);
    const id = made.json!.data.id;
    const listing = await phone.propfind(tasksPath, '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>', '1');
    const hrefs = [...listing.ms.responses.keys()].filter((h) => h !== tasksPath);
    expect(hrefs).toHaveLength(2);
    const href = hrefs.find((h) => !h.endsWith(`${UID}.ics`))!;
    const text = (await phone.get(href)).text;
    expect(text).toContain('BEGIN:VTODO');
    expect(text).toContain('SUMMARY:Send the quote');
    expect(text).toContain('DUE;VALUE=DATE:20250401');
    expect(text).toContain('PRIORITY:3');
    expect(text).toContain('TRIGGER;VALUE=DATE-TIME:20250401T060000Z');

    const closed = await api(user, 'PATCH', `/crm/v1/tasks/${id}`, { Status: 'Completed' });
    expect(closed.json!.data.Closed_Time).toBeTruthy();
    const after = (await phone.get(href)).text;
    expect(after).toContain('STATUS:COMPLETED');
    expect(after).toMatch(/COMPLETED:\d{8}T\d{6}Z/);
  });

  it('bad CRM input is a 400 naming the field, and nothing is written', async () => {
    for (const [body, field] of [
      [{ Subject: 'x', Status: 'Done-ish' }, 'Status'],
      [{ Subject: 'x', Priority: 'Urgent' }, 'Priority'],
      [{ Subject: 'x', Due_Date: '12.03.2025' }, 'Due_Date'],
      [{ Subject: 'x', Recurring_Activity: { RRULE: 'FREQ=WEEKLY' } }, 'Recurring_Activity'],
      [{ Subject: 'x', Remind_At: 'soon' }, 'Remind_At'],
      [{ Due_Date: '2025-03-12' }, 'Subject'],
    ] as const) {
      const res = (await fetch(new URL('/crm/v1/tasks', server.url), { method: 'POST', headers: { authorization: user.authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) })) as Response;
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    }
    expect((await api(user, 'GET', '/crm/v1/tasks')).json!.data).toHaveLength(2);
  });
});

describe('deleting, both ways', () => {
  it('deleting in the CRM removes the reminder from the phone', async () => {
    const tasks = (await api(user, 'GET', '/crm/v1/tasks')).json!.data;
    const crmMade = tasks.find((t) => t.Subject === 'Send the quote')!;
    expect((await api(user, 'DELETE', `/crm/v1/tasks/${crmMade.id}`)).status).toBe(204);
    const listing = await phone.propfind(tasksPath, '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>', '1');
    expect([...listing.ms.responses.keys()].filter((h) => h !== tasksPath)).toEqual([objectPath]);
  });

  it('deleting on the phone deletes the CRM task', async () => {
    const stored = await phone.get(objectPath);
    expect((await phone.delete(objectPath, { 'if-match': stored.headers.get('etag')! })).status).toBe(204);
    expect((await api(user, 'GET', '/crm/v1/tasks')).json!.data).toEqual([]);
  });
});
