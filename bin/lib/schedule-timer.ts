/**
 * Where AWS has an EventBridge rule invoking the scheduled Lambda (lib/constructs/
 * export-schedule.ts), the local server has this timer invoking the same handler with the same
 * event and a context whose remaining time counts down like the function's timeout.
 */
import { randomUUID } from 'node:crypto';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { Logger } from '../../lambda/platform/log';
import { ScheduledPassFailed, type ScheduledEvent, type ScheduledResult } from '../../lambda/handlers/scheduled';
import { lambdaContext } from './lambda-context';

/** The scheduled job's timing as the server applies it. */
export interface LocalSchedule {
  intervalMs: number;
  firstRunMs: number;
  budgetMs: number;
}

export interface ScheduleOptions {
  /** Every this many minutes; fractions allowed; absent or 0: no timer. */
  scheduleMinutes?: number;
  /** Delay before the first run; default 5 s, so start-up is not slowed by an export. */
  scheduleFirstRunMs?: number;
  /** Time each run gets, as the Lambda's timeout; default that of the CDK function. */
  scheduleBudgetMs?: number;
}

export const SCHEDULE_DEFAULTS = {
  firstRunMs: 5_000,
  /** lib/constructs/export-schedule.ts: min(5 minutes, the interval). */
  maxBudgetMs: 5 * 60_000,
} as const;

/** Validated schedule options; null when the timer is off. */
export function scheduleOf(opts: ScheduleOptions): LocalSchedule | null {
  const minutes = opts.scheduleMinutes ?? 0;
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`the schedule interval must be a number of minutes ≥ 0 (0 = off), got ${minutes}`);
  if (minutes === 0) return null;
  const intervalMs = minutes * 60_000;
  const firstRunMs = opts.scheduleFirstRunMs ?? SCHEDULE_DEFAULTS.firstRunMs;
  const budgetMs = opts.scheduleBudgetMs ?? Math.min(SCHEDULE_DEFAULTS.maxBudgetMs, intervalMs);
  if (!(firstRunMs >= 0) || !(budgetMs > 0)) throw new Error(`invalid schedule timing: first run after ${firstRunMs} ms, ${budgetMs} ms per run`);
  return { intervalMs, firstRunMs, budgetMs };
}

/** The event an EventBridge rate() rule sends (AWS docs, "Scheduled Event"); `time` has no milliseconds. */
export function scheduledEvent(id: string, at: Date): EventBridgeEvent<'Scheduled Event', Record<string, never>> {
  return {
    version: '0',
    id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: ['arn:aws:events:local:000000000000:rule/crm-caldav-local-schedule'],
    detail: {},
  };
}

function scheduledContext(id: string, budgetMs: number): Context {
  const deadline = Date.now() + budgetMs;
  return { ...lambdaContext(id, 'crm-caldav-scheduled-local'), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

/** One line for the console: counts and outcomes, no event contents (as the handler logs). */
export function runSummary(result: ScheduledResult): string {
  if ('skipped' in result) return `skipped: ${result.skipped}`;
  const exports = result.exports.map((e) => ('error' in e ? `${e.email} failed (${e.error})` : `${e.email} ${e.outcome} ${e.exported}/${e.total}`));
  const r = result.reconcile;
  const reconcile = 'error' in r ? `failed (${r.error})` : !r.ran ? 'not run (lease held elsewhere)' : r.started ? 'started at the feed\'s end' : `${r.applied} of ${r.examined} changes applied`;
  const retry = 'error' in result.retry ? `failed (${result.retry.error})` : `${result.retry.delivered} delivered`;
  return [`exports: ${exports.join(', ') || 'none due'}`, result.cancelled.length ? `cancelled: ${result.cancelled.join(', ')}` : '', `reconciliation: ${reconcile}`, `outbox: ${retry}`]
    .filter(Boolean)
    .join('; ');
}

export type ScheduledLambda = (event: ScheduledEvent, context: Context) => Promise<ScheduledResult>;

/** Invokes the scheduled handler once, as EventBridge would; never throws. */
export async function invokeScheduled(handler: ScheduledLambda, budgetMs: number, log: Logger): Promise<void> {
  const id = randomUUID();
  const started = new Date();
  try {
    const result = await handler(scheduledEvent(id, started), scheduledContext(id, budgetMs));
    log('info', `schedule timer: ${runSummary(result)}`, { requestId: id, ms: Date.now() - started.getTime() });
  } catch (err) {
    const summary = err instanceof ScheduledPassFailed ? ` (${runSummary(err.report)})` : '';
    log('error', `scheduled run failed${summary}; the next run resumes from the checkpoints`, { requestId: id, error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Calls `run` after `firstRunMs`, then `intervalMs` after each start. A run that outlasts the
 * interval delays the next instead of overlapping it (the Lambda's timeout guarantees as much
 * on AWS). stop() cancels what is pending and waits for a run in progress.
 */
export function repeatWithoutOverlap(run: () => Promise<void>, timing: Pick<LocalSchedule, 'firstRunMs' | 'intervalMs'>): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const arm = (ms: number) => {
    // Unref'd: a forgotten timer must not keep a process (or a test worker) alive.
    timer = setTimeout(tick, ms).unref();
  };
  function tick() {
    const started = Date.now();
    running = run()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (!stopped) arm(Math.max(0, started + timing.intervalMs - Date.now()));
      });
  }
  arm(timing.firstRunMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
