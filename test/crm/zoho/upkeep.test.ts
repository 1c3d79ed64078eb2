/**
 * The notification channel the Zoho upkeep keeps (lambda/crm/zoho/upkeep.ts), against the Zoho
 * simulator: it watches Events, and Tasks once the connector syncs them; a channel made before
 * Tasks were watched (its saved state lists no events) is replaced at the next pass, not left
 * until its renewal days later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZohoSimulator } from '../../../bin/zoho-sim/index';
import { buildZoho, zohoConfigFromEnv } from '../../../lambda/crm/zoho';
import { attachZohoTasks } from '../../../lambda/crm/zoho/tasks';
import { KeyReader } from '../../../lambda/platform/dynamodb/key-reader';
import { freshTables, type TestTables } from '../../helpers/dynamo';

let sim: Awaited<ReturnType<typeof startZohoSimulator>>;
let t: TestTables;

beforeAll(async () => {
  sim = await startZohoSimulator({ searchIndexDelayMs: 0 });
  sim.state.addUser({ email: 'tina@zylker.example', firstName: 'Tina', lastName: 'Task' });
  t = await freshTables();
});
afterAll(async () => {
  await sim?.stop();
  await t?.drop();
});

/** Nothing listens there: a callback is recorded by the simulator and refused. */
const NOTIFY_URL = 'http://127.0.0.1:9/crm/zoho/notify';

/** Which modules Zoho called us about after `change`. */
async function notifiedModules(change: () => void): Promise<string[]> {
  const before = sim.notifications.deliveries().length;
  change();
  await sim.notifications.settled();
  return [...new Set(sim.notifications.deliveries().slice(before).map((d) => String(d.payload.module)))];
}

describe('the notification channel', () => {
  it('watches Events, then Tasks as well from the first pass after tasks sync, replacing the channel in place', async () => {
    const zoho = buildZoho({ config: zohoConfigFromEnv({ ...sim.connectorEnv(), ZOHO_NOTIFY_URL: NOTIFY_URL }), doc: t.doc, table: t.tables.crm, reader: new KeyReader(t.doc) });
    expect(await zoho.upkeep.run()).toMatchObject({ channel: 'created' });
    expect((await zoho.state.channel())?.events).toEqual(['Events.create', 'Events.edit', 'Events.delete']);
    expect(await notifiedModules(() => sim.state.addTask({ Subject: 'Not watched yet' }))).toEqual([]);
    expect(await zoho.upkeep.run()).toMatchObject({ channel: 'kept' });

    attachZohoTasks(zoho.connector);
    expect(await zoho.upkeep.run()).toMatchObject({ channel: 'renewed' });
    expect((await zoho.state.channel())?.events).toEqual(['Events.create', 'Events.edit', 'Events.delete', 'Tasks.create', 'Tasks.edit', 'Tasks.delete']);
    expect(sim.notifications.channels()).toHaveLength(1);
    expect(await notifiedModules(() => sim.state.addTask({ Subject: 'Watched' }))).toEqual(['Tasks']);
    expect(await notifiedModules(() => sim.state.addEvent({ Event_Title: 'Still watched', Start_DateTime: '2026-12-11T14:00:00+01:00', End_DateTime: '2026-12-11T15:00:00+01:00' }))).toEqual(['Events']);
    expect(await zoho.upkeep.run()).toMatchObject({ channel: 'kept' });
  });

  it('replaces a channel saved before the watched events were kept (Events only) once tasks sync', async () => {
    const zoho = buildZoho({ config: zohoConfigFromEnv({ ...sim.connectorEnv(), ZOHO_NOTIFY_URL: NOTIFY_URL }), doc: t.doc, table: t.tables.crm, reader: new KeyReader(t.doc) });
    // A channel as an earlier release saved it: Events only, no list kept.
    await zoho.upkeep.run();
    expect((await zoho.state.channel())?.events).toEqual(['Events.create', 'Events.edit', 'Events.delete']);
    const { events: _events, ...before } = (await zoho.state.channel())!;
    await zoho.state.saveChannel(before);
    expect(await zoho.upkeep.run()).toMatchObject({ channel: 'kept' });
    attachZohoTasks(zoho.connector);
    expect(await zoho.upkeep.run()).toMatchObject({ channel: 'renewed' });
    expect((await zoho.state.channel())?.events).toContain('Tasks.edit');
  });
});
