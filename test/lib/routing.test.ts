/**
 * The per-method-routes variant, the context knobs, and what any variant gives the admin doors'
 * safeguards (the audit table and its grants, the AdminAllowedIps parameter). Bundling is skipped here through CDK's
 * own `aws:cdk:bundling-stacks` context (caldav-stack.test.ts bundles for real): these tests
 * read the template only.
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaldavStack, contextProps } from '../../lib/caldav-stack';
import { DAV_METHODS } from '../../lib/constructs/caldav-api';
import { AUDIT_TABLE } from '../../lambda/store/dynamodb/schema';
import { functionsByDescription, resources, routeTargets, statementsOf, tableAccess, tableIds } from './template-helpers';

const noBundling = { 'aws:cdk:bundling-stacks': [] };
const MISSING = '/nonexistent/scheduled.ts';

let stack: CaldavStack;
let template: Template;

beforeAll(() => {
  const app = new App({ context: noBundling });
  stack = new CaldavStack(app, 'PerMethod', { davMethodRouting: 'per-method-routes', scheduledEntry: MISSING });
  template = Template.fromStack(stack);
}, 60_000);

describe("davMethodRouting: 'per-method-routes'", () => {
  it('gives PROPFIND, PROPPATCH, REPORT and MKCALENDAR their own route keys and functions', () => {
    const targets = routeTargets(template);
    for (const m of DAV_METHODS) {
      expect(targets[`${m} /`]).toBe(`CalDAV ${m}`);
      expect(targets[`${m} /{proxy+}`]).toBe(`CalDAV ${m}`);
    }
    // 13 CalDAV routes, the DAV methods on / and /{proxy+}, 6 CRM API routes.
    expect(Object.keys(targets)).toHaveLength(13 + 2 * DAV_METHODS.length + 6);
  });

  it('keeps the ANY routes for POST (free-busy reads the invitees\' calendars) and other methods, reading only', () => {
    const targets = routeTargets(template);
    expect(targets['ANY /{proxy+}']).toBe('CalDAV POST (free-busy) and methods without a route (405)');
    const fns = functionsByDescription(template);
    const ids = tableIds(template);
    const access = (d: string) => ['events', 'sync', 'users'].map((t) => tableAccess(template, fns[d], ids[t]));
    expect(access('CalDAV POST (free-busy) and methods without a route (405)')).toEqual(['read', 'read', 'read']);
    expect(access('CalDAV PROPFIND')).toEqual(['read', 'read', 'read']);
    expect(access('CalDAV REPORT')).toEqual(['read', 'read', 'read']);
    expect(access('CalDAV PROPPATCH')).toEqual(['none', 'readWrite', 'read']);
    expect(access('CalDAV MKCALENDAR')).toEqual(['none', 'none', 'read']);
  });

  it('makes no backup plan unless backupRetentionDays asks for one', () => {
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  it('leaves out the schedule, with a warning, while the scheduled handler does not exist', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    Annotations.fromStack(stack).hasWarning('/PerMethod', `${MISSING} does not exist yet: no export schedule [ack: crm-caldav:no-scheduled-handler]`);
  });

  it('passes the AwsSolutions checks too', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

const CRM_API = 'CRM REST API (/crm/v1)';
const actionsOn = (fnId: string, tableId: string) =>
  statementsOf(template, fnId)
    .filter((st) => JSON.stringify(st.Resource).includes(tableId))
    .flatMap((st) => [st.Action].flat())
    .sort();

describe('the audit table', () => {
  it('expires its entries by TTL and is kept like every table (retained, PITR, deletion protection)', () => {
    const table = resources(template)[tableIds(template).audit!]!;
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: AUDIT_TABLE.ttlAttribute, Enabled: true });
    expect(table.Properties).toMatchObject({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    expect((template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>)[tableIds(template).audit!]!.DeletionPolicy).toBe('Retain');
  });

  it('can only be added to and read by the CRM API (no update, no delete), and by no other function', () => {
    const audit = tableIds(template).audit!;
    for (const [description, id] of Object.entries(functionsByDescription(template))) {
      expect(actionsOn(id, audit), description).toEqual(description === CRM_API ? ['dynamodb:PutItem', 'dynamodb:Query'] : []);
    }
  });
});

describe('AdminAllowedIps', () => {
  it('is a stack parameter, empty (everyone) by default, handed to the CRM API function alone', () => {
    const parameter = (template.toJSON().Parameters as Record<string, { Type: string; Default: string; AllowedPattern: string }>).AdminAllowedIps!;
    expect(parameter).toMatchObject({ Type: 'String', Default: '' });
    expect(new RegExp(parameter.AllowedPattern).test('203.0.113.0/24, 2001:db8::/48')).toBe(true);
    expect(new RegExp(parameter.AllowedPattern).test('$(curl evil)')).toBe(false);
    for (const [description, id] of Object.entries(functionsByDescription(template))) {
      const vars = (resources(template)[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(vars.ADMIN_ALLOWED_IPS, description).toEqual(description === CRM_API ? { Ref: 'AdminAllowedIps' } : undefined);
    }
  });
});

describe('context', () => {
  const read = (context: Record<string, unknown>) => contextProps(new App({ context }));

  it('maps cdk.json / -c values to stack props', () => {
    expect(
      read({
        davMethodRouting: 'per-method-routes',
        domainName: 'cal.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x',
        exportIntervalMinutes: '5',
        throttleRate: '2000',
        alarmEmail: 'ops@example.com',
      }),
    ).toEqual({
      davMethodRouting: 'per-method-routes',
      customDomain: { domainName: 'cal.example.com', certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' },
      exportIntervalMinutes: 5,
      throttle: { rateLimit: 2000, burstLimit: 4000 },
      alarmEmail: 'ops@example.com',
    });
    expect(() => read({ throttleRate: 'fast' })).toThrow(/throttleRate/);
  });

  it('sends the alarms to an e-mail through a new SNS topic', () => {
    const app = new App({ context: noBundling });
    const stack = new CaldavStack(app, 'Alarmed', { alarmEmail: 'ops@example.com', throttle: { rateLimit: 800, burstLimit: 1600 }, scheduledEntry: new URL('./fixtures/scheduled.ts', import.meta.url).pathname });
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 800, ThrottlingBurstLimit: 1600 }) });
    for (const [, a] of Object.entries(t.findResources('AWS::CloudWatch::Alarm'))) expect((a.Properties as { AlarmActions?: unknown[] }).AlarmActions).toHaveLength(1);
  });

  it('rejects an unknown routing mode and a domain without its certificate', () => {
    expect(() => read({ davMethodRouting: 'propfind-please' })).toThrow(/davMethodRouting/);
    expect(() => read({ domainName: 'cal.example.com' })).toThrow(/together/);
  });

  it('uses the interval from context and refuses a non-positive one', () => {
    const withInterval = (minutes: number) => {
      const app = new App({ context: noBundling });
      return new CaldavStack(app, 'S', { exportIntervalMinutes: minutes, scheduledEntry: new URL('./fixtures/scheduled.ts', import.meta.url).pathname });
    };
    Template.fromStack(withInterval(1)).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    expect(() => withInterval(0)).toThrow(/exportIntervalMinutes/);
  });
});

describe('frontDoor=alb', () => {
  const domain = { domainName: 'caldav.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' };
  const albStack = (routing?: 'per-method-routes') =>
    new CaldavStack(new App({ context: noBundling }), `Alb${routing ? 'PerMethod' : ''}`, { env: { account: '123456789012', region: 'eu-west-1' }, frontDoor: 'alb', customDomain: domain, davMethodRouting: routing, scheduledEntry: new URL('./fixtures/scheduled.ts', import.meta.url).pathname });

  it('routes by listener rules (custom method names included), HTTPS only, no HTTP API, and passes cdk-nag', () => {
    const stack = albStack('per-method-routes');
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect' })] });
    const methods = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).flatMap((r) =>
      (r.Properties as { Conditions: Array<{ Field: string; HttpRequestMethodConfig?: { Values: string[] } }> }).Conditions.flatMap((c) => c.HttpRequestMethodConfig?.Values ?? []),
    );
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR']) expect(methods).toContain(m);
    const elbInvokes = Object.values(t.findResources('AWS::Lambda::Permission')).filter((p) => (p.Properties as { Principal: string }).Principal === 'elasticloadbalancing.amazonaws.com');
    expect(elbInvokes).toHaveLength(Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).length);
    // The smoke script reads the matched rules from the access log bucket.
    const bucket = Object.keys(t.findResources('AWS::S3::Bucket'))[0]!;
    t.hasOutput('AlbAccessLogBucket', { Value: { Ref: bucket }, Description: Match.stringLikeRegexp('ALB_LOG_BUCKET') });
  });

  it('refuses an ALB without the custom domain, and an unknown front door', () => {
    expect(() => new CaldavStack(new App({ context: noBundling }), 'NoCert', { frontDoor: 'alb' })).toThrow(/domainName and certificateArn/);
    expect(() => contextProps(new App({ context: { frontDoor: 'cloudfront' } }))).toThrow(/frontDoor/);
  });
});

