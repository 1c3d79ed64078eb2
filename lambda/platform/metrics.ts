/**
 * CloudWatch metrics in the embedded metric format, through Powertools for AWS Lambda's Metrics:
 * a `ColdStart` count per function (on each container's first invocation) and the values the
 * scheduled pass reports (the outbox backlog's age, alarmed in lib/constructs/monitoring.ts).
 * Written only on Lambda: the local server and tests print no metric lines.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { SERVICE_NAME } from './log';

export const METRICS_NAMESPACE = 'crm-caldav';
/** The dimension Powertools gives every metric: `service`. */
export const SERVICE_DIMENSION = { service: SERVICE_NAME } as const;
export const COLD_START_METRIC = 'ColdStart';

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** How long the oldest phone change has waited for the CRM: written by every scheduled pass. */
export const BACKLOG_METRIC = { namespace: METRICS_NAMESPACE, name: 'OutboxOldestPendingSeconds', dimensions: SERVICE_DIMENSION } as const;

const onLambda = () => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/** One `ColdStart` metric (dimensions service, function_name) on a container's first invocation. */
export const coldStartMetric = <E, R>(): MiddlewareObj<E, R, Error, Context> => ({
  before: ({ context }) => {
    if (onLambda()) metrics.captureColdStartMetric(context?.functionName);
  },
});

/** Publishes one metric now, in seconds. */
export function publishSeconds(name: string, seconds: number): void {
  if (!onLambda()) return;
  metrics.addMetric(name, MetricUnit.Seconds, seconds);
  metrics.publishStoredMetrics();
}
