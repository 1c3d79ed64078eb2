import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { TABLES } from '../../lambda/store/dynamodb/schema';
import type { CaldavTables, TableName } from './caldav-tables';
import { DavFunction, type LogLevel, type TableAccess } from './dav-function';

export interface ExportScheduleProps {
  /** Absolute path of the scheduled handler module. */
  entry: string;
  projectRoot: string;
  tables: CaldavTables;
  intervalMinutes: number;
  logLevel?: LogLevel;
}

/**
 * The periodic export / CRM reconciliation job: an EventBridge rule invoking its Lambda every
 * `intervalMinutes`. The job writes objects and change-log entries like PUT and DELETE do, and
 * the built-in CRM's records and feed.
 */
const GRANTS: Partial<Record<TableName, TableAccess>> = {
  events: 'readWrite',
  sync: 'readWrite',
  users: 'list',
  // The pass replays CalDAV changes the CRM refused (lambda/sync/retry.ts).
  outbox: 'listWrite',
  // With the built-in CRM, reconciliation reads its change feed and writes its events.
  crm: 'readWrite',
  // Export jobs (state, plan, checkpoints) and the reconciliation cursor and lease.
  jobs: 'readWrite',
};

export class ExportSchedule extends Construct {
  readonly fn: DavFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ExportScheduleProps) {
    super(scope, id);
    if (!Number.isInteger(props.intervalMinutes) || props.intervalMinutes < 1) {
      throw new Error(`exportIntervalMinutes must be a whole number of minutes ≥ 1, got ${props.intervalMinutes}`);
    }
    const interval = Duration.minutes(props.intervalMinutes);
    this.fn = new DavFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Scheduled CRM export and reconciliation',
      // Bounded batches finish well within one interval; never overlap the next run.
      timeout: Duration.minutes(Math.min(5, props.intervalMinutes)),
      memorySize: 1024,
      // A timed-out or failed pass is not re-run at once: its checkpoints wait for the next
      // scheduled run, which never overlaps (EventBridge's retryAttempts cover delivery only).
      retryAttempts: 0,
      logLevel: props.logLevel,
    });
    // Every table's name (the App is built from all of them); access only where the pass works.
    for (const { logicalName: name } of TABLES) this.fn.bindTable(props.tables.byName[name], GRANTS[name]);

    this.rule = new events.Rule(this, 'Rule', {
      description: `Runs the CRM export every ${props.intervalMinutes} minute(s)`,
      schedule: events.Schedule.rate(interval),
      // A missed run is simply covered by the next one: no long retry tail.
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: interval })],
    });
  }
}
