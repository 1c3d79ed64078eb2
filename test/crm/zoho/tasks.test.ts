/**
 * The Zoho connector's Tasks (lambda/crm/zoho/tasks.ts) against the Zoho simulator: picklists
 * from the org's field metadata, create with the CalDAV link, read back with Zoho's field names,
 * conflicts, completion, listing by owner and closed-since, deletion as a tombstone, the feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZohoSimulator } from '../../../bin/zoho-sim/index';
import { buildZoho, zohoConfigFromEnv } from '../../../lambda/crm/zoho';
import { taskPicklistsFromFields } from '../../../lambda/crm/zoho/task-mapping';
import { attachZohoTasks } from '../../../lambda/crm/zoho/tasks';
import { CrmConflict, CrmNotFound, taskFieldDefaults, type CrmTaskConnector, type CrmTaskDraft } from '../../../lambda/crm/types';
import { KeyReader } from '../../../lambda/platform/dynamodb/key-reader';
import { freshTables, type TestTables } from '../../helpers/dynamo';

const EMAIL = 'tina@zylker.example';
let sim: Awaited<ReturnType<typeof startZohoSimulator>>;
let t: TestTables;
let tasks: CrmTaskConnector;
let ownerId: string;

beforeAll(async () => {
  sim = await startZohoSimulator({ searchIndexDelayMs: 0 });
  ownerId = sim.state.addUser({ email: EMAIL, firstName: 'Tina', lastName: 'Task', timeZone: 'Europe/Berlin' }).id;
  t = await freshTables();
  const config = zohoConfigFromEnv(sim.connectorEnv());
  tasks = attachZohoTasks(buildZoho({ config, doc: t.doc, table: t.tables.crm, reader: new KeyReader(t.doc) }).connector).tasks!;
});
afterAll(async () => {
  await sim?.stop();
  await t?.drop();
});

const draft = (fields: Partial<CrmTaskDraft>): CrmTaskDraft => ({
  Subject: 'Call back',
  ...taskFieldDefaults(),
  Owner: { id: '', email: EMAIL, name: 'Tina Task' },
  caldav: null,
  ...fields,
});

describe('picklists', () => {
  it("are read from the org's Tasks field metadata, each value placed by its meaning", async () => {
    const p = await tasks.picklists();
    expect(p.status).toEqual({ 'NEEDS-ACTION': ['Not Started'], 'IN-PROCESS': ['In Progress', 'Waiting for input'], COMPLETED: ['Completed'], CANCELLED: ['Deferred'] });
    expect(p.defaults).toEqual({ status: 'Not Started', priority: 'Normal' });
    expect(p.priority.find((x) => x.value === 'Highest')).toEqual({ value: 'Highest', writes: 1, reads: [1] });
  });

  it('take customised values (objects with actual_value, as Zoho answers) and cover every PRIORITY level', () => {
    const p = taskPicklistsFromFields([
      { api_name: 'Status', pick_list_values: [{ display_value: 'Offen', actual_value: 'Open' }, { actual_value: 'Done' }, { actual_value: 'Blocked' }] },
      { api_name: 'Priority', pick_list_values: [{ actual_value: 'High' }, { actual_value: 'Urgent' }, { actual_value: 'Normal' }] },
    ]);
    expect(p.status).toEqual({ 'NEEDS-ACTION': ['Open'], 'IN-PROCESS': ['Blocked'], COMPLETED: ['Done'], CANCELLED: [] });
    const levels = p.priority.flatMap((x) => x.reads).sort((a, b) => a - b);
    expect(levels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.priority.find((x) => x.value === 'Urgent')).toEqual({ value: 'Urgent', writes: 0, reads: [] });
  });
});

describe('records', () => {
  let id: string;

  it('a create sends Zoho field names (ALARM reminder, RRULE, our UID field) and keeps the link on our side', async () => {
    const made = await tasks.upsertTask(
      draft({ Subject: 'Send the quote', Due_Date: '2026-12-10', Priority: 'High', Remind_At: '2026-12-10T08:00:00+01:00', Recurring_Activity: { RRULE: 'FREQ=WEEKLY;COUNT=3' }, caldav: { uid: 'T-1', name: 'T-1.ics', ics: 'BEGIN:VCALENDAR…' } }),
    );
    id = made.id;
    const record = sim.state.record('Tasks', id)!;
    expect(record).toMatchObject({ Subject: 'Send the quote', Due_Date: '2026-12-10', Priority: 'High', Status: 'Not Started', Remind_At: { ALARM: 'FREQ=NONE;ACTION=POPUP;TRIGGER=DATE-TIME:2026-12-10T08:00:00+01:00' } });
    expect((record.Recurring_Activity as { RRULE: string }).RRULE).toContain('FREQ=WEEKLY');
    expect(Object.keys(record).some((k) => /CalDAV_UID/i.test(k))).toBe(true);
    const read = (await tasks.getTask(id))!;
    expect(read).toMatchObject({ id, Subject: 'Send the quote', Due_Date: '2026-12-10', Remind_At: '2026-12-10T08:00:00+01:00', Owner: { id: ownerId, email: EMAIL }, caldav: { uid: 'T-1', name: 'T-1.ics' }, Deleted: false });
    expect(await tasks.findTaskByUid(EMAIL, 'T-1')).toMatchObject({ id });
  });

  it('an update with a stale version is a conflict carrying the record as it is now', async () => {
    const current = (await tasks.getTask(id))!;
    // Zoho versions by the second: the edit must fall in a later one to be told from ours.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    sim.state.update('Tasks', id, { Description: 'changed in Zoho' });
    await expect(tasks.upsertTask({ ...current, Subject: 'Mine' }, { ifModified: current.Modified_Time })).rejects.toBeInstanceOf(CrmConflict);
  });

  it('completing sets Status Completed with a Closed_Time; listing with closedSince keeps open and recent ones', async () => {
    const current = (await tasks.getTask(id))!;
    const done = await tasks.upsertTask({ ...current, Status: 'Completed', Closed_Time: '2026-12-05T10:00:00.000Z' });
    expect(done).toMatchObject({ Status: 'Completed', Closed_Time: '2026-12-05T10:00:00.000Z' });
    expect(sim.state.record('Tasks', id)!.Status).toBe('Completed');
    await tasks.upsertTask(draft({ Subject: 'Open one' }));
    expect((await tasks.listTasks(EMAIL)).map((x) => x.Subject).sort()).toEqual(['Open one', 'Send the quote']);
    expect((await tasks.listTasks(EMAIL, { closedSince: '2026-12-06T00:00:00.000Z' })).map((x) => x.Subject)).toEqual(['Open one']);
  });

  it('the feed hands out changed and deleted tasks; a deleted one reads back as its tombstone', async () => {
    const first = await tasks.listTaskChangesSince(null);
    expect(first.tasks.map((x) => x.id)).toContain(id);
    await tasks.deleteTask(id);
    const gone = (await tasks.getTask(id))!;
    expect(gone).toMatchObject({ id, Deleted: true, Owner: { email: EMAIL }, caldav: { uid: 'T-1' } });
    expect(await tasks.findTaskByUid(EMAIL, 'T-1')).toBeNull();
    await expect(tasks.deleteTask(id)).rejects.toBeInstanceOf(CrmNotFound);
    const after = await tasks.listTaskChangesSince(first.nextCursor);
    expect(after.deletedIds).toContain(id);
  });
});
