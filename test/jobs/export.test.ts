/** The initial export on DynamoDB Local: window, limit, ownership, crash and resume, cancel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uidForCrmId } from '../../lambda/crm/mapping';
import { runExport } from '../../lambda/jobs/export';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { exportProgress } from '../../lambda/jobs/progress';
import { ENABLED_AT, PAT, SAM, event, jobWorld, user, type JobWorld } from './world';

/** `email`'s export as the scheduled pass starts it: the CRM user, at the enable the users table holds. */
const exportFor = async (w: JobWorld, email: string, deps = w.deps) => runExport(deps, (await w.crm.getUser(email))!, (await w.users.getUser(email))!.enabledAt!);

describe('initial export: the window', () => {
  let w: JobWorld;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    w = await jobWorld();
    const add = async (key: string, draft: Parameters<JobWorld['save']>[0]) => (ids[key] = (await w.save(draft)).id);
    await add('firstMinute', event(PAT, '2026-10-01T00:00:00+02:00', '2026-10-01T01:00:00+02:00'));
    await add('minuteBefore', event(PAT, '2026-09-30T23:59:00+02:00', '2026-10-01T00:30:00+02:00'));
    await add('enableDay', event(PAT, '2026-11-25T23:30:00+01:00', '2026-11-26T00:30:00+01:00'));
    await add('dayAfter', event(PAT, '2026-11-26T00:00:00+01:00', '2026-11-26T01:00:00+01:00'));
    await add('allDayIn', event(PAT, '2026-10-01', '2026-10-01', { All_day: true }));
    await add('allDayOut', event(PAT, '2026-11-26', '2026-11-26', { All_day: true }));
    await add('weeklySince2025', event(PAT, '2025-01-06T09:00:00+01:00', '2025-01-06T09:30:00+01:00', { Recurring_Activity: { RRULE: 'FREQ=WEEKLY;BYDAY=MO' } }));
    await add('seriesEnded', event(PAT, '2026-01-05T09:00:00+01:00', '2026-01-05T09:30:00+01:00', { Recurring_Activity: { RRULE: 'FREQ=WEEKLY;UNTIL=20260901T000000Z' } }));
    await add('samsOwn', event(SAM, '2026-11-10T10:00:00+01:00', '2026-11-10T11:00:00+01:00'));
    const gone = await add('deleted', event(PAT, '2026-11-11T10:00:00+01:00', '2026-11-11T11:00:00+01:00'));
    await w.crm.deleteEvent(gone);
  });
  afterAll(() => w.t.drop());

  it('exports events starting from 00:00 on the first day of the previous month to the end of the enable day, own events only', async () => {
    const report = await runScheduledPass(w.deps);
    expect(report.exports.map((r) => ('outcome' in r ? [r.email, r.outcome] : r))).toEqual([
      [PAT, 'done'],
      [SAM, 'done'],
    ]);
    expect(await w.uids(PAT)).toEqual(['firstMinute', 'enableDay', 'allDayIn', 'weeklySince2025'].map((k) => uidForCrmId(ids[k]!)).sort());
    expect(await w.uids(SAM)).toEqual([uidForCrmId(ids.samsOwn!)]);
  });

  it('reports done with the counts and the window, and does not run again', async () => {
    const job = await w.jobs.getExport(PAT);
    expect(job).toMatchObject({ status: 'done', total: 4, exported: 4, skipped: 0, leftOut: 0, windowStart: '2026-09-30T22:00:00.000Z', windowEnd: '2026-11-25T23:00:00.000Z' });
    const view = exportProgress((await w.users.getUser(PAT))!, job);
    expect(view.state).toBe('done');
    expect(view.summary).toBe('done: 4 exported');
    const seq = (await w.store.getCalendar(PAT)).seq;
    const again = await runScheduledPass(w.deps);
    expect(again.exports).toEqual([]);
    expect((await w.store.getCalendar(PAT)).seq).toBe(seq);
  });

  it('shows a newly enabled user as queued until the next run', async () => {
    await w.users.putUser(user('new@zillum.com', { enabledAt: '2026-11-25T11:59:00.000Z' }));
    const view = exportProgress((await w.users.getUser('new@zillum.com'))!, await w.jobs.getExport('new@zillum.com'));
    expect(view).toMatchObject({ state: 'queued', summary: 'queued: the export starts at the next scheduled run' });
  });

  it('after the export, later CRM events of any date sync normally', async () => {
    const later = await w.crm.upsertEvent(event(PAT, '2030-01-01T10:00:00+01:00', '2030-01-01T11:00:00+01:00'));
    await w.deps.listener.eventSaved(later, null);
    expect(await w.uids(PAT)).toContain(uidForCrmId(later.id));
  });
});

