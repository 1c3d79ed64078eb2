/**
 * The default deployment (ANY fallback for the DAV methods), synthesized once with real esbuild
 * bundling, a custom domain and a stand-in scheduled handler: in a child process
 * (fixtures/synth-default.ts), awaited, so the minute of synchronous bundling never blocks this
 * test worker (vitest's worker calls its runner and gives up after 60 s without an answer).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../bin/lib/lambda-context';
import { HTTP_FUNCTION_TIMEOUT_SECONDS } from '../../lambda/http/front-door';
import { TABLES, tableEnvVar } from '../../lambda/store/dynamodb/schema';
import {
  functionsByDescription,
  ofType,
  resources,
  routeTargets,
  statementsOf,
  tableAccess,
  tableIds,
  WRITE_ACTIONS,
} from './template-helpers';

const synthScript = fileURLToPath(new URL('./fixtures/synth-default.ts', import.meta.url));
const FALLBACK = 'CalDAV PROPFIND, PROPPATCH, REPORT, MKCALENDAR and others';
const SCHEDULED = 'Scheduled CRM export and reconciliation';
const CRM_API = 'CRM REST API (/crm/v1)';
/** The functions whose roles only read: built on the read-only App (lambda/app/build-read-dav.ts). */
const READING = ['CalDAV GET', 'CalDAV HEAD', FALLBACK];

let template: Template;
let assemblyDir: string;
let nag: { success: boolean; violations: string[] };
let fns: Record<string, string>;

// The budget of a synthesis with a dozen esbuild runs on a loaded two-core machine.
beforeAll(async () => {
  assemblyDir = mkdtempSync(join(tmpdir(), 'cdk-assembly-'));
  await promisify(execFile)(process.execPath, ['--import', 'tsx', synthScript, assemblyDir], { maxBuffer: 64 * 1024 * 1024 });
  template = Template.fromJSON(JSON.parse(readFileSync(join(assemblyDir, 'Test.template.json'), 'utf8')));
  nag = JSON.parse(readFileSync(join(assemblyDir, 'nag-violations.json'), 'utf8'));
  fns = functionsByDescription(template);
}, 300_000);

describe('tables', () => {
  it('builds one table per schema spec with its keys and TTL', () => {
    const ids = tableIds(template);
    for (const spec of TABLES) {
      const table = resources(template)[ids[spec.logicalName]];
      expect(table, spec.logicalName).toBeDefined();
      const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
      expect(table.Properties.KeySchema).toEqual(
        keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      );
      expect(table.Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining(keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type }))),
      );
      expect(table.Properties.TimeToLiveSpecification).toEqual(
        spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined,
      );
    }
    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
  });

  it('is on-demand, point-in-time recoverable, encrypted, protected and retained', () => {
    template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
        DeletionProtectionEnabled: true,
      }),
    });
  });
});

