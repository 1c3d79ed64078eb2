/**
 * Tasks with CRM_CONNECTOR=zoho, end to end: the local server on DynamoDB Local, the Zoho
 * connector against the Zoho simulator. The initial export of the owner's open Zoho tasks; a
 * reminder made on the phone reaching Zoho's Tasks (outbox-first) and its completion; Zoho-side
 * changes reaching the phone through the notification channel, and one whose notification was
 * lost through the scheduled pass's task reconciliation; a phone deletion deleting the Zoho task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../bin/local-server';
import type { ZohoSimulator } from '../../bin/zoho-sim/index';
import type { App } from '../../lambda/app/app';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { RECONCILE_WITH_CHANNEL_MS } from '../../lambda/crm/zoho/upkeep';
import { startZohoWorld, type ZohoWorld } from '../helpers/zoho-world';
import { DavClient, basic, IOS_REMINDER } from '../helpers/server';

const ADMIN_TOKEN = 'zoho-tasks-admin-token-0123456789';
const PAT = 'patriciab@zillum.com';
const ENABLED_AT = Date.parse('2026-12-07T10:00:00Z');
const { ics: REMINDER, uid: UID } = IOS_REMINDER;

let world: ZohoWorld;
let sim: ZohoSimulator;
let app: App;
let server: LocalServer;
let phone: DavClient;

const TASKS = `/calendars/${PAT}/tasks/`;
const admin = (method: string, path: string, body?: unknown) => world.admin(method, path, body);
const zohoTask = (subject: string) => sim.state.records('Tasks').find((r) => r.Subject === subject);
const settle = () => world.settle();
const listTexts = async () => (await app.store.getObjects(`${PAT}#tasks`, (await app.store.listObjects(`${PAT}#tasks`)).map((o) => o.name))).map((o) => o.ics);
const secondLater = () => new Promise((resolve) => setTimeout(resolve, 1100));

beforeAll(async () => {
  world = await startZohoWorld({
    adminToken: ADMIN_TOKEN,
    startAt: ENABLED_AT,
    seed: (sim) => {
      sim.state.addTask({ Subject: 'Open in Zoho', Due_Date: '2026-12-09', Priority: 'High' });
      sim.state.addTask({ Subject: 'Deferred in Zoho', Status: 'Deferred' });
    },
  });
  ({ sim, app, server } = world);
});

afterAll(() => world?.stop());

describe('Zoho Tasks, end to end', () => {
  it("the enable exports the owner's open Zoho tasks to the tasks list", async () => {
    const made = await admin('POST', '/crm/v1/users', { email: PAT, caldavEnabled: true, generatePassword: true });
    expect(made.status).toBe(201);
    const { appPassword } = ((await made.json()) as { data: { appPassword: string } }).data;
    phone = new DavClient(server.url, { email: PAT, password: appPassword, authorization: basic(PAT, appPassword) });
    let progress = { state: '', tasks: null as null | { exported: number } };
    for (let i = 0; i < 100 && progress.state !== 'done'; i++) {
      progress = ((await (await admin('GET', `/crm/v1/users/${PAT}/export`)).json()) as { data: typeof progress }).data;
      if (progress.state !== 'done') await new Promise((r) => setTimeout(r, 50));
    }
    expect(progress.tasks).toMatchObject({ exported: 2 });
    const texts = await listTexts();
    expect(texts.map((x) => /SUMMARY:(.*)/.exec(x)![1]!.trim()).sort()).toEqual(['Deferred in Zoho', 'Open in Zoho']);
    expect(texts.find((x) => x.includes('Open in Zoho'))).toContain('PRIORITY:3');
    expect(texts.find((x) => x.includes('Deferred in Zoho'))).toContain('STATUS:CANCELLED');
  });

  it('a reminder made on the phone reaches Zoho Tasks with its fields; completing it completes the Zoho task', async () => {
    expect((await phone.put(`${TASKS}${UID}.ics`, REMINDER, { 'if-none-match': '*' })).status).toBe(201);
    await settle();
    expect(zohoTask('Call Patricia about the renewal')).toMatchObject({
      Due_Date: '2025-03-12',
      Priority: 'Highest',
      Status: 'Not Started',
      Description: 'Ask about the Q3 numbers',
      // The reminder's instant (08:00 UTC), as the owner's zone (Los Angeles) shows it.
      Remind_At: { ALARM: 'FREQ=NONE;ACTION=POPUP;TRIGGER=DATE-TIME:2025-03-12T01:00:00-07:00' },
    });
    await secondLater();
    const stored = await phone.get(`${TASKS}${UID}.ics`);
    const done = stored.text.replace('STATUS:NEEDS-ACTION', 'STATUS:COMPLETED\r\nCOMPLETED:20250312T101500Z');
    expect((await phone.put(`${TASKS}${UID}.ics`, done, { 'if-match': stored.headers.get('etag')! })).status).toBe(204);
    await settle();
    expect(zohoTask('Call Patricia about the renewal')!.Status).toBe('Completed');
    expect(await app.crm!.outbox.list()).toEqual([]);
  });

  it('Zoho tells us of task changes too: the delivered reminder came back as a Tasks notification, and changed nothing', async () => {
    const tasksCalls = sim.notifications.deliveries().filter((d) => d.payload.module === 'Tasks');
    expect(tasksCalls.length).toBeGreaterThan(0);
    expect(tasksCalls.every((d) => d.status === 200)).toBe(true);
    expect((await listTexts()).filter((x) => x.includes('Call Patricia about the renewal'))).toHaveLength(1);
  });

  it('a Zoho-side create, edit and deletion reach the phone at once, through the notification channel', async () => {
    await secondLater();
    const made = sim.state.addTask({ Subject: 'Made in Zoho', Due_Date: '2026-12-10' });
    await settle();
    expect((await listTexts()).some((x) => x.includes('SUMMARY:Made in Zoho'))).toBe(true);
    const open = zohoTask('Open in Zoho')!;
    sim.state.update('Tasks', String(open.id), { Subject: 'Open in Zoho (edited)', Status: 'Completed' });
    sim.state.remove('Tasks', String(made.id));
    await settle();
    const texts = await listTexts();
    expect(texts.some((x) => x.includes('Made in Zoho'))).toBe(false);
    expect(texts.find((x) => x.includes('SUMMARY:Open in Zoho (edited)'))).toContain('STATUS:COMPLETED');
  });

  it("a change whose notification was lost reaches the phone with the scheduled pass's task reconciliation, at the events feed's hourly rhythm", async () => {
    await secondLater();
    // Reading the notified task again fails once: the webhook applies nothing, and Zoho does not call again.
    sim.faults.inject({ method: 'GET', path: /^\/crm\/v8\/Tasks\?.*\bids=/ }, { kind: 'respond', status: 400, body: { code: 'INVALID_REQUEST', status: 'error', message: 'scripted', details: {} } }, 1);
    sim.state.remove('Tasks', String(zohoTask('Deferred in Zoho')!.id));
    await settle();
    sim.faults.clear();
    expect((await listTexts()).some((x) => x.includes('Deferred in Zoho'))).toBe(true);
    // While the channel lives, the tasks feed is read hourly like the events feed (API credits).
    expect((await runScheduledPass(app.jobDeps!)).reconcileTasks).toBeUndefined();
    sim.clock.advance(RECONCILE_WITH_CHANNEL_MS);
    const pass = await runScheduledPass(app.jobDeps!);
    expect(pass.reconcileTasks).toMatchObject({ ran: true, failed: 0 });
    expect((await listTexts()).some((x) => x.includes('Deferred in Zoho'))).toBe(false);
  });

  it('deleting on the phone deletes the Zoho task', async () => {
    await secondLater();
    const stored = await phone.get(`${TASKS}${UID}.ics`);
    expect((await phone.delete(`${TASKS}${UID}.ics`, { 'if-match': stored.headers.get('etag')! })).status).toBe(204);
    await settle();
    expect(zohoTask('Call Patricia about the renewal')).toBeUndefined();
  });
});
