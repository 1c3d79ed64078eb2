/** An export job record as the job store holds it, for tests of what reads it (CLI, CRM API). */
import type { ExportJob } from '../../lambda/jobs/job-store';

export const JOB_ENABLED_AT = '2025-03-10T09:00:00.000Z';

/** Running, planned, 25 of 40 done, in a Berlin user's window. */
export const exportJob = (email: string, extra: Partial<ExportJob> = {}): ExportJob => ({
  email,
  enabledAt: JOB_ENABLED_AT,
  status: 'running',
  planned: true,
  total: 40,
  leftOut: 0,
  next: 25,
  exported: 25,
  skipped: 0,
  attempts: 1,
  startedAt: '2025-03-10T09:05:00.000Z',
  updatedAt: '2025-03-10T09:06:00.000Z',
  windowStart: '2025-01-31T23:00:00.000Z',
  windowEnd: '2025-03-10T23:00:00.000Z',
  ...extra,
});
