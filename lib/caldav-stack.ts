import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, CfnParameter, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { AlbFrontDoor } from './constructs/alb-front-door';
import { Monitoring, type FrontMetrics } from './constructs/monitoring';
import type { Construct } from 'constructs';
import {
  CaldavApi,
  type CustomDomain,
  DAV_METHODS,
  type CoreMethod,
  type DavMethodRouting,
  DEFAULT_DAV_METHOD_ROUTING,
  STANDARD_METHODS,
  type StandardMethod,
} from './constructs/caldav-api';
import { CaldavTables, type TableName } from './constructs/caldav-tables';
import { TABLES, tableEnvVar } from '../lambda/store/dynamodb/schema';
import { DavFunction, LOG_LEVELS, type DavFunctionProps, type LogLevel, type TableAccess } from './constructs/dav-function';
import { TableBackups, MIN_BACKUP_RETENTION_DAYS, MAX_BACKUP_RETENTION_DAYS } from './constructs/table-backups';
import { ExportSchedule } from './constructs/export-schedule';
import { OutboxWorker } from './constructs/outbox-worker';
import { CRM_CONNECTOR_ENV } from '../lambda/app/dynamo-parts';
import { SCHEDULED_FUNCTION_ENV } from '../lambda/platform/export-now';
import { SCHEDULE_MINUTES_ENV, VERSION_ENV } from '../lambda/platform/env';
import { PACKAGE_VERSION } from './package-version';
import { PROPPATCH_FUNCTION_ENV } from '../lambda/http/forward';
import { ALLOWLIST_ENV } from '../lambda/api/allowlist';
import { SCHEDULE_EMAIL_ENV, SCHEDULE_EMAIL_FROM_ENV } from '../lambda/imip/config';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CaldavStackProps extends StackProps {
  davMethodRouting?: DavMethodRouting;
  customDomain?: CustomDomain;
  /** Minutes between scheduled export runs; 15 by default. */
  exportIntervalMinutes?: number;
  /**
   * API Gateway stage throttle: steady requests per second and burst. An iPhone polls every 15
   * minutes with about three requests (PROPFIND ctag, REPORT sync, multiget on change), so 1,000
   * users average ~3.3 req/s and 100,000 users ~330; the default (500/1,000) leaves room for
   * morning peaks up to ~150,000 users. Raise the account's API Gateway quota (10,000 req/s) first
   * when going beyond.
   */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * `http-api` (default): API Gateway HTTP API. `alb`: an Application Load Balancer, whose
   * listener rules AWS documents for custom method names; needs the custom domain's certificate.
   */
  frontDoor?: 'http-api' | 'alb';
  /**
   * Alarm notifications: an e-mail address subscribed to a new SNS topic, or an existing topic.
   * A deploy (contextProps) requires one of them, or `alarms: 'none'` said explicitly.
   */
  alarmEmail?: string;
  alarmTopicArn?: string;
  alarms?: 'none';
  /** The functions' application log level; INFO by default. */
  logLevel?: LogLevel;
  /**
   * Days an AWS Backup plan keeps the tables' daily backups (35 to 365); absent = no plan (the
   * tables' 35 days of point-in-time recovery remain).
   */
  backupRetentionDays?: number;
  /** Where the handler modules live; lambda/handlers by default. */
  handlersDir?: string;
  /** The scheduled export handler; `<handlersDir>/scheduled.ts` by default, skipped while absent. */
  scheduledEntry?: string;
  /**
   * Invitation e-mail (iMIP, docs/scheduling.md): the SES-verified sender. Set, the functions that
   * schedule get SCHEDULE_EMAIL=on and may ses:SendRawEmail as that identity only; unset, e-mail is off.
   */
  scheduleEmail?: { from: string; identityArn?: string };
  /** The CRM the calendars sync with (CRM_CONNECTOR, docs/sync.md): `builtin` (default), `zoho`, `none`. */
  crmConnector?: 'builtin' | 'zoho' | 'none';
  /**
   * Zoho CRM (docs/zoho.md): a Secrets Manager secret with the API client's credentials (else the
   * admin console connects), its data centre's accounts server, our webhook's public URL (default
   * the custom domain's `/crm/zoho/notify`; none = polling only), whether Zoho e-mails
   * participants, and the API budget.
   */
  zoho?: { secretArn?: string; accountsUrl?: string; notifyUrl?: string; sendNotification?: boolean; dailyCredits?: number; concurrency?: number };
}

