import { Duration } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BACKLOG_METRIC } from '../../lambda/platform/metrics';

/** The DynamoDB operations the stores use: throttles and system errors are summed over them. */
const OPERATIONS = [
  'GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems',
] as unknown as dynamodb.Operation[];

/** The front door's request count, 5xx count and p95 latency (5-minute sums and percentiles). */
export interface FrontMetrics {
  requests: cloudwatch.IMetric;
  serverErrors: cloudwatch.IMetric;
  latencyP95: cloudwatch.IMetric;
  /** 3 s in the metric's unit (milliseconds for the HTTP API, seconds for the ALB). */
  latencyThreshold: number;
}

export interface MonitoringProps {
  front: FrontMetrics;
  /** By purpose ("CalDAV GET", "CRM REST API", …). */
  functions: Record<string, lambda.IFunction>;
  /**
   * The scheduled pass: any error is an alarm (a failed pass throws, handlers/scheduled.ts), and
   * so is its backlog metric going missing (each pass writes it, every `intervalMinutes`).
   */
  scheduled?: { fn: lambda.IFunction; intervalMinutes: number };
  tables: Record<string, dynamodb.Table>;
  /** Dead-letter queues: a message in one is a delivery that gave up (the outbox worker's). */
  deadLetters?: Record<string, sqs.IQueue>;
  /** Where alarms notify; none = alarms show in the console only (a deploy says `alarms=none` for that). */
  topic?: sns.ITopic;
}

/**
 * What an alarm makes of a period without data, per alarm (docs/aws-deploy.md lists them):
 * `quiet` (not breaching) where no data means nothing happened (no requests, no invocations, no
 * throttles), `alarm` (breaching) where the metric is a heartbeat whose silence is the failure.
 */
type MissingData = 'quiet' | 'alarm';

/**
 * CloudWatch alarms and one dashboard: API 5xx rate and p95 latency, Lambda errors and throttles
 * per function, failed scheduled passes, DynamoDB throttles and system errors per table.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string, evaluationPeriods = 1, missing: MissingData = 'quiet') => {
      const a = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing === 'alarm' ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (props.topic) a.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(a);
      return a;
    };

    const { requests, serverErrors, latencyP95: p95 } = props.front;
    const errorRate = new cloudwatch.MathExpression({ expression: 'IF(req > 0, 100 * err / req, 0)', usingMetrics: { req: requests, err: serverErrors }, period, label: '5xx %' });
    alarm('Api5xxRate', errorRate, 1, 'More than 1% of requests answered 5xx over 5 minutes', 2);
    alarm('ApiLatencyP95', p95, props.front.latencyThreshold, 'p95 latency at or above 3 s for 15 minutes', 3);

    const fnWidgets: cloudwatch.IWidget[] = [];
    for (const [purpose, fn] of Object.entries(props.functions)) {
      const key = purpose.replace(/[^A-Za-z0-9]/g, '');
      alarm(`${key}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 5, `${purpose}: 5 or more errors in 5 minutes`);
      alarm(`${key}Throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), 1, `${purpose}: throttled (raise reserved or account concurrency)`);
      fnWidgets.push(new cloudwatch.GraphWidget({ title: purpose, left: [fn.metricInvocations({ period }), fn.metricErrors({ period }), fn.metricThrottles({ period })], right: [fn.metricDuration({ period, statistic: 'p95' })], width: 8 }));
    }
    if (props.scheduled) {
      // Written by every pass (handlers/scheduled.ts): how long the oldest phone change has waited
      // for the CRM. One value per interval, so the period is the interval (5 minutes would leave
      // two of three periods empty); two intervals in a row without a value mean the pass is not
      // running or cannot report: that alarms too, instead of looking healthy.
      const every = Duration.minutes(Math.max(5, props.scheduled.intervalMinutes));
      const backlog = new cloudwatch.Metric({ namespace: BACKLOG_METRIC.namespace, metricName: BACKLOG_METRIC.name, dimensionsMap: { ...BACKLOG_METRIC.dimensions }, statistic: 'Maximum', period: every });
      alarm('OutboxBacklogAge', backlog, 3600, 'A phone change has waited an hour or more for the CRM (outbox backlog), or the scheduled pass stopped reporting it for two intervals', 2, 'alarm');
      alarm('ScheduledPassFailed', props.scheduled.fn.metricErrors({ period, statistic: 'Sum' }), 1, 'A scheduled pass (outbox replay, exports, reconciliation) failed a step or timed out');
    }

    for (const [name, queue] of Object.entries(props.deadLetters ?? {})) {
      alarm(`${name}DeadLetters`, queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }), 1, `${name}: a delivery gave up after its retries (the change still waits in the outbox for the scheduled replay)`);
    }

    const tableWidgets: cloudwatch.IWidget[] = [];
    for (const [name, table] of Object.entries(props.tables)) {
      const throttles = table.metricThrottledRequestsForOperations({ operations: OPERATIONS, period });
      const systemErrors = table.metricSystemErrorsForOperations({ operations: OPERATIONS, period });
      alarm(`${name}TableThrottles`, throttles, 1, `DynamoDB ${name} table: throttled requests`);
      alarm(`${name}TableSystemErrors`, systemErrors, 1, `DynamoDB ${name} table: system errors`);
      // One expression per graph: both expand into per-operation metrics with the same ids.
      tableWidgets.push(new cloudwatch.GraphWidget({ title: `${name} table: throttled requests`, left: [throttles], width: 4 }));
      tableWidgets.push(new cloudwatch.GraphWidget({ title: `${name} table: system errors`, left: [systemErrors], width: 4 }));
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [new cloudwatch.GraphWidget({ title: 'Requests and 5xx', left: [requests, serverErrors], right: [errorRate], width: 12 }), new cloudwatch.GraphWidget({ title: 'Latency p95', left: [p95], width: 12 })],
        fnWidgets,
        tableWidgets,
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
