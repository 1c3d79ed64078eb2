/**
 * The scheduled handler as EventBridge invokes it (the documented "Scheduled Event" shape),
 * with its App built from the environment on DynamoDB Local, as on AWS.
 */
import { readFileSync } from 'node:fs';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { uidForCrmId } from '../../lambda/crm/mapping';
import { buildApp } from '../../lambda/app/build';
import { fixedApp } from '../../lambda/app/container';
import { handler, scheduledHandler, type ScheduledResult } from '../../lambda/handlers/scheduled';
import type { PassReport } from '../../lambda/jobs/pass';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { PAT, event, user } from '../jobs/world';

const scheduledEvent = JSON.parse(readFileSync(new URL('../fixtures/eventbridge/scheduled-event.json', import.meta.url), 'utf8')) as EventBridgeEvent<'Scheduled Event', Record<string, never>>;

const context = (remainingMs: number) =>
  ({ awsRequestId: 'test-request', functionName: 'scheduled', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

describe('scheduled handler', () => {
  let t: TestTables;
  beforeAll(async () => {
    t = await freshTables();
  });
  afterAll(() => t.drop());

  it('runs the outbox replay, the due exports and reconciliation', async () => {
    const users = new DynamoUserStore(t.doc, t.tables.users);
    await users.putUser(user(PAT, { enabledAt: new Date().toISOString() }));
    const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users });
    // An hour ago: inside the window whatever the time of day (it spans the previous month too).
    const hourAgo = new Date(Date.now() - 3_600_000);
    const saved = await crm.upsertEvent(event(PAT, hourAgo.toISOString(), new Date(hourAgo.getTime() + 1_800_000).toISOString()));
    // The module's own handler: its App is built from process.env on the first invocation.
    Object.assign(process.env, t.env);

    const result = (await handler(scheduledEvent, context(300_000))) as PassReport;
    expect(result.retry).toEqual({ delivered: 0, failed: 0, superseded: 0 });
    expect(result.exports).toMatchObject([{ email: PAT, outcome: 'done', exported: 1, total: 1 }]);
    expect(result.reconcile).toMatchObject({ ran: true, started: true });
    const store = new DynamoCalendarStore(t.doc, { events: t.tables.events, sync: t.tables.sync }, { retentionSeconds: 86_400 });
    expect(await store.findNameByUid(PAT, uidForCrmId(saved.id))).toBe(`${uidForCrmId(saved.id)}.ics`);
  });

  it('invoked with { exportFor } (an enable), runs that user\'s export only, without reconciliation', async () => {
    const app = buildApp({ env: t.env });
    const users = new DynamoUserStore(t.doc, t.tables.users);
    await users.putUser(user('fresh@zillum.com', { enabledAt: new Date().toISOString() }));
    const result = (await scheduledHandler(fixedApp(app))({ exportFor: 'fresh@zillum.com' }, context(300_000))) as PassReport;
    expect(result.exports).toMatchObject([{ email: 'fresh@zillum.com', outcome: 'done' }]);
    expect(result.reconcile).toMatchObject({ ran: false });
    await app.close();
  });

  it('on AWS, writes the outbox backlog age as an embedded-metric-format line', async () => {
    const app = buildApp({ env: t.env });
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await app.crm!.outbox.record({ owner: 'someone.else@zillum.com', name: 'waiting.ics', uids: ['waiting'], at: hoursAgo, error: 'CrmUnavailable: down' });
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'scheduled-test';
    try {
      await scheduledHandler(fixedApp(app))({ exportFor: PAT }, context(300_000)).catch(() => undefined);
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      write.mockRestore();
      await app.close();
    }
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => '_aws' in l)!;
    // Through Powertools Metrics: its `service` dimension, as the alarm in lib/constructs/monitoring.ts reads it.
    expect(emf).toMatchObject({ service: 'crm-caldav', _aws: { CloudWatchMetrics: [{ Namespace: 'crm-caldav', Dimensions: [['service']], Metrics: [{ Name: 'OutboxOldestPendingSeconds', Unit: 'Seconds' }] }] } });
    expect(emf.OutboxOldestPendingSeconds).toBeGreaterThanOrEqual(7_190);
  });

  it('does nothing, and says why, without a CRM connector', async () => {
    const app = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' } });
    const result: ScheduledResult = await scheduledHandler(fixedApp(app))(scheduledEvent, context(300_000));
    await app.close();
    expect(result).toEqual({ skipped: 'no CRM connector configured (CRM_CONNECTOR=none)' });
  });
});
