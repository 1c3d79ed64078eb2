/**
 * Export progress as users and admins see it (CLI `export status`, CRM API): derived from the
 * user record and the job, so "queued" needs no write when access is enabled.
 */
import type { UserRecord } from '../store/types';
import type { ExportJob } from './job-store';

export type ExportState = 'not-enabled' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface ExportProgressView {
  email: string;
  state: ExportState;
  /** The enable the export serves. */
  enabledAt: string | null;
  /** Events written so far / planned; null before the plan exists. */
  done: number | null;
  total: number | null;
  exported: number;
  skipped: number;
  leftOut: number;
  windowStart?: string;
  windowEnd?: string;
  attempts: number;
  updatedAt?: string;
  finishedAt?: string;
  reason?: string;
  /** The tasks export beside the events' (export-tasks.ts); null until it ran (or without a Tasks module). */
  tasks: { total: number; exported: number; leftOut: number } | null;
  /** One line for people. */
  summary: string;
}

/** The tasks half of the summary, when there were tasks to export. */
function tasksPart(v: Omit<ExportProgressView, 'summary'>): string {
  const t = v.tasks;
  if (!t || (t.total === 0 && t.leftOut === 0)) return '';
  return `; tasks: ${t.exported} exported` + (t.leftOut ? `, ${t.leftOut} left out beyond the limit of the nearest ${t.total}` : '');
}

function summaryOf(v: Omit<ExportProgressView, 'summary'>): string {
  switch (v.state) {
    case 'not-enabled':
      return 'CalDAV access is not enabled';
    case 'queued':
      return 'queued: the export starts at the next scheduled run';
    case 'running':
      return v.total === null ? 'running: choosing the events to export' : `running: ${v.done} of ${v.total}`;
    case 'done':
      return (
        `done: ${v.exported} exported` +
        (v.skipped ? `, ${v.skipped} skipped (deleted or moved meanwhile, or refused)` : '') +
        (v.leftOut ? `, ${v.leftOut} left out beyond the limit of the nearest ${v.total}` : '') +
        tasksPart(v)
      );
    case 'failed':
      return `failed: ${v.reason ?? 'unknown error'} (attempt ${v.attempts}; the next run resumes at ${v.done ?? 0} of ${v.total ?? '?'})`;
    case 'cancelled':
      return `cancelled: ${v.reason ?? 'CalDAV access was disabled'}`;
  }
}

function stateOf(user: UserRecord, current: ExportJob | null): ExportState {
  if (!current) return user.enabled && user.enabledAt ? 'queued' : 'not-enabled';
  // A disabled user's unfinished job is cancelled at the next run; say so already.
  if (!user.enabled && (current.status === 'running' || current.status === 'failed')) return 'cancelled';
  return current.status;
}

export function exportProgress(user: UserRecord, job: ExportJob | null): ExportProgressView {
  const current = job && job.enabledAt === user.enabledAt ? job : null;
  const state = stateOf(user, current);
  const reason = current?.reason ?? (state === 'cancelled' ? 'CalDAV access was disabled before the export finished' : undefined);
  const base: Omit<ExportProgressView, 'summary'> = {
    email: user.email.toLowerCase(),
    state,
    enabledAt: user.enabledAt ?? null,
    done: current?.planned ? current.next : null,
    total: current?.planned ? current.total : null,
    exported: current?.exported ?? 0,
    skipped: current?.skipped ?? 0,
    leftOut: current?.leftOut ?? 0,
    ...(current?.windowStart ? { windowStart: current.windowStart, windowEnd: current.windowEnd } : {}),
    attempts: current?.attempts ?? 0,
    ...(current ? { updatedAt: current.updatedAt } : {}),
    ...(current?.finishedAt ? { finishedAt: current.finishedAt } : {}),
    ...(reason ? { reason } : {}),
    tasks: current?.tasks ?? null,
  };
  return { ...base, summary: summaryOf(base) };
}

/** The summary without the state it starts with, for where the state is shown beside it. */
export const progressDetail = (v: Pick<ExportProgressView, 'state' | 'summary'>) =>
  v.summary.startsWith(`${v.state}: `) ? v.summary.slice(v.state.length + 2) : v.summary;