type Grants = Partial<Record<TableName, TableAccess>>;

/**
 * Least privilege per handler module. Every DAV request authenticates against users (read);
 * OPTIONS and the well-known redirect touch no table at all.
 */
// Every authenticated request notes its device's last request (activity: UpdateItem only).
const AUTHENTICATED: Grants = { users: 'read', activity: 'note' };
const READ: Grants = { ...AUTHENTICATED, events: 'read', sync: 'read' };
// PUT and DELETE also write to the CRM (the built-in one lives in the crm table); a CRM failure
// parks the object in the outbox.
const WRITE: Grants = { ...AUTHENTICATED, events: 'readWrite', sync: 'readWrite', outbox: 'readWrite', crm: 'readWrite' };
/**
 * The CRM REST API writes the CRM, its users (admin) and, through the sync listener, the owners'
 * calendars; it shows the outbox in /crm/v1/status. It signs admins in to the console (admins:
 * accounts and sessions) and shows, and with a user deletes, their devices' activity. It adds to
 * the audit log and reads it, and can neither change nor delete an entry.
 */
// jobs: read, for export progress; an export is queued by enabling the user, not by a job write.
const CRM_API_GRANTS: Grants = {
  events: 'readWrite',
  sync: 'readWrite',
  users: 'listWrite',
  outbox: 'list',
  crm: 'readWrite',
  jobs: 'read',
  admins: 'readWrite',
  activity: 'readWrite',
  audit: 'append',
};
const GRANTS: Record<StandardMethod | CoreMethod, Grants> = {
  OPTIONS: {},
  GET: READ,
  HEAD: READ,
  PROPFIND: READ,
  REPORT: READ,
  PUT: WRITE,
  DELETE: WRITE,
  // Dead properties live on the calendar item of the sync table.
  PROPPATCH: { ...AUTHENTICATED, sync: 'readWrite' },
  MKCALENDAR: AUTHENTICATED,
};
/**
 * The ANY fallback serves PROPFIND, REPORT and MKCALENDAR in 'any-fallback' mode and hands
 * PROPPATCH to the PROPPATCH function (lambda/http/forward.ts): it reads only.
 */
const FALLBACK_GRANTS: Grants = READ;
/**
 * With their own routes, the fallback serves POST (free-busy to the scheduling outbox, which reads
 * the invitees' calendars) and answers 405 to the rest: it reads too, and writes nothing.
 */
const FALLBACK_POST_GRANTS: Grants = READ;

function frontDoorOf(value: string | undefined): CaldavStackProps['frontDoor'] {
  if (value === undefined || value === 'http-api' || value === 'alb') return value;
  throw new Error(`frontDoor must be 'http-api' or 'alb', got '${value}'`);
}

export const DEFAULT_THROTTLE = { rateLimit: 500, burstLimit: 1000 } as const;

