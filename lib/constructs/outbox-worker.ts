import { Duration, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES } from '../../lambda/store/dynamodb/schema';
import type { CaldavTables, TableName } from './caldav-tables';
import { DavFunction, type LogLevel, type TableAccess } from './dav-function';

export interface OutboxWorkerProps {
  /** Absolute path of lambda/handlers/outbox-worker.ts. */
  entry: string;
  projectRoot: string;
  tables: CaldavTables;
  logLevel?: LogLevel;
}

/**
 * What the worker reads and writes: the outbox entries it delivers (lease, removal), the objects
 * whose current state it pushes (and, with the built-in CRM, the calendar its write echoes to),
 * the users, and the CRM connector's table (the built-in CRM's records, or a hosted connector's
 * tokens, links and caches).
 */
const GRANTS: Partial<Record<TableName, TableAccess>> = {
  events: 'readWrite',
  sync: 'readWrite',
  users: 'read',
  outbox: 'readWrite',
  crm: 'readWrite',
};

/**
 * Outbox-first delivery on AWS (lambda/handlers/outbox-worker.ts): the outbox table's stream
 * invokes the worker for each entry a phone write committed or changed, shard by shard in
 * order. A failed delivery is reported back and retried by Lambda (twice, splitting the batch
 * to isolate it), then its record goes to the dead-letter queue, which is alarmed; the entry
 * itself stays in the outbox for the scheduled replay and the console.
 */
export class OutboxWorker extends Construct {
  readonly fn: DavFunction;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: OutboxWorkerProps) {
    super(scope, id);
    this.fn = new DavFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Outbox-first delivery to the CRM (outbox table stream)',
      // A batch of deliveries, each a few calls to the CRM, each bounded by its timeout.
      timeout: Duration.minutes(2),
      logLevel: props.logLevel,
    });
    for (const { logicalName: name } of TABLES) this.fn.bindTable(props.tables.byName[name], GRANTS[name]);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is itself a dead-letter queue: the stream event source's on-failure destination.",
    });
    this.fn.addEventSource(
      new DynamoEventSource(props.tables.outbox.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 2,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.deadLetters),
      }),
    );
  }
}