describe('initial export: the limit', () => {
  let w: JobWorld;
  const starts: Array<{ id: string; start: number }> = [];
  beforeAll(async () => {
    w = await jobWorld([user(PAT)]);
    // 2,500 one-hour events, one every 30 minutes backwards from the enable day's evening,
    // bulk-loaded into the CRM's table as an import would.
    const last = Date.parse('2026-11-25T22:00:00Z');
    const drafts = Array.from({ length: 2500 }, (_, i) => {
      const start = last - i * 30 * 60_000;
      return event(PAT, new Date(start).toISOString(), new Date(start + 3_600_000).toISOString());
    });
    const saved = await w.bulkLoad(drafts);
    starts.push(...saved.map((e) => ({ id: e.id, start: Date.parse(e.Start_DateTime) })));
  }, 120_000);
  afterAll(() => w.t.drop());

  it('exports exactly the 2,000 nearest the enable date and records how many were left out', async () => {
    const run = await exportFor(w, PAT);
    expect(run).toMatchObject({ outcome: 'done', exported: 2000, total: 2000 });
    const enabled = Date.parse(ENABLED_AT);
    const nearest = [...starts].sort((a, b) => Math.abs(a.start - enabled) - Math.abs(b.start - enabled)).slice(0, 2000);
    expect(await w.uids(PAT)).toEqual(nearest.map((s) => uidForCrmId(s.id)).sort());
    expect(await w.jobs.getExport(PAT)).toMatchObject({ status: 'done', total: 2000, exported: 2000, leftOut: 500 });
    expect(exportProgress((await w.users.getUser(PAT))!, await w.jobs.getExport(PAT)).summary).toBe('done: 2000 exported, 500 left out beyond the limit of the nearest 2000');
  }, 120_000);
});