/** Reads the deploy-time knobs from CDK context (`cdk deploy -c key=value` or cdk.json). */
export function contextProps(scope: Construct): CaldavStackProps {
  const ctx = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const routing = ctx('davMethodRouting');
  if (routing !== undefined && routing !== 'any-fallback' && routing !== 'per-method-routes') {
    throw new Error(`davMethodRouting must be 'any-fallback' or 'per-method-routes', got '${routing}'`);
  }
  const domainName = ctx('domainName');
  const certificateArn = ctx('certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    throw new Error('domainName and certificateArn must be given together');
  }
  const interval = ctx('exportIntervalMinutes');
  const rate = ctx('throttleRate');
  const burst = ctx('throttleBurst');
  let throttle: CaldavStackProps['throttle'];
  if (rate !== undefined || burst !== undefined) {
    const rateLimit = Number(rate ?? DEFAULT_THROTTLE.rateLimit);
    const burstLimit = Number(burst ?? Math.max(DEFAULT_THROTTLE.burstLimit, 2 * rateLimit));
    if (!(rateLimit > 0) || !Number.isInteger(burstLimit) || burstLimit < 1) throw new Error(`throttleRate and throttleBurst must be positive numbers, got '${rate}' and '${burst}'`);
    throttle = { rateLimit, burstLimit };
  }
  const frontDoor = frontDoorOf(ctx('frontDoor'));
  const alarmEmail = ctx('alarmEmail');
  const alarmTopicArn = ctx('alarmTopicArn');
  const alarms = ctx('alarms');
  if (alarms !== undefined && alarms !== 'none') throw new Error(`alarms can only be 'none' (no notifications), got '${alarms}'`);
  if (!alarmEmail && !alarmTopicArn && alarms !== 'none') {
    throw new Error('Alarms must reach someone: give -c alarmEmail=you@example.com or -c alarmTopicArn=arn:aws:sns:…, or -c alarms=none to deploy without notifications');
  }
  const logLevel = ctx('logLevel')?.toUpperCase();
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new Error(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  const backup = ctx('backupRetentionDays');
  const backupRetentionDays = backup === undefined ? undefined : Number(backup);
  if (backupRetentionDays !== undefined && !(Number.isInteger(backupRetentionDays) && backupRetentionDays >= MIN_BACKUP_RETENTION_DAYS && backupRetentionDays <= MAX_BACKUP_RETENTION_DAYS)) {
    throw new Error(`backupRetentionDays must be a whole number of days from ${MIN_BACKUP_RETENTION_DAYS} to ${MAX_BACKUP_RETENTION_DAYS}, got '${backup}'`);
  }
  const crmConnector = ctx('crmConnector');
  if (crmConnector !== undefined && !['builtin', 'zoho', 'none'].includes(crmConnector)) throw new Error(`crmConnector must be builtin, zoho or none, got '${crmConnector}'`);
  const zohoNumber = (key: string) => {
    const v = ctx(key);
    if (v !== undefined && !(Number.isInteger(Number(v)) && Number(v) > 0)) throw new Error(`${key} must be a positive whole number, got '${v}'`);
    return v === undefined ? undefined : Number(v);
  };
  const zoho = crmConnector === 'zoho'
    ? {
        secretArn: ctx('zohoSecretArn'),
        accountsUrl: ctx('zohoAccountsUrl'),
        notifyUrl: ctx('zohoNotifyUrl'),
        sendNotification: ctx('zohoSendNotification') === 'on' || ctx('zohoSendNotification') === 'true',
        dailyCredits: zohoNumber('zohoDailyCredits'),
        concurrency: zohoNumber('zohoConcurrency'),
      }
    : undefined;
  const protection = ctx('terminationProtection');
  if (protection !== undefined && protection !== 'true' && protection !== 'false') throw new Error(`terminationProtection must be true or false, got '${protection}'`);
  return {
    davMethodRouting: routing,
    customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
    exportIntervalMinutes: interval === undefined ? undefined : Number(interval),
    ...(throttle ? { throttle } : {}),
    frontDoor,
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    ...(alarms === 'none' ? { alarms } : {}),
    ...(logLevel ? { logLevel: logLevel as LogLevel } : {}),
    ...(backupRetentionDays ? { backupRetentionDays } : {}),
    ...(protection ? { terminationProtection: protection === 'true' } : {}),
    ...(ctx('scheduleEmailFrom') ? { scheduleEmail: { from: ctx('scheduleEmailFrom')!, identityArn: ctx('sesIdentityArn') } } : {}),
    ...(crmConnector ? { crmConnector: crmConnector as CaldavStackProps['crmConnector'] } : {}),
    ...(zoho ? { zoho } : {}),
  };
}

export class CaldavStack extends Stack {
  readonly tables: CaldavTables;
  /** The HTTP API front door; absent with `frontDoor=alb`. */
  readonly api?: CaldavApi;
  readonly alb?: AlbFrontDoor;
  readonly functions: Record<string, DavFunction> = {};
  readonly schedule?: ExportSchedule;
  readonly monitoring: Monitoring;
  readonly backups?: TableBackups;
  readonly outboxWorker?: OutboxWorker;

  constructor(scope: Construct, id: string, props: CaldavStackProps = {}) {
    // Deleting the stack must be a deliberate act (the tables are retained anyway).
    super(scope, id, { terminationProtection: true, ...props });
    const handlersDir = props.handlersDir ?? join(PROJECT_ROOT, 'lambda', 'handlers');
    const routing = props.davMethodRouting ?? DEFAULT_DAV_METHOD_ROUTING;
    // Changes waiting in the outbox are delivered by a worker on its stream: every phone change for
    // a hosted CRM, and the tasks-list changes for the built-in one (its events commit with the phone's write).
    const outboxWorker = props.crmConnector !== 'none';
    this.tables = new CaldavTables(this, 'Tables', { outboxStream: outboxWorker });
    if (props.backupRetentionDays) this.backups = new TableBackups(this, 'Backups', { tables: TABLES.map((spec) => this.tables.byName[spec.logicalName].table), retentionDays: props.backupRetentionDays });

    const davFunction = (id: string, file: string, description: string, grants: Grants, afterBundling?: DavFunctionProps['afterBundling']) => {
      const fn = new DavFunction(this, id, {
        entry: join(handlersDir, `${file}.ts`),
        projectRoot: PROJECT_ROOT,
        description,
        afterBundling,
        logLevel: props.logLevel,
      });
      // Every function knows every table name (the stores are built from all of them); grants differ.
      for (const { logicalName: name } of TABLES) fn.bindTable(this.tables.byName[name], grants[name]);
      this.functions[id] = fn;
      return fn;
    };
    const methodFunction = (method: StandardMethod | CoreMethod) =>
      davFunction(`${method[0]}${method.slice(1).toLowerCase()}Handler`, method.toLowerCase(), `CalDAV ${method}`, GRANTS[method]);

    const standard = Object.fromEntries(STANDARD_METHODS.map((m) => [m, methodFunction(m)])) as Record<StandardMethod, DavFunction>;
    const dav =
      routing === 'per-method-routes'
        ? (Object.fromEntries(DAV_METHODS.map((m) => [m, methodFunction(m)])) as Record<CoreMethod, DavFunction>)
        : undefined;
    const fallback = davFunction(
      'AnyHandler',
      'any',
      routing === 'any-fallback' ? 'CalDAV PROPFIND, PROPPATCH, REPORT, MKCALENDAR and others' : 'CalDAV POST (free-busy) and methods without a route (405)',
      routing === 'any-fallback' ? FALLBACK_GRANTS : FALLBACK_POST_GRANTS,
    );
    if (routing === 'any-fallback') {
      // No route of its own: the fallback invokes it for PROPPATCH, keeping write rights out of
      // the function that serves PROPFIND and REPORT.
      const writer = methodFunction('PROPPATCH');
      fallback.addEnvironment(PROPPATCH_FUNCTION_ENV, writer.functionName);
      fallback.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [writer.functionArn] }));
    }
    const wellKnown = davFunction('WellKnownHandler', 'well-known', 'CalDAV /.well-known/caldav redirect', {});
    // The admin console's files travel in the CRM API's bundle (lambda/console/assets.ts reads them).
    const crmApi = davFunction('CrmApiHandler', 'crm-api', 'CRM REST API (/crm/v1)', CRM_API_GRANTS, (outputDir) => [
      `cd "${PROJECT_ROOT}" && node --import tsx bin/build-console.ts "${join(outputDir, 'console')}"`,
    ]);
    crmApi.addEnvironment(VERSION_ENV, PACKAGE_VERSION);
    // Who may reach the console and /crm/v1, checked by the function itself (lambda/api/allowlist.ts).
    const allowedIps = new CfnParameter(this, 'AdminAllowedIps', {
      type: 'String',
      default: '',
      allowedPattern: '^[0-9A-Fa-f.:/, ]*$',
      description: 'Client addresses (IPv4/IPv6, CIDR allowed, comma-separated) allowed into /crm/admin/ and /crm/v1/; set-up links stay open. Empty: everyone.',
    });
    crmApi.addEnvironment(ALLOWLIST_ENV, allowedIps.valueAsString);

    let front: FrontMetrics;
    if (props.frontDoor === 'alb') {
      if (!props.customDomain) throw new Error('frontDoor=alb needs domainName and certificateArn: CalDAV clients reach it over HTTPS only');
      this.alb = new AlbFrontDoor(this, 'Alb', { standard, dav, fallback, wellKnown, crmApi, customDomain: props.customDomain });
      front = { ...this.alb.metrics, latencyThreshold: 3 };
    } else {
      this.api = new CaldavApi(this, 'Api', {
        standard,
        dav,
        fallback,
        wellKnown,
        crmApi,
        davMethodRouting: routing,
        customDomain: props.customDomain,
        throttle: props.throttle ?? DEFAULT_THROTTLE,
      });
      const period = Duration.minutes(5);
      front = {
        requests: this.api.httpApi.metricCount({ period, statistic: 'Sum' }),
        serverErrors: this.api.httpApi.metricServerError({ period, statistic: 'Sum' }),
        latencyP95: this.api.httpApi.metricLatency({ period, statistic: 'p95' }),
        latencyThreshold: 3000,
      };
    }

    const scheduledEntry = props.scheduledEntry ?? join(handlersDir, 'scheduled.ts');
    if (existsSync(scheduledEntry)) {
      const intervalMinutes = props.exportIntervalMinutes ?? 15;
      this.schedule = new ExportSchedule(this, 'ExportSchedule', { entry: scheduledEntry, projectRoot: PROJECT_ROOT, tables: this.tables, intervalMinutes, logLevel: props.logLevel });
      // Enabling a user through the CRM API starts that user's export at once (an asynchronous
      // invocation); the rule stays the safety net.
      crmApi.addEnvironment(SCHEDULED_FUNCTION_ENV, this.schedule.fn.functionName);
      // What GET /crm/v1/organisation reports as the schedule.
      crmApi.addEnvironment(SCHEDULE_MINUTES_ENV, String(intervalMinutes));
      // The function itself, not `grantInvoke`'s `:*` (versions and aliases) as well.
      crmApi.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.schedule.fn.functionArn] }));
    } else {
      Annotations.of(this).addWarningV2('crm-caldav:no-scheduled-handler', `${scheduledEntry} does not exist yet: no export schedule`);
    }

    if (props.scheduleEmail) {
      // Whatever writes an organizer's copy sends its invitations: phone PUT and DELETE, the CRM
      // API (a participant added there) and the scheduled job (reconciled CRM changes).
      const senders = [this.functions.PutHandler, this.functions.DeleteHandler, crmApi, this.schedule?.fn];
      const { from, identityArn } = props.scheduleEmail;
      const domain = from.split('@')[1];
      const identities = identityArn
        ? [identityArn]
        : [this.formatArn({ service: 'ses', resource: 'identity', resourceName: from }), this.formatArn({ service: 'ses', resource: 'identity', resourceName: domain })];
      for (const fn of senders) {
        if (!fn) continue;
        fn.addEnvironment(SCHEDULE_EMAIL_ENV, 'on');
        fn.addEnvironment(SCHEDULE_EMAIL_FROM_ENV, from);
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:SendRawEmail'], resources: identities }));
      }
    }

    // Outbox-first delivery (a CRM elsewhere; and the built-in CRM's rare after-commit fallback).
    if (outboxWorker) this.outboxWorker = new OutboxWorker(this, 'OutboxWorker', { entry: join(handlersDir, 'outbox-worker.ts'), projectRoot: PROJECT_ROOT, tables: this.tables, logLevel: props.logLevel });
    this.configureCrm(props);

    const topic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : props.alarmEmail
        ? new sns.Topic(this, 'AlarmTopic', { displayName: 'crm-caldav alarms', enforceSSL: true })
        : undefined;
    if (props.alarmEmail && topic instanceof sns.Topic) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.monitoring = new Monitoring(this, 'Monitoring', {
      front,
      functions: Object.fromEntries([...Object.values(this.functions), ...(this.schedule ? [this.schedule.fn] : []), ...(this.outboxWorker ? [this.outboxWorker.fn] : [])].map((fn) => [fn.node.scope?.node.id === 'OutboxWorker' ? 'OutboxWorker' : fn.node.id, fn])),
      deadLetters: this.outboxWorker ? { OutboxWorker: this.outboxWorker.deadLetters } : {},
      scheduled: this.schedule ? { fn: this.schedule.fn, intervalMinutes: props.exportIntervalMinutes ?? 15 } : undefined,
      tables: Object.fromEntries(TABLES.map((spec) => [spec.logicalName, this.tables.byName[spec.logicalName].table])),
      topic,
    });

    const url = this.api ? this.api.url : `https://${props.customDomain!.domainName}/`;
    new CfnOutput(this, 'Url', { value: url, description: 'CalDAV server URL for clients' });
    if (this.api) new CfnOutput(this, 'AccessLogGroup', { value: this.api.accessLogs.logGroupName, description: 'ACCESS_LOG_GROUP for scripts/smoke-deployed.sh' });
    if (this.alb) new CfnOutput(this, 'AlbAccessLogBucket', { value: this.alb.accessLogs.bucketName, description: 'ALB_LOG_BUCKET for scripts/smoke-deployed.sh' });
    const target = this.api?.domain?.regionalDomainName ?? this.alb?.loadBalancer.loadBalancerDnsName;
    if (target && props.customDomain) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: target,
        description: `DNS: CNAME (or alias A/AAAA) ${props.customDomain.domainName} to this name`,
      });
    }
    if (props.crmConnector === 'zoho' && !this.zohoNotifyUrl(props)) {
      Annotations.of(this).addWarningV2('crm-caldav:zoho-polling-only', 'Zoho without zohoNotifyUrl (or a custom domain): no notification channel, Zoho-side changes arrive with the scheduled reconcile');
    }
    // Every table, named as the CLI's --aws reads them (EVENTS_TABLE, …, JOBS_TABLE).
    for (const spec of TABLES) {
      const name = spec.logicalName;
      new CfnOutput(this, `${name[0]!.toUpperCase()}${name.slice(1)}TableName`, { value: this.tables.byName[name].table.tableName, description: tableEnvVar(spec) });
    }
  }

  /** Our webhook's public URL for Zoho: the one given, else the custom domain's. */
  private zohoNotifyUrl(props: CaldavStackProps): string | undefined {
    return props.zoho?.notifyUrl ?? (props.customDomain ? `https://${props.customDomain.domainName}/crm/zoho/notify` : undefined);
  }

  /**
   * Every function that builds the App learns which CRM it syncs with; with Zoho, its settings,
   * and the functions that call Zoho (the CRM API, the scheduled pass, the outbox worker) may
   * read its secret. CalDAV handlers never call Zoho: a phone's write only queues the change.
   */
  private configureCrm(props: CaldavStackProps): void {
    const all = [...Object.values(this.functions), ...(this.schedule ? [this.schedule.fn] : []), ...(this.outboxWorker ? [this.outboxWorker.fn] : [])];
    const connector = props.crmConnector ?? 'builtin';
    for (const fn of all) fn.addEnvironment(CRM_CONNECTOR_ENV, connector);
    if (connector !== 'zoho') return;
    const zoho = props.zoho ?? {};
    const env: Record<string, string | undefined> = {
      ZOHO_SECRET_ARN: zoho.secretArn,
      ZOHO_ACCOUNTS_URL: zoho.accountsUrl,
      ZOHO_NOTIFY_URL: this.zohoNotifyUrl(props),
      ZOHO_SEND_NOTIFICATION: zoho.sendNotification ? 'on' : 'off',
      ZOHO_DAILY_CREDITS: zoho.dailyCredits?.toString(),
      ZOHO_CONCURRENCY: zoho.concurrency?.toString(),
    };
    for (const fn of all) for (const [k, v] of Object.entries(env)) if (v !== undefined) fn.addEnvironment(k, v);
    if (zoho.secretArn) {
      const callers = [this.functions.CrmApiHandler, this.schedule?.fn, this.outboxWorker?.fn];
      for (const fn of callers) fn?.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [zoho.secretArn] }));
    }
  }
}
