/** `crm-caldav export status` and `jobs run`: the pure commands on fakes, then end to end on DynamoDB Local. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatPass, main, runExportCommand, runJobsCommand, type CliIo, type JobsTarget } from '../../bin/cli';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import type { ExportJob } from '../../lambda/jobs/job-store';
import type { PassReport } from '../../lambda/jobs/pass';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { DynamoAuditStore } from '../../lambda/accounts/audit-store-dynamodb';
import { cliActor } from '../../bin/lib/cli-audit';
import { MemoryUserStore } from '../../lambda/store/memory';
import type { UserRecord } from '../../lambda/store/types';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { event } from '../jobs/world';
import { JOB_ENABLED_AT, exportJob } from '../jobs/fixtures';

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const ENABLED_AT = JOB_ENABLED_AT;
const record = (email: string, extra: Partial<UserRecord> = {}): UserRecord => ({
  email,
  passwordHash: '',
  enabled: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  enabledAt: ENABLED_AT,
  timeZone: 'Europe/Berlin',
  ...extra,
});

const job = exportJob;

async function fakeTarget(records: UserRecord[], jobs: ExportJob[], run: JobsTarget['run'] = null): Promise<JobsTarget> {
  const users = new MemoryUserStore();
  for (const r of records) await users.putUser(r);
  return {
    users,
    jobs: { getExport: async (email) => jobs.find((j) => j.email === email) ?? null, listExports: async () => jobs },
    run,
  };
}

const quietPass = (extra: Partial<PassReport> = {}): PassReport => ({
  retry: { delivered: 0, failed: 0, superseded: 0 },
  exports: [],
  cancelled: [],
  reconcile: { ran: true, examined: 3, applied: 1, deferred: 0, failed: 0, cursor: '7' },
  ...extra,
});

describe('export status', () => {
  it('prints a header and one line per user: e-mail, state (once), progress, and the window once planned', async () => {
    const target = await fakeTarget(
      [record('run@x.com'), record('queued@x.com'), record('off@x.com', { enabled: false, enabledAt: undefined }), record('bad@x.com')],
      [job('run@x.com'), job('bad@x.com', { status: 'failed', reason: 'CrmUnavailable: down', attempts: 2 })],
    );
    const io = capture();
    await runExportCommand(target, 'status', undefined, io);
    expect(io.lines).toEqual([
      'EMAIL\tSTATE\tPROGRESS\tWINDOW',
      'bad@x.com\tfailed\tCrmUnavailable: down (attempt 2; the next run resumes at 25 of 40)\twindow 2025-01-31T23:00:00.000Z .. 2025-03-10T23:00:00.000Z',
      'off@x.com\tnot-enabled\tCalDAV access is not enabled',
      'queued@x.com\tqueued\tthe export starts at the next scheduled run',
      'run@x.com\trunning\t25 of 40\twindow 2025-01-31T23:00:00.000Z .. 2025-03-10T23:00:00.000Z',
    ]);
  });

  it('shows one user, case-insensitively; an unknown user is a usage error', async () => {
    const target = await fakeTarget([record('run@x.com')], [job('run@x.com', { status: 'done', next: 40, exported: 38, skipped: 2, leftOut: 5 })]);
    const io = capture();
    await runExportCommand(target, 'status', 'Run@X.com', io);
    expect(io.lines).toEqual(['EMAIL\tSTATE\tPROGRESS\tWINDOW', expect.stringMatching(/^run@x\.com\tdone\t38 exported, 2 skipped .*, 5 left out beyond the limit of the nearest 40\twindow /)]);
    await expect(runExportCommand(target, 'status', 'nobody@x.com', capture())).rejects.toThrow(/no user nobody@x\.com/);
  });

  it('says so when there are no users', async () => {
    const io = capture();
    await runExportCommand(await fakeTarget([], []), 'status', undefined, io);
    expect(io.lines).toEqual(['No users yet. Add one with: crm-caldav user add <email>']);
  });
});

describe('jobs run', () => {
  it('runs one pass and prints the outbox, each export with n of m, and reconciliation', async () => {
    const asked: Array<string | undefined> = [];
    const report = quietPass({
      retry: { delivered: 2, failed: 1, superseded: 0 },
      exports: [
        { email: 'a@x.com', outcome: 'done', exported: 12, total: 12 },
        { email: 'b@x.com', outcome: 'paused', exported: 25, total: 40 },
        { email: 'c@x.com', outcome: 'not-claimed', exported: 0, total: 0 },
      ],
      cancelled: ['d@x.com'],
    });
    const target = await fakeTarget([], [], async (owner) => {
      asked.push(owner);
      return report;
    });
    const io = capture();
    await runJobsCommand(target, 'run', undefined, io);
    expect(asked).toEqual([undefined]);
    expect(io.lines).toEqual([
      'Outbox: delivered 2, still failing 1, changed during the run 0.',
      'Export a@x.com: done, 12 of 12 exported.',
      'Export b@x.com: paused at 25 of 40; the next run resumes.',
      'Export c@x.com: another run holds it.',
      'Export d@x.com: cancelled, CalDAV access was disabled.',
      'Reconciliation: examined 3, applied 1, deferred 0 (phone changes pending), failed 0.',
    ]);
  });

  it('says when another run holds the reconciliation lease, and on a first run where the feed starts', () => {
    expect(formatPass(quietPass({ reconcile: { ran: false, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null } }), false)).toEqual([
      'Outbox: delivered 0, still failing 0, changed during the run 0.',
      'No initial export was due.',
      'Reconciliation: another run holds the lease; nothing applied.',
    ]);
    expect(formatPass(quietPass({ reconcile: { ran: true, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: '42', started: true } }), false).at(-1)).toBe(
      "Reconciliation: first run, starting at the CRM change feed's end (cursor 42).",
    );
  });

  it('with an e-mail runs only that user, without reconciliation, and shows where a finished export stands', async () => {
    const asked: Array<string | undefined> = [];
    const target = await fakeTarget([record('a@x.com')], [job('a@x.com', { status: 'done', next: 40, exported: 40 })], async (owner) => {
      asked.push(owner);
      return quietPass({ reconcile: { ran: false, examined: 0, applied: 0, deferred: 0, failed: 0, cursor: null } });
    });
    const io = capture();
    await runJobsCommand(target, 'run', 'A@x.com', io);
    expect(asked).toEqual(['a@x.com']);
    expect(io.lines.slice(1)).toEqual(['No initial export was due.', 'Reconciliation: not run for a single user.', expect.stringMatching(/^a@x\.com\tdone\t40 exported\twindow /)]);
    await expect(runJobsCommand(target, 'run', 'nobody@x.com', capture())).rejects.toThrow(/no user nobody@x\.com/);
    expect(asked).toHaveLength(1);
  });

  it('prints everything, then fails (exit 1) when a step failed', async () => {
    const target = await fakeTarget([], [], async () =>
      quietPass({ exports: [{ email: 'a@x.com', outcome: 'failed', exported: 3, total: 9, reason: 'CrmUnavailable: down' }], reconcile: { error: 'feed unreadable' } }),
    );
    const io = capture();
    await expect(runJobsCommand(target, 'run', undefined, io)).rejects.toThrow(/2 step\(s\) failed/);
    expect(io.lines.slice(1)).toEqual(['Export a@x.com: failed at 3 of 9: CrmUnavailable: down; the next run resumes.', 'Reconciliation failed: feed unreadable']);
  });

  it('without a CRM connector is a usage error naming CRM_CONNECTOR; bad invocations exit 2 before any database', async () => {
    await expect(runJobsCommand(await fakeTarget([], []), 'run', undefined, capture())).rejects.toThrow(/CRM_CONNECTOR/);
    for (const argv of [['export'], ['export', 'run'], ['export', 'status', 'not-an-email'], ['jobs'], ['jobs', 'status'], ['jobs', 'run', 'a@b.c', 'extra'], ['constructor', 'x']]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
    }
    const help = capture();
    await main(['--help'], help);
    expect(help.lines[0]).toMatch(/export status \[email\][\s\S]*jobs run \[email\]/);
  });
});

describe('export status and jobs run on DynamoDB Local', () => {
  const PAT = 'patriciab@zillum.com';
  let t: TestTables;
  let cli: (...argv: string[]) => Promise<{ code: number; lines: string[]; errors: string[] }>;
  beforeAll(async () => {
    t = await freshTables();
    // The CLI reads table names from the environment, as on AWS.
    for (const [k, v] of Object.entries(t.env)) vi.stubEnv(k, v);
    vi.stubEnv('CRM_CONNECTOR', undefined);
    const users = new DynamoUserStore(t.doc, t.tables.users);
    await users.putUser(record(PAT, { name: 'Patricia' }));
    await users.putUser(record('off@zillum.com', { enabled: false, enabledAt: undefined }));
    const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users });
    // Enabled 10 March 2025 in Berlin: the window is 1 February 00:00 .. 11 March 00:00.
    await crm.upsertEvent(event(PAT, '2025-02-01T00:00:00+01:00', '2025-02-01T01:00:00+01:00'));
    await crm.upsertEvent(event(PAT, '2025-03-10T18:00:00+01:00', '2025-03-10T19:00:00+01:00'));
    await crm.upsertEvent(event(PAT, '2025-03-11T09:00:00+01:00', '2025-03-11T10:00:00+01:00'));
    cli = async (...argv) => {
      const io = capture();
      const code = await main([...argv, '--dynamodb-endpoint', t.endpoint], io);
      return { code, lines: io.lines, errors: io.errors };
    };
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await t?.drop();
  });

  it('queued, then one run exports the window, then done with the counts', async () => {
    const before = await cli('export', 'status');
    expect(before).toMatchObject({ code: 0, errors: [] });
    expect(before.lines).toEqual(['EMAIL\tSTATE\tPROGRESS\tWINDOW', 'off@zillum.com\tnot-enabled\tCalDAV access is not enabled', `${PAT}\tqueued\tthe export starts at the next scheduled run`]);

    const run = await cli('jobs', 'run');
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.lines).toEqual([
      'Outbox: delivered 0, still failing 0, changed during the run 0.',
      `Export ${PAT}: done, 2 of 2 exported.`,
      expect.stringMatching(/^Reconciliation: first run, starting at the CRM change feed's end \(cursor .+\)\.$/),
    ]);

    const after = await cli('export', 'status', PAT);
    expect(after.lines).toEqual(['EMAIL\tSTATE\tPROGRESS\tWINDOW', `${PAT}\tdone\t2 exported\twindow 2025-01-31T23:00:00.000Z .. 2025-03-10T23:00:00.000Z`]);

    const again = await cli('jobs', 'run', PAT);
    expect(again.code).toBe(0);
    expect(again.lines.slice(1)).toEqual(['No initial export was due.', 'Reconciliation: not run for a single user.', after.lines[1]]);
  });

  it('jobs run with CRM_CONNECTOR=none is a usage error naming it; export status still works', async () => {
    vi.stubEnv('CRM_CONNECTOR', 'none');
    try {
      const run = await cli('jobs', 'run');
      expect(run.code).toBe(2);
      expect(run.errors.join('\n')).toMatch(/CRM_CONNECTOR/);
      expect((await cli('export', 'status', PAT)).code).toBe(0);
    } finally {
      vi.stubEnv('CRM_CONNECTOR', undefined);
    }
  });

  it('records what the CLI changed in the audit log, as the OS account that ran it', async () => {
    const since = new Date().toISOString();
    expect((await cli('user', 'add', 'audited@zillum.com', '--time-zone', 'asia/tokyo')).code).toBe(0);
    expect((await cli('user', 'disable', 'audited@zillum.com')).code).toBe(0);
    expect((await cli('admin', 'add', 'chief@zillum.com')).code).toBe(0);
    expect((await cli('admin', 'unlock', 'chief@zillum.com')).code).toBe(0);
    const audit = new DynamoAuditStore(t.doc, t.tables.audit);
    const mine = (await audit.list({ limit: 50 })).entries.filter((e) => e.at >= since).reverse();
    expect(mine.map((e) => [e.action, e.target, e.via, e.actor])).toEqual([
      ['user.create', 'audited@zillum.com', 'cli', cliActor()],
      ['user.disable', 'audited@zillum.com', 'cli', cliActor()],
      ['admin.add', 'chief@zillum.com', 'cli', cliActor()],
      ['admin.unlock', 'chief@zillum.com', 'cli', cliActor()],
    ]);
    expect(mine[0]!.detail).toBe('CalDAV on; new app password; time zone Asia/Tokyo');
    expect(cliActor()).toMatch(/^[^@\s]+@[^@\s]+$/);
  });
});
