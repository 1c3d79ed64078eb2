/**
 * The scheduled job (EventBridge rule; locally the server's timer): outbox replay, due initial
 * exports, CRM reconciliation (lambda/jobs/pass.ts). Long steps pause before the invocation's
 * time runs out and the next run resumes from their checkpoints.
 */
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { logLine } from '../app/log';
import { getJobDependencies } from '../jobs/from-env';
import { runScheduledPass, type PassReport } from '../jobs/pass';

/** Time kept back for the last batch, its checkpoint and the lease release. */
const SAFETY_MARGIN_MS = 30_000;

export type ScheduledResult = PassReport | { skipped: string };

export const handler = middy<EventBridgeEvent<string, unknown> | Record<string, never>, ScheduledResult, Error, Context>().handler(async (_event, context) => {
  const deps = await getJobDependencies();
  if (!deps) {
    logLine('info', 'scheduled run skipped: no CRM connector configured', {});
    return { skipped: 'no CRM connector configured (CRM_CONNECTOR=none)' };
  }
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 5 * 60_000;
  const report = await runScheduledPass(deps, { deadline: Date.now() + Math.max(remaining - SAFETY_MARGIN_MS, remaining / 2) });
  // Counts and reasons only: no event contents in logs.
  logLine('info', 'scheduled run', { retry: report.retry, exports: report.exports, cancelled: report.cancelled, reconcile: report.reconcile });
  return report;
});
