/**
 * What running the stack in production needs: alarms that reach someone (and what each makes of
 * missing data), the runtime, tracing and log levels, backups and termination protection. One
 * synthesis without bundling (CDK's `aws:cdk:bundling-stacks` context): the template only.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lambda/store/dynamodb/schema';
import { CaldavStack, contextProps } from '../../lib/caldav-stack';

const noBundling = { 'aws:cdk:bundling-stacks': [] };
const scheduledEntry = new URL('./fixtures/scheduled.ts', import.meta.url).pathname;

let stack: CaldavStack;
let template: Template;

beforeAll(() => {
  const app = new App({ context: noBundling });
  stack = new CaldavStack(app, 'Ops', { alarmEmail: 'ops@example.com', backupRetentionDays: 90, logLevel: 'DEBUG', scheduledEntry });
  template = Template.fromStack(stack);
}, 60_000);

describe('deploy-time settings', () => {
  const read = (context: Record<string, unknown>) => contextProps(new App({ context }));

  it('refuses to deploy alarms that notify nobody unless told alarms=none', () => {
    expect(() => read({})).toThrow(/alarmEmail.*alarmTopicArn.*alarms=none/);
    expect(read({ alarms: 'none' })).toMatchObject({ alarms: 'none' });
    expect(read({ alarmTopicArn: 'arn:aws:sns:eu-west-1:1:ops' })).toMatchObject({ alarmTopicArn: 'arn:aws:sns:eu-west-1:1:ops' });
    expect(() => read({ alarms: 'some' })).toThrow(/alarms/);
  });

  it('reads the log level, the backup retention and termination protection', () => {
    expect(read({ alarms: 'none', logLevel: 'debug', backupRetentionDays: '365', terminationProtection: 'false' })).toMatchObject({
      logLevel: 'DEBUG',
      backupRetentionDays: 365,
      terminationProtection: false,
    });
    expect(() => read({ alarms: 'none', logLevel: 'chatty' })).toThrow(/logLevel/);
    expect(() => read({ alarms: 'none', backupRetentionDays: '30' })).toThrow(/backupRetentionDays.*35 to 365/);
    expect(() => read({ alarms: 'none', backupRetentionDays: '400' })).toThrow(/backupRetentionDays/);
  });
});

describe('functions', () => {
  it('run the newest Node.js runtime on arm64 with X-Ray active tracing, levels from configuration and REPORT lines kept', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'INFO' }),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG', NODE_OPTIONS: Match.absent() }) },
    });
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, unknown>);

  it('treat a missing backlog metric as an alarm (the pass stopped reporting), evaluated per schedule interval', () => {
    const backlog = alarms().filter((a) => a.MetricName === 'OutboxOldestPendingSeconds');
    expect(backlog).toEqual([
      expect.objectContaining({ TreatMissingData: 'breaching', Period: 900, EvaluationPeriods: 2, Dimensions: [{ Name: 'service', Value: 'crm-caldav' }], Namespace: 'crm-caldav' }),
    ]);
  });

  it('treat missing data as quiet everywhere else (no requests, invocations or throttles to count)', () => {
    const others = alarms().filter((a) => a.MetricName !== 'OutboxOldestPendingSeconds');
    expect(others.length).toBeGreaterThan(20);
    for (const a of others) expect(a.TreatMissingData, String(a.AlarmDescription)).toBe('notBreaching');
  });
});

describe('data protection', () => {
  it('protects the stack from termination by default', () => {
    expect(stack.terminationProtection).toBe(true);
    expect(new CaldavStack(new App({ context: noBundling }), 'Unprotected', { terminationProtection: false, scheduledEntry: '/nonexistent.ts' }).terminationProtection).toBe(false);
  });

  it('backs every table up daily into a retained vault, kept backupRetentionDays', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanName: Match.anyValue(), BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 90 } })] },
    });
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    const selection = Object.values(template.findResources('AWS::Backup::BackupSelection'))[0]!.Properties as { BackupSelection: { Resources: unknown[] } };
    expect(selection.BackupSelection.Resources).toHaveLength(TABLES.length);
  });

  it('passes the AwsSolutions checks with the backup plan', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });
});
