/**
 * The stack with `crmConnector=zoho` (docs/zoho.md): the outbox worker on the outbox table's
 * stream with its dead-letter queue and alarm, the connector's settings in every function's
 * environment, and the client secret readable only by the functions that call Zoho. Template
 * only (bundling skipped as in routing.test.ts).
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaldavStack, contextProps } from '../../lib/caldav-stack';
import { functionsByDescription, ofType, statementsOf, tableIds } from './template-helpers';

const noBundling = { 'aws:cdk:bundling-stacks': [] };
const SCHEDULED = new URL('./fixtures/scheduled.ts', import.meta.url).pathname;
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-caldav/zoho-AbCdEf';

let stack: CaldavStack;
let template: Template;

beforeAll(() => {
  const app = new App({ context: noBundling });
  stack = new CaldavStack(app, 'Zoho', {
    scheduledEntry: SCHEDULED,
    crmConnector: 'zoho',
    zoho: { secretArn: SECRET, accountsUrl: 'https://accounts.zoho.eu', notifyUrl: 'https://cal.example.com/crm/zoho/notify', dailyCredits: 50000 },
  });
  template = Template.fromStack(stack);
}, 60_000);

const secretReaders = (t: Template) =>
  Object.entries(functionsByDescription(t))
    .filter(([, id]) => statementsOf(t, id).some((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue')))
    .map(([description]) => description)
    .sort();

describe('crmConnector=zoho', () => {
  it('reads the connector and its settings from the context', () => {
    const read = (context: Record<string, string>) => contextProps(new App({ context: { alarms: 'none', ...context } }));
    const props = read({ crmConnector: 'zoho', zohoSecretArn: SECRET, zohoDailyCredits: '50000', zohoSendNotification: 'on' });
    expect(props.crmConnector).toBe('zoho');
    expect(props.zoho).toMatchObject({ secretArn: SECRET, dailyCredits: 50000, sendNotification: true });
    expect(() => read({ crmConnector: 'salesforce' })).toThrow(/crmConnector/);
    expect(() => read({ crmConnector: 'zoho', zohoDailyCredits: 'lots' })).toThrow(/zohoDailyCredits/);
  });

  it('delivers phone writes from the outbox stream, retrying with bisection, then to an alarmed dead-letter queue', () => {
    const ids = tableIds(template);
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(ofType(template, 'AWS::DynamoDB::Table').filter(([, r]) => r.Properties.StreamSpecification).map(([id]) => id)).toEqual([ids.outbox]);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    const fns = functionsByDescription(template);
    expect(fns['Outbox-first delivery to the CRM (outbox table stream)']).toBeDefined();
    const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmDescription));
    expect(alarms.some((d) => d.includes('a delivery gave up'))).toBe(true);
  });

  it('tells every function the connector, and only the CRM API, the schedule and the worker may read the secret', () => {
    for (const [, fn] of ofType(template, 'AWS::Lambda::Function')) {
      const vars = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(vars.CRM_CONNECTOR).toBe('zoho');
      expect(vars.ZOHO_SECRET_ARN).toBe(SECRET);
      expect(vars.ZOHO_DAILY_CREDITS).toBe('50000');
      expect(JSON.stringify(vars)).not.toMatch(/resolve:secretsmanager|SecretString/i);
    }
    const fns = functionsByDescription(template);
    const crmApi = Object.keys(fns).find((d) => d.startsWith('CRM REST API'));
    const scheduled = Object.keys(fns).find((d) => d.toLowerCase().includes('scheduled'));
    expect(secretReaders(template)).toEqual([crmApi, scheduled, 'Outbox-first delivery to the CRM (outbox table stream)'].sort());
  });

  it('passes the AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('warns when Zoho has no way to notify us (no notify URL, no custom domain)', () => {
    const app = new App({ context: noBundling });
    const polling = new CaldavStack(app, 'ZohoPolling', { scheduledEntry: SCHEDULED, crmConnector: 'zoho' });
    Annotations.fromStack(polling).hasWarning('/ZohoPolling', Match.stringLikeRegexp('no notification channel'));
  });
});

describe('the built-in CRM, and none', () => {
  it('the built-in CRM keeps the worker for tasks-list changes (its events commit with the phone write) and reads no secret', () => {
    const app = new App({ context: noBundling });
    const t = Template.fromStack(new CaldavStack(app, 'Builtin', { scheduledEntry: SCHEDULED }));
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    expect(secretReaders(t)).toEqual([]);
  });

  it('a plain CalDAV server (crmConnector=none) has no worker, no stream and no queue', () => {
    const app = new App({ context: noBundling });
    const t = Template.fromStack(new CaldavStack(app, 'NoCrm', { scheduledEntry: SCHEDULED, crmConnector: 'none' }));
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    t.resourceCountIs('AWS::SQS::Queue', 0);
    expect(ofType(t, 'AWS::DynamoDB::Table').filter(([, r]) => r.Properties.StreamSpecification)).toEqual([]);
  });
});
