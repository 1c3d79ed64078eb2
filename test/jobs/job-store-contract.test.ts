/** One contract for both job stores: memory always, DynamoDB on the run's DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import type { JobStore, Lease } from '../../lambda/jobs/job-store';
import { DynamoJobStore } from '../../lambda/jobs/job-store-dynamodb';
import { MemoryJobStore } from '../../lambda/jobs/job-store-memory';
import { JOBS_TABLE } from '../../lambda/store/dynamodb/schema';
import { tablePerTest } from '../helpers/dynamo';

const PAT = 'Patriciab@zillum.com';
const ENABLED = '2026-11-25T10:00:00.000Z';
const T0 = new Date('2026-11-25T12:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const lease = (holder: string, until = T0.getTime() + 60_000): Lease => ({ holder, until });
const PLAN = { ids: Array.from({ length: 230 }, (_, i) => `ev-${i}`), leftOut: 5, windowStart: '2026-10-01T00:00:00.000Z', windowEnd: '2026-11-26T00:00:00.000Z' };

function contract(make: () => Promise<JobStore>) {
  it('creates one job per enable, lower-cased, and lets one run hold it', async () => {
    const store = await make();
    const job = await store.claimExport(PAT, ENABLED, lease('a'), T0);
    expect(job).toMatchObject({ email: PAT.toLowerCase(), enabledAt: ENABLED, status: 'running', planned: false, attempts: 1, next: 0 });
    expect(await store.claimExport(PAT, ENABLED, lease('b'), later(1000))).toBeNull();
    // The lease ran out: another run resumes the same job.
    expect(await store.claimExport(PAT, ENABLED, lease('b', T0.getTime() + 200_000), later(61_000))).toMatchObject({ attempts: 2 });
    expect((await store.listExports()).map((j) => j.email)).toEqual([PAT.toLowerCase()]);
  });

  it('stores the plan in order and its counts; only the lease holder changes the job', async () => {
    const store = await make();
    const job = (await store.claimExport(PAT, ENABLED, lease('a'), T0))!;
    expect(await store.savePlan(job, lease('intruder'), PLAN)).toBe(false);
    expect(await store.savePlan(job, lease('a'), PLAN)).toBe(true);
    expect(await store.readPlan(job)).toEqual(PLAN.ids);
    expect(await store.getExport(PAT)).toMatchObject({ planned: true, total: 230, leftOut: 5, windowStart: PLAN.windowStart, windowEnd: PLAN.windowEnd });
    expect(await store.checkpoint(PAT, lease('intruder'), { next: 1, exported: 1, skipped: 0 }, later(1))).toBe(false);
    expect(await store.checkpoint(PAT, lease('a', T0.getTime() + 120_000), { next: 25, exported: 24, skipped: 1 }, later(2))).toBe(true);
    expect(await store.getExport(PAT)).toMatchObject({ next: 25, exported: 24, skipped: 1 });
    // The checkpoint renewed the lease: still held after the first `until`.
    expect(await store.claimExport(PAT, ENABLED, lease('b'), later(90_000))).toBeNull();
  });

  it('ends a run: done is final, failed can be resumed, a later enable starts over', async () => {
    const store = await make();
    await store.claimExport(PAT, ENABLED, lease('a'), T0);
    expect(await store.release(PAT, lease('a'), 'failed', later(1), 'CrmUnavailable: down')).toBe(true);
    expect(await store.getExport(PAT)).toMatchObject({ status: 'failed', reason: 'CrmUnavailable: down' });
    const resumed = await store.claimExport(PAT, ENABLED, lease('b'), later(2));
    expect(resumed).toMatchObject({ status: 'running', attempts: 2 });
    expect(resumed?.reason).toBeUndefined();
    expect(await store.release(PAT, lease('b'), 'done', later(3))).toBe(true);
    expect(await store.getExport(PAT)).toMatchObject({ status: 'done', finishedAt: later(3).toISOString() });
    expect(await store.claimExport(PAT, ENABLED, lease('c'), later(4))).toBeNull();
    const again = '2026-12-01T09:00:00.000Z';
    expect(await store.claimExport(PAT, again, lease('c'), later(5))).toMatchObject({ enabledAt: again, attempts: 1, planned: false });
  });

  it('cancels only a job no run holds', async () => {
    const store = await make();
    await store.claimExport(PAT, ENABLED, lease('a'), T0);
    expect(await store.cancelExport(PAT, 'CalDAV disabled', later(1))).toBe(false);
    expect(await store.cancelExport(PAT, 'CalDAV disabled', later(61_000))).toBe(true);
    expect(await store.getExport(PAT)).toMatchObject({ status: 'cancelled', reason: 'CalDAV disabled' });
    expect(await store.cancelExport('nobody@zillum.com', 'x', later(1))).toBe(false);
  });

  it('keeps one reconciliation cursor under a lease', async () => {
    const store = await make();
    expect(await store.getReconcile()).toEqual({ cursor: null });
    expect(await store.claimReconcile(lease('a'), T0)).toEqual({ cursor: null });
    expect(await store.claimReconcile(lease('b'), later(1))).toBeNull();
    expect(await store.advanceReconcile(lease('b'), 'x')).toBe(false);
    expect(await store.advanceReconcile(lease('a'), 'c1')).toBe(true);
    await store.releaseReconcile(lease('b'), { at: later(2).toISOString(), applied: 9 });
    await store.releaseReconcile(lease('a'), { at: later(2).toISOString(), applied: 3 });
    expect(await store.getReconcile()).toEqual({ cursor: 'c1', lastRunAt: later(2).toISOString(), lastApplied: 3 });
    expect(await store.claimReconcile(lease('b'), later(3))).toMatchObject({ cursor: 'c1' });
  });
}

describe('MemoryJobStore', () => contract(async () => new MemoryJobStore()));

describe('DynamoJobStore', () => contract(tablePerTest(JOBS_TABLE, (doc, table) => new DynamoJobStore(doc, table))));
