/**
 * The scheduled job (EventBridge rule; locally the server's timer): outbox replay, due initial
 * exports, CRM reconciliation (lambda/jobs/pass.ts). Long steps pause before the invocation's
 * time runs out and the next run resumes from their checkpoints. Invoked with `{ exportFor }`
 * (asynchronously, when a user is enabled), it runs that user's export at once.
 */
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { ExportNowEvent } from '../platform/export-now';
import type { App } from '../app/app';
import { containerApp, type AppSource } from '../app/container';
import { failedSteps, runScheduledPass, type PassReport } from '../jobs/pass';
import { logInvocation } from '../platform/log';
import { BACKLOG_METRIC, coldStartMetric, publishSeconds } from '../platform/metrics';
import { traceInvocation } from '../platform/tracing';

/** Time kept back for the last batch, its checkpoint and the lease release. */
const SAFETY_MARGIN_MS = 30_000;

export type ScheduledResult = PassReport | { skipped: string };

export class ScheduledPassFailed extends Error {
  constructor(
    readonly failedSteps: number,
    readonly report: PassReport,
  ) {
    super(`${failedSteps} step(s) of the scheduled pass failed; the next run resumes from the checkpoints`);
    this.name = 'ScheduledPassFailed';
  }
}
/** The EventBridge rule's event, or `{ exportFor }` when a user was just enabled (app/build.ts). */
export type ScheduledEvent = EventBridgeEvent<string, unknown> | ExportNowEvent | Record<string, never>;

const exportFor = (event: ScheduledEvent): string | undefined =>
  typeof (event as Partial<ExportNowEvent>).exportFor === 'string' ? (event as ExportNowEvent).exportFor : undefined;

export { BACKLOG_METRIC } from '../platform/metrics';

/** The outbox backlog's age as a metric (Powertools Metrics; on Lambda only). */
async function reportBacklog(app: App): Promise<void> {
  if (!app.crm) return;
  const { oldestPendingSince } = await app.crm.status();
  const age = oldestPendingSince ? Math.max(0, Math.round((app.now().getTime() - Date.parse(oldestPendingSince)) / 1000)) : 0;
  publishSeconds(BACKLOG_METRIC.name, age);
}

export function scheduledHandler(app: AppSource) {
  return middy<ScheduledEvent, ScheduledResult, Error, Context>()
    .use([logInvocation(), coldStartMetric(), traceInvocation()])
    .handler(async (event, context) => {
      const current = await app();
      const { jobDeps, log } = current;
      if (!jobDeps) {
        log('info', 'scheduled run skipped: no CRM connector configured', {});
        return { skipped: 'no CRM connector configured (CRM_CONNECTOR=none)' };
      }
      const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 5 * 60_000;
      const email = exportFor(event);
      const deadline = Date.now() + Math.max(remaining - SAFETY_MARGIN_MS, remaining / 2);
      // An enable's export: that user's replay and export only; reconciliation stays with the rule.
      const report = await runScheduledPass(jobDeps, email === undefined ? { deadline } : { deadline, email, exportsOnly: true });
      // Counts and reasons only: no event contents in logs.
      log('info', 'scheduled run', { retry: report.retry, exports: report.exports, cancelled: report.cancelled, reconcile: report.reconcile });
      await reportBacklog(current);
      // A failed step must show as a Lambda error (the Errors metric and its alarm), not be
      // swallowed; its checkpoint is kept, so the next scheduled run (not a retry) resumes it.
      const failed = failedSteps(report, email !== undefined);
      if (failed > 0) throw new ScheduledPassFailed(failed, report);
      return report;
    });
}

export const handler = scheduledHandler(containerApp);
