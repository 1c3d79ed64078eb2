import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** Point-in-time recovery already covers 35 days; a backup plan is for keeping longer. */
export const MIN_BACKUP_RETENTION_DAYS = 35;
/** AWS Backup keeps warm-storage backups as long as asked; a year is what this stack offers. */
export const MAX_BACKUP_RETENTION_DAYS = 365;

export interface TableBackupsProps {
  tables: dynamodb.ITable[];
  retentionDays: number;
}

/**
 * An AWS Backup plan for the tables (`backupRetentionDays` context): one backup a day at 03:00
 * UTC, each kept `retentionDays`, in a vault of its own that the stack retains like the tables.
 */
export class TableBackups extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < MIN_BACKUP_RETENTION_DAYS || props.retentionDays > MAX_BACKUP_RETENTION_DAYS) {
      throw new Error(`backupRetentionDays must be a whole number of days from ${MIN_BACKUP_RETENTION_DAYS} to ${MAX_BACKUP_RETENTION_DAYS}, got ${props.retentionDays}`);
    }
    // Backups outlive a stack deletion: they are what is left to restore from.
    this.vault = new backup.BackupVault(this, 'Vault', { removalPolicy: RemovalPolicy.RETAIN });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
          deleteAfter: Duration.days(props.retentionDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Tables', { resources: props.tables.map((t) => backup.BackupResource.fromDynamoDbTable(t)) });
    for (const id of ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]', 'AwsSolutions-IAM5[Resource::*]']) {
      Validations.of(selection).acknowledge({
        id,
        reason: "AWS Backup's own service role policy (AWSBackupServiceRolePolicyForBackup), as AWS Backup documents for a backup selection; it acts only on the resources the selection names.",
      });
    }
  }
}