describe('initial export: crash, resume, cancel and overlap', () => {
  let w: JobWorld;
  beforeAll(async () => {
    w = await jobWorld([user(PAT)]);
    for (let day = 1; day <= 30; day++) {
      const d = String(day).padStart(2, '0');
      for (const hour of ['09', '14']) await w.save(event(PAT, `2026-11-${d}T${hour}:00:00+01:00`, `2026-11-${d}T${hour}:30:00+01:00`));
    }
  }, 60_000);
  afterAll(() => w.t.drop());

  it('a crash after a written batch, before its checkpoint, then a re-run: every event exactly once', async () => {
    const crash = new Error('injected crash');
    const crashed = await exportFor(w, PAT, { ...w.deps, batchSize: 10, afterBatch: (_e, batch) => { if (batch === 2) throw crash; } });
    expect(crashed).toMatchObject({ outcome: 'failed', reason: 'Error: injected crash' });
    expect((await w.uids(PAT)).length).toBe(30);
    const failed = await w.jobs.getExport(PAT);
    expect(failed).toMatchObject({ status: 'failed', next: 20, exported: 20, total: 50 });
    expect(exportProgress((await w.users.getUser(PAT))!, failed).summary).toMatch(/^failed: Error: injected crash \(attempt 1; the next run resumes at 20 of 50\)$/);

    const resumed = await exportFor(w, PAT, { ...w.deps, batchSize: 10 });
    expect(resumed).toMatchObject({ outcome: 'done', total: 50 });
    const uids = await w.uids(PAT);
    expect(uids.length).toBe(50);
    expect(new Set(uids).size).toBe(50);
    // The change log holds each object's creation once: the re-run batch created nothing twice.
    const changes = (await w.store.changesSince(PAT, 0))!;
    expect(changes.length).toBe(50);
    expect(new Set(changes.map((c) => c.name)).size).toBe(50);
    expect(await w.jobs.getExport(PAT)).toMatchObject({ status: 'done', exported: 50, skipped: 0, attempts: 2 });
  });

  it('a lease left by a run that died stops others until it runs out', async () => {
    const sam = user(SAM, { enabledAt: '2026-11-25T11:00:00.000Z' });
    await w.users.putUser(sam);
    const until = w.clock.now.getTime() + 60_000;
    expect(await w.jobs.claimExport(SAM, sam.enabledAt!, { holder: 'dead-run', until }, w.clock.now)).not.toBeNull();
    expect((await exportFor(w, SAM)).outcome).toBe('not-claimed');
    w.clock.now = new Date(until + 1);
    expect((await exportFor(w, SAM)).outcome).toBe('done');
    w.clock.now = new Date('2026-11-25T12:00:00.000Z');
  });

  it('two runs at once: one does the work, the other stands aside', async () => {
    const reenabled = '2026-11-25T11:30:00.000Z';
    await w.users.putUser(user(PAT, { enabledAt: reenabled }));
    const runs = await Promise.all([exportFor(w, PAT), exportFor(w, PAT)]);
    expect(runs.map((r) => r.outcome).sort()).toEqual(['done', 'not-claimed']);
    // Everything was there already: the new job found it all in place and duplicated nothing.
    expect(await w.jobs.getExport(PAT)).toMatchObject({ enabledAt: reenabled, status: 'done', exported: 50, skipped: 0 });
    expect((await w.store.changesSince(PAT, 0))!.length).toBe(50);
    expect((await w.uids(PAT)).length).toBe(50);
  });

  it('a user disabled mid-export stops cleanly at the next batch and shows cancelled', async () => {
    const ned = 'ned@zillum.com';
    await w.users.putUser(user(ned, { enabledAt: '2026-11-25T11:45:00.000Z' }));
    for (let day = 1; day <= 5; day++) await w.save(event(ned, `2026-11-0${day}T09:00:00+01:00`, `2026-11-0${day}T10:00:00+01:00`));
    const run = await exportFor(w, ned, {
      ...w.deps,
      batchSize: 2,
      afterBatch: async (email, batch) => {
        if (batch === 0) await w.users.putUser({ ...(await w.users.getUser(email))!, enabled: false });
      },
    });
    expect(run).toMatchObject({ outcome: 'cancelled', exported: 2, reason: 'CalDAV access was disabled during the export' });
    expect((await w.uids(ned)).length).toBe(2);
    const job = await w.jobs.getExport(ned);
    expect(exportProgress((await w.users.getUser(ned))!, job)).toMatchObject({ state: 'cancelled', done: 2, total: 5 });
    // Nothing more happens while disabled; enabling again queues a fresh export.
    expect((await runScheduledPass({ ...w.deps }, { email: ned, exportsOnly: true })).exports).toEqual([]);
    await w.users.putUser(user(ned, { enabledAt: '2026-11-25T11:50:00.000Z' }));
    expect(exportProgress((await w.users.getUser(ned))!, await w.jobs.getExport(ned)).state).toBe('queued');
    const report = await runScheduledPass(w.deps, { email: ned, exportsOnly: true });
    expect(report.exports).toMatchObject([{ email: ned, outcome: 'done', exported: 5, total: 5 }]);
    expect((await w.store.changesSince(ned, 0))!.length).toBe(5);
    expect((await w.uids(ned)).length).toBe(5);
  });
});
