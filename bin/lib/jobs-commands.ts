/** `export status` and `jobs run`: the scheduled jobs seen and run from the CLI. */
import type { JobStore } from '../../lambda/jobs/job-store';
import { failedSteps, type PassReport } from '../../lambda/jobs/pass';
import { exportProgress, progressDetail, type ExportProgressView } from '../../lambda/jobs/progress';
import type { UserStore } from '../../lambda/store/types';
import { UsageError, emailArg, type CliIo } from './cli-io';

export interface JobsTarget {
  users: UserStore;
  jobs: Pick<JobStore, 'getExport' | 'listExports'>;
  /**
   * One scheduled pass now (lambda/jobs/pass.ts); with `owner`, only that user's outbox replay
   * and export, without reconciliation. Null when no CRM connector is configured.
   */
  run: ((owner?: string) => Promise<PassReport>) | null;
}

/** One line per user: e-mail, state, what the summary says beyond the state, the window once planned. */
export function formatProgress(v: ExportProgressView): string {
  return [v.email, v.state, progressDetail(v), ...(v.windowStart ? [`window ${v.windowStart} .. ${v.windowEnd}`] : [])].join('\t');
}

const PROGRESS_HEADER = ['EMAIL', 'STATE', 'PROGRESS', 'WINDOW'].join('\t');

async function progressOf(target: JobsTarget, owner: string | undefined): Promise<ExportProgressView[]> {
  if (owner !== undefined) {
    const record = await target.users.getUser(owner);
    if (!record) throw new UsageError(`no user ${owner}; create it with: crm-caldav user add ${owner}`);
    return [exportProgress(record, await target.jobs.getExport(owner))];
  }
  const [records, jobs] = await Promise.all([target.users.listUsers(), target.jobs.listExports()]);
  const byEmail = new Map(jobs.map((j) => [j.email.toLowerCase(), j]));
  return records.map((r) => exportProgress(r, byEmail.get(r.email.toLowerCase()) ?? null)).sort((a, b) => a.email.localeCompare(b.email));
}

/** `export status`, on any JobsTarget: testable without DynamoDB. */
export async function runExportCommand(target: JobsTarget, command: string, email: string | undefined, io: CliIo): Promise<void> {
  if (command !== 'status') throw new UsageError(`unknown command: export ${command}`);
  const views = await progressOf(target, email === undefined ? undefined : emailArg(email));
  if (views.length === 0) return io.out('No users yet. Add one with: crm-caldav user add <email>');
  io.out(PROGRESS_HEADER);
  views.forEach((v) => io.out(formatProgress(v)));
}

function exportLine(run: PassReport['exports'][number]): string {
  if ('error' in run) return `Export ${run.email}: failed: ${run.error}`;
  const n = `${run.exported} of ${run.total}`;
  switch (run.outcome) {
    case 'done':
      return `Export ${run.email}: done, ${n} exported.`;
    case 'paused':
      return `Export ${run.email}: paused at ${n}; the next run resumes.`;
    case 'cancelled':
      return `Export ${run.email}: cancelled at ${n}: ${run.reason ?? 'CalDAV access changed'}.`;
    case 'failed':
      return `Export ${run.email}: failed at ${n}: ${run.reason ?? 'unknown error'}; the next run resumes.`;
    case 'not-claimed':
      return `Export ${run.email}: another run holds it.`;
    case 'lease-lost':
      return `Export ${run.email}: taken over by another run at ${n}.`;
  }
}

/** What a pass did, for people; `exportsOnly` when reconciliation was not asked for. */
export function formatPass(report: PassReport, exportsOnly: boolean): string[] {
  const lines: string[] = [];
  const r = report.retry;
  lines.push('error' in r ? `Outbox replay failed: ${r.error}` : `Outbox: delivered ${r.delivered}, still failing ${r.failed}, changed during the run ${r.superseded}.`);
  if (report.exports.length === 0 && report.cancelled.length === 0) lines.push('No initial export was due.');
  lines.push(...report.exports.map(exportLine));
  lines.push(...report.cancelled.map((email) => `Export ${email}: cancelled, CalDAV access was disabled.`));
  const c = report.reconcile;
  if (exportsOnly) lines.push('Reconciliation: not run for a single user.');
  else if ('error' in c) lines.push(`Reconciliation failed: ${c.error}`);
  else if (!c.ran) lines.push('Reconciliation: another run holds the lease; nothing applied.');
  else if (c.started) lines.push(`Reconciliation: first run, starting at the CRM change feed's end (cursor ${c.cursor}).`);
  else {
    lines.push(
      `Reconciliation: examined ${c.examined}, applied ${c.applied}, deferred ${c.deferred} (phone changes pending), failed ${c.failed}` +
        (c.stoppedBecause ? `; stopped early: ${c.stoppedBecause}.` : '.'),
    );
  }
  return lines;
}

/** `jobs run`, on any JobsTarget: testable without DynamoDB. Throws (exit 1) when a step failed. */
export async function runJobsCommand(target: JobsTarget, command: string, email: string | undefined, io: CliIo): Promise<void> {
  if (command !== 'run') throw new UsageError(`unknown command: jobs ${command}`);
  const owner = email === undefined ? undefined : emailArg(email);
  if (!target.run) throw new UsageError('no CRM connector configured: set CRM_CONNECTOR (see docs/scheduled-jobs.md)');
  if (owner !== undefined && !(await target.users.getUser(owner))) throw new UsageError(`no user ${owner}; create it with: crm-caldav user add ${owner}`);
  const report = await target.run(owner);
  formatPass(report, owner !== undefined).forEach((line) => io.out(line));
  // Where a single user's export was asked for and none was due, say where it stands.
  if (owner !== undefined && report.exports.length === 0) (await progressOf(target, owner)).forEach((v) => io.out(formatProgress(v)));
  const failed = failedSteps(report, owner !== undefined);
  if (failed) throw new Error(`${failed} step(s) failed; the next scheduled run tries again`);
}
