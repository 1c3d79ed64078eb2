/**
 * The local server's timer stands in for the EventBridge rule: it invokes the scheduled Lambda
 * handler on the server's own DynamoDB, so CRM events written straight into the CRM reach the
 * phone with no request made, first through the initial export, then through reconciliation.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { repeatWithoutOverlap, scheduleOf, scheduledEvent, startLocalServer, type LocalServer } from '../../bin/local-server';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { uidForCrmId } from '../../lambda/crm/mapping';
import { hashPassword } from '../../lambda/accounts/passwords';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { PAT, event, user } from '../jobs/world';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('the timer', () => {
  it('never starts a run while one is in progress, and stop() waits for the one running', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const timer = repeatWithoutOverlap(
      async () => {
        maxActive = Math.max(maxActive, ++active);
        runs++;
        await sleep(50);
        active--;
      },
      { firstRunMs: 0, intervalMs: 5 },
    );
    await waitFor('three runs', () => runs >= 3);
    await timer.stop();
    expect(active).toBe(0);
    expect(maxActive).toBe(1);
    const after = runs;
    await sleep(100);
    expect(runs).toBe(after);
  });

  it('keeps going after a run that throws', async () => {
    let runs = 0;
    const timer = repeatWithoutOverlap(
      async () => {
        runs++;
        throw new Error('boom');
      },
      { firstRunMs: 0, intervalMs: 5 },
    );
    await waitFor('two runs', () => runs >= 2);
    await timer.stop();
  });
});

describe('schedule options', () => {
  it('is off unless asked for', () => {
    expect(scheduleOf({})).toBeNull();
    expect(scheduleOf({ scheduleMinutes: 0 })).toBeNull();
    expect(() => scheduleOf({ scheduleMinutes: -1 })).toThrow(/minutes/);
  });

  it('gives each run the CDK function timeout: min(5 minutes, the interval)', () => {
    expect(scheduleOf({ scheduleMinutes: 15 })).toEqual({ intervalMs: 900_000, firstRunMs: 5_000, budgetMs: 300_000 });
    expect(scheduleOf({ scheduleMinutes: 2 })).toEqual({ intervalMs: 120_000, firstRunMs: 5_000, budgetMs: 120_000 });
    expect(scheduleOf({ scheduleMinutes: 0.5, scheduleFirstRunMs: 0, scheduleBudgetMs: 1000 })).toEqual({ intervalMs: 30_000, firstRunMs: 0, budgetMs: 1000 });
  });

  it('sends the event EventBridge sends for a rate() rule', () => {
    const documented = JSON.parse(readFileSync(new URL('../fixtures/eventbridge/scheduled-event.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const sent = scheduledEvent('id-1', new Date('2026-11-25T12:00:00.123Z'));
    expect(Object.keys(sent).sort()).toEqual(Object.keys(documented).sort());
    expect(sent).toMatchObject({ version: '0', id: 'id-1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-25T12:00:00Z', detail: {} });
    expect(sent.resources).toHaveLength(1);
  });
});

describe('local server on DynamoDB Local with a schedule', () => {
  const PASSWORD = 'abcd-efgh-jkmn-pqrs';
  const authorization = `Basic ${Buffer.from(`${PAT}:${PASSWORD}`).toString('base64')}`;
  let t: TestTables;
  let crm: BuiltinCrm;
  let server: LocalServer;
  // Powertools' Logger writes straight to the process's stdout (as Lambda's runtime reads it).
  let log: MockInstance<typeof process.stdout.write>;
  const runLines = () => log.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('"message":"schedule timer: '));
  const get = (id: string) =>
    fetch(new URL(`/calendars/${PAT}/crm/${uidForCrmId(id)}.ics`, server.url), { headers: { authorization } });

  beforeAll(async () => {
    t = await freshTables();
    const users = new DynamoUserStore(t.doc, t.tables.users);
    await users.putUser(user(PAT, { enabledAt: new Date().toISOString(), passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) }));
    crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users });
  });
  afterEach(() => log?.mockRestore());
  afterAll(async () => {
    await server?.stop();
    await t?.drop();
  });

  it('exports through the scheduled handler, then reconciles on later runs; nothing runs after stop()', async () => {
    // An hour ago: inside the export window whatever the time of day.
    const hourAgo = Date.now() - 3_600_000;
    const first = await crm.upsertEvent(event(PAT, new Date(hourAgo).toISOString(), new Date(hourAgo + 1_800_000).toISOString()));
    log = vi.spyOn(process.stdout, 'write');
    server = await startLocalServer({
      port: 0,
      dynamodbEndpoint: t.endpoint,
      env: { ...process.env, ...t.env },
      scheduleMinutes: 0.02,
      scheduleFirstRunMs: 0,
      scheduleBudgetMs: 60_000,
    });
    expect(server.schedule).toEqual({ intervalMs: 1200, firstRunMs: 0, budgetMs: 60_000 });

    await waitFor('the first scheduled run', () => runLines().length >= 1);
    expect(runLines()[0]).toContain(`exports: ${PAT} done 1/1`);
    const exported = await get(first.id);
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain(`UID:${uidForCrmId(first.id)}`);

    // Written after the first run recorded the feed's end: only a later run's reconciliation brings it.
    const second = await crm.upsertEvent(event(PAT, new Date(hourAgo + 86_400_000).toISOString(), new Date(hourAgo + 86_400_000 + 1_800_000).toISOString()));
    await waitFor('a run reconciling it', () => runLines().some((line) => line.includes('reconciliation: 1 of 1 changes applied')));
    expect((await get(second.id)).status).toBe(200);

    await server.stop();
    const runs = runLines().length;
    await sleep(1_500);
    expect(runLines().length).toBe(runs);
  });
});