describe('functions', () => {
  const methods = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

  it('has one function per standard method, the fallback, its PROPPATCH writer, well-known, the CRM API, the schedule and the outbox worker', () => {
    for (const m of methods) expect(fns[`CalDAV ${m}`], m).toBeDefined();
    expect(fns[FALLBACK]).toBeDefined();
    expect(fns['CalDAV PROPPATCH']).toBeDefined();
    expect(fns['CalDAV /.well-known/caldav redirect']).toBeDefined();
    expect(fns[CRM_API]).toBeDefined();
    expect(fns[SCHEDULED]).toBeDefined();
    expect(fns['Outbox-first delivery to the CRM (outbox table stream)']).toBeDefined();
    template.resourceCountIs('AWS::Lambda::Function', methods.length + 6);
  });

  it('runs Node.js 24 on arm64 with JSON logs, tracing and every table name', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'INFO' }),
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_LOG_LEVEL: 'INFO',
          ...Object.fromEntries(TABLES.map((spec) => [tableEnvVar(spec), Match.anyValue()])),
        }),
      },
    });
  });

  it('gives every HTTP function the timeout the local server gives its handlers', () => {
    for (const [description, id] of Object.entries(fns)) {
      if (description === SCHEDULED || description.startsWith('Outbox-first')) continue;
      expect(resources(template)[id].Properties.Timeout, description).toBe(HTTP_FUNCTION_TIMEOUT_SECONDS);
    }
    const remaining = lambdaContext('timeout-check').getRemainingTimeInMillis();
    expect(remaining).toBeLessThanOrEqual(HTTP_FUNCTION_TIMEOUT_SECONDS * 1000);
    expect(remaining).toBeGreaterThan(HTTP_FUNCTION_TIMEOUT_SECONDS * 1000 - 1000);
  });

  it('keeps every log group for a bounded time', () => {
    const groups = ofType(template, 'AWS::Logs::LogGroup');
    // One per function plus the API access log.
    expect(groups).toHaveLength(Object.keys(fns).length + 1);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(30);
    for (const id of Object.values(fns)) {
      const logGroup = (resources(template)[id].Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup;
      expect(resources(template)[logGroup.Ref]?.Type).toBe('AWS::Logs::LogGroup');
    }
  });

  const bundleOf = (id: string) => {
    const code = resources(template)[id].Properties.Code as { S3Key: string };
    return join(assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
  };
  /** The files a bundle was made of, from its source map. */
  const sourcesOf = (id: string) => (JSON.parse(readFileSync(`${bundleOf(id)}.map`, 'utf8')) as { sources: string[] }).sources;

  it('bundles each function, AWS SDK included where used, with esbuild into an ES module: CalDAV ones under 1 MB, the rest under 1.5 MB', () => {
    for (const [description, id] of Object.entries(fns)) {
      const bundle = bundleOf(id);
      expect(existsSync(bundle), description).toBe(true);
      expect(existsSync(`${bundle}.map`), `${description} source map`).toBe(true);
      // The CRM API, the scheduled pass and the outbox worker also carry the X-Ray SDK and the jobs.
      expect(statSync(bundle).size, description).toBeLessThan((description.startsWith('CalDAV') ? 1 : 1.5) * 1024 * 1024);
      // The SDK version the tests ran with, bundled, never the runtime's: no import of it is left
      // (the SDK's own error messages mention `require("@aws-sdk/…")`, so only imports count).
      expect(readFileSync(bundle, 'utf8'), description).not.toMatch(/(\bfrom\s*|\bimport\s*\(\s*)["']@aws-sdk\//);
    }
    // The CRM API's stores still call DynamoDB through the SDK's client: the bundled one.
    expect(sourcesOf(fns[CRM_API]!).some((s) => s.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    // The CalDAV functions reach DynamoDB over the lean wire only (the writers still carry SES and
    // Secrets Manager, loaded at their first use).
    for (const [description, id] of Object.entries(fns).filter(([d]) => d.startsWith('CalDAV'))) {
      expect(sourcesOf(id).filter((s) => /@aws-sdk\/(client|lib)-dynamodb/.test(s)), description).toEqual([]);
    }
  });

  it('keeps the CRM API, the console, the jobs and the X-Ray SDK out of every CalDAV bundle, and the SDK out of OPTIONS and the redirect', () => {
    const calDav = Object.entries(fns).filter(([description]) => description.startsWith('CalDAV'));
    expect(calDav.length).toBeGreaterThanOrEqual(7);
    for (const [description, id] of calDav) {
      const foreign = sourcesOf(id).filter((s) => /lambda\/(admin-api|api|crm-api|console|jobs)\/|aws-xray-sdk-core/.test(s));
      expect(foreign, description).toEqual([]);
    }
    // The CRM API traces its calls (Powertools Tracer, loaded on Lambda only).
    expect(sourcesOf(fns[CRM_API]!).some((s) => s.includes('aws-xray-sdk-core'))).toBe(true);
    for (const description of ['CalDAV OPTIONS', 'CalDAV /.well-known/caldav redirect']) {
      expect(sourcesOf(fns[description]!).filter((s) => s.includes('@aws-sdk') || s.includes('@smithy')), description).toEqual([]);
    }
  });

  it('keeps the CRM, its outbox, mail and the SDK out of the functions that only read (their cold start)', () => {
    for (const description of READING) {
      const writeSide = sourcesOf(fns[description]!).filter((s) => /lambda\/(crm|sync|imip)\/|@aws-sdk\/|@smithy\//.test(s));
      expect(writeSide, description).toEqual([]);
    }
    // The writers carry the built-in CRM their writes commit with.
    expect(sourcesOf(fns['CalDAV PUT']!).some((s) => s.includes('lambda/crm/builtin/'))).toBe(true);
  });

  it('ships the admin console beside the CRM API function only', () => {
    for (const [description, id] of Object.entries(fns)) {
      const code = resources(template)[id].Properties.Code as { S3Key: string };
      const dir = join(assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'console');
      for (const file of ['index.html', 'app.js', 'app.css']) expect(existsSync(join(dir, file)), `${description} ${file}`).toBe(description === CRM_API);
    }
  });

  it('puts no secret value in any environment', () => {
    const allowed = new Set(['POWERTOOLS_LOG_LEVEL', ...TABLES.map(tableEnvVar), 'SCHEDULED_FUNCTION_NAME', 'PROPPATCH_FUNCTION_NAME', 'CALDAV_VERSION', 'CALDAV_SCHEDULE_MINUTES', 'ADMIN_ALLOWED_IPS', 'CRM_CONNECTOR']);
    for (const [, fn] of ofType(template, 'AWS::Lambda::Function')) {
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const key of Object.keys(vars)) expect(allowed, key).toContain(key);
      expect(JSON.stringify(vars)).not.toMatch(/resolve:secretsmanager|SecretString/i);
    }
  });
});

describe('least privilege', () => {
  const access = (description: string) => {
    const ids = tableIds(template);
    return Object.fromEntries(['events', 'sync', 'users'].map((t) => [t, tableAccess(template, fns[description], ids[t])]));
  };

  it('gives read-only methods no write action on any table but noting their device (batch read and UpdateItem on activity)', () => {
    const ids = tableIds(template);
    for (const description of ['CalDAV GET', 'CalDAV HEAD', 'CalDAV OPTIONS', 'CalDAV /.well-known/caldav redirect', FALLBACK]) {
      const statements = statementsOf(template, fns[description]);
      const onActivity = (st: (typeof statements)[number]) => JSON.stringify(st.Resource).includes(ids.activity!);
      const actions = statements.filter((st) => !onActivity(st)).flatMap((st) => st.Action);
      for (const write of WRITE_ACTIONS) expect(actions, `${description} ${write}`).not.toContain(write);
      const noted = statements.filter(onActivity).flatMap((st) => [st.Action].flat());
      expect(noted, description).toEqual(description.includes('OPTIONS') || description.includes('well-known') ? [] : ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    }
    expect(access('CalDAV GET')).toEqual({ events: 'read', sync: 'read', users: 'read' });
    expect(access('CalDAV HEAD')).toEqual({ events: 'read', sync: 'read', users: 'read' });
  });

  it('gives OPTIONS and the well-known redirect no data access at all', () => {
    for (const description of ['CalDAV OPTIONS', 'CalDAV /.well-known/caldav redirect']) {
      const actions = statementsOf(template, fns[description]).flatMap((s) => s.Action);
      expect(actions.filter((a) => a.startsWith('dynamodb:') || a.startsWith('secretsmanager:')), description).toEqual([]);
    }
  });

  it('lets PUT and DELETE write objects and the change log', () => {
    expect(access('CalDAV PUT')).toEqual({ events: 'readWrite', sync: 'readWrite', users: 'read' });
    expect(access('CalDAV DELETE')).toEqual({ events: 'readWrite', sync: 'readWrite', users: 'read' });
  });

  it('lets PUT, DELETE and the CRM API write the built-in CRM; no read-only method touches it', () => {
    const ids = tableIds(template);
    const crmAccess = (description: string) => tableAccess(template, fns[description], ids.crm);
    for (const description of ['CalDAV PUT', 'CalDAV DELETE', CRM_API]) expect(crmAccess(description), description).toBe('readWrite');
    for (const description of ['CalDAV GET', 'CalDAV HEAD', 'CalDAV OPTIONS', FALLBACK]) expect(crmAccess(description), description).toBe('none');
    // The API's listener edits the owners' calendars; admins create users.
    expect(access(CRM_API)).toEqual({ events: 'readWrite', sync: 'readWrite', users: 'readWrite' });
    expect(tableAccess(template, fns[CRM_API], ids.outbox)).toBe('read');
  });

  it('keeps the ANY fallback (PROPFIND, REPORT) read-only: PROPPATCH is handed to a function that may write the sync table', () => {
    expect(access(FALLBACK)).toEqual({ events: 'read', sync: 'read', users: 'read' });
    expect(access('CalDAV PROPPATCH')).toEqual({ events: 'none', sync: 'readWrite', users: 'read' });
    const env = resources(template)[fns[FALLBACK]].Properties.Environment as { Variables: Record<string, unknown> };
    expect(env.Variables.PROPPATCH_FUNCTION_NAME).toEqual({ Ref: fns['CalDAV PROPPATCH'] });
    const invokes = statementsOf(template, fns[FALLBACK]!).filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'));
    expect(invokes.map((st) => JSON.stringify(st.Resource))).toEqual([JSON.stringify({ 'Fn::GetAtt': [fns['CalDAV PROPPATCH'], 'Arn'] })]);
    // No route of its own: it is reached only through the fallback.
    expect(Object.values(routeTargets(template))).not.toContain('CalDAV PROPPATCH');
  });

  it('lets only the CRM API read admin accounts and sessions, and list or delete device activity', () => {
    const ids = tableIds(template);
    for (const [description, id] of Object.entries(fns)) {
      expect(tableAccess(template, id, ids.admins!), description).toBe(description === CRM_API ? 'readWrite' : 'none');
      const reads = statementsOf(template, id).filter((st) => JSON.stringify(st.Resource).includes(ids.activity!)).flatMap((st) => [st.Action].flat());
      // CalDAV functions read a device's note by key (in the user's batch) and renew it: nothing more.
      if (description !== CRM_API) expect(reads.filter((a) => a !== 'dynamodb:UpdateItem' && a !== 'dynamodb:BatchGetItem'), description).toEqual([]);
    }
    expect(tableAccess(template, fns[CRM_API]!, ids.activity!)).toBe('readWrite');
  });

  it('limits each role to its own log group (no AWSLambdaBasicExecutionRole)', () => {
    for (const [, role] of ofType(template, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants exact actions: only the scheduled job and the CRM API may scan, and only the users and outbox tables', () => {
    const ids = tableIds(template);
    for (const [description, id] of Object.entries(fns)) {
      const scans = statementsOf(template, id).filter((st) => [st.Action].flat().includes('dynamodb:Scan'));
      const scanned = new Set(scans.flatMap((st) => [st.Resource].flat().map((r) => JSON.stringify(r))).map((r) => Object.entries(ids).find(([, tid]) => r.includes(tid))?.[0]));
      expect([...scanned].sort(), description).toEqual(description === SCHEDULED || description === CRM_API ? ['outbox', 'users'] : []);
      for (const st of statementsOf(template, id)) expect([st.Action].flat(), description).not.toContain('dynamodb:DescribeTable');
    }
  });

  it('lets only the CRM API start an export at once: the scheduled function\'s name and invoke right', () => {
    for (const [description, id] of Object.entries(fns)) {
      const invokes = statementsOf(template, id).some(
        (st) => [st.Action].flat().includes('lambda:InvokeFunction') && JSON.stringify(st.Resource).includes(fns[SCHEDULED]!),
      );
      expect(invokes, description).toBe(description === CRM_API);
    }
    const env = resources(template)[fns[CRM_API]].Properties.Environment as { Variables: Record<string, unknown> };
    expect(env.Variables.SCHEDULED_FUNCTION_NAME).toEqual({ Ref: fns[SCHEDULED] });
    // What GET /crm/v1/organisation reports.
    expect(env.Variables.CALDAV_SCHEDULE_MINUTES).toBe('15');
    expect(env.Variables.CALDAV_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('creates no secret nobody reads: the built-in CRM needs no credentials', () => {
    expect(ofType(template, 'AWS::SecretsManager::Secret')).toEqual([]);
    for (const [, id] of Object.entries(fns)) {
      expect(statementsOf(template, id).some((s) => [s.Action].flat().some((a) => String(a).startsWith('secretsmanager:')))).toBe(false);
    }
  });
});

describe('operations', () => {
  it('alarms on API 5xx rate and p95 latency, errors and throttles of every function, failed passes, and DynamoDB throttles and system errors per table', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => String((a.Properties as { AlarmDescription: string }).AlarmDescription));
    expect(alarms.some((d) => /5xx/.test(d))).toBe(true);
    expect(alarms.some((d) => /p95 latency/.test(d))).toBe(true);
    expect(alarms.some((d) => /scheduled pass/.test(d))).toBe(true);
    expect(alarms.some((d) => /outbox backlog/.test(d))).toBe(true);
    const functions = Object.keys(template.findResources('AWS::Lambda::Function')).length;
    expect(alarms.filter((d) => /errors in 5 minutes/.test(d))).toHaveLength(functions);
    expect(alarms.filter((d) => /throttled \(raise/.test(d))).toHaveLength(functions);
    for (const spec of TABLES) {
      expect(alarms).toContain(`DynamoDB ${spec.logicalName} table: throttled requests`);
      expect(alarms).toContain(`DynamoDB ${spec.logicalName} table: system errors`);
    }
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('the scheduled function is never retried by Lambda itself, and every table name is an output', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, FunctionName: { Ref: fns[SCHEDULED] } });
    const outputs = Object.values(template.findOutputs('*')).map((o) => (o as { Description?: string }).Description);
    for (const spec of TABLES) expect(outputs).toContain(tableEnvVar(spec));
  });
});

describe('HTTP API', () => {
  it('routes each standard method to its own function, on / and /{proxy+}', () => {
    const targets = routeTargets(template);
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']) {
      expect(targets[`${m} /`]).toBe(`CalDAV ${m}`);
      expect(targets[`${m} /{proxy+}`]).toBe(`CalDAV ${m}`);
    }
  });

  it('sends the DAV methods to the ANY fallback and /.well-known/caldav to its own function', () => {
    const targets = routeTargets(template);
    expect(targets['ANY /']).toBe(FALLBACK);
    expect(targets['ANY /{proxy+}']).toBe(FALLBACK);
    expect(targets['ANY /.well-known/caldav']).toBe('CalDAV /.well-known/caldav redirect');
    expect(Object.keys(targets).filter((k) => /^(PROPFIND|PROPPATCH|REPORT|MKCALENDAR) /.test(k))).toEqual([]);
    expect(Object.keys(targets)).toHaveLength(13 + 6);
  });

  it('sends /crm/{proxy+} to the CRM API function for ANY and each standard method', () => {
    const targets = routeTargets(template);
    for (const m of ['ANY', 'GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']) expect(targets[`${m} /crm/{proxy+}`], m).toBe(CRM_API);
  });

  it('is a regional HTTP API with payload v2, throttled, with header-free access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }),
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('requestId') }),
    });
    const [[, stage]] = ofType(template, 'AWS::ApiGatewayV2::Stage');
    const format = (stage.Properties.AccessLogSettings as { Format: string }).Format;
    expect(format).not.toMatch(/header|body|authorization/i);
  });

  it('maps the custom domain (TLS 1.2, regional) to the API', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'caldav.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        }),
      ],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasOutput('Url', { Value: 'https://caldav.example.com/' });
  });
});

describe('export schedule', () => {
  it('invokes the scheduled function every 15 minutes by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fns[SCHEDULED], 'Arn'] } })],
    });
  });

  it('lets the job write objects and the change log', () => {
    const ids = tableIds(template);
    expect(tableAccess(template, fns[SCHEDULED], ids.events)).toBe('readWrite');
    expect(tableAccess(template, fns[SCHEDULED], ids.sync)).toBe('readWrite');
    expect(tableAccess(template, fns[SCHEDULED], ids.users)).toBe('read');
  });
});

describe('cdk-nag', () => {
  it('finds no unacknowledged AwsSolutions violation', () => {
    expect(nag.violations).toEqual([]);
    expect(nag.success).toBe(true);
  });
});
