import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
import { TABLES } from '../lambda/store/dynamodb/schema';
import { DavFunction, type TableAccess } from './constructs/dav-function';
import { ExportSchedule } from './constructs/export-schedule';
import { SCHEDULED_FUNCTION_ENV } from '../lambda/app/export-now';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CaldavStackProps extends StackProps {
  davMethodRouting?: DavMethodRouting;
  customDomain?: CustomDomain;
  /** Minutes between scheduled export runs; 15 by default. */
  exportIntervalMinutes?: number;
  /** Where the handler modules live; lambda/handlers by default. */
  handlersDir?: string;
  /** The scheduled export handler; `<handlersDir>/scheduled.ts` by default, skipped while absent. */
  scheduledEntry?: string;
}

type Grants = Partial<Record<TableName, TableAccess>>;

/**
 * Least privilege per handler module. Every DAV request authenticates against users (read);
 * OPTIONS and the well-known redirect touch no table at all.
 */
const READ: Grants = { events: 'read', sync: 'read', users: 'read' };
// PUT and DELETE also write to the CRM (the built-in one lives in the crm table); a CRM failure
// parks the object in the outbox.
const WRITE: Grants = { events: 'readWrite', sync: 'readWrite', users: 'read', outbox: 'readWrite', crm: 'readWrite' };
/**
 * The CRM REST API writes the CRM, its users (admin) and, through the sync listener, the owners'
 * calendars; it shows the outbox in /crm/v1/status.
 */
// jobs: read, for export progress; an export is queued by enabling the user, not by a job write.
const CRM_API_GRANTS: Grants = { events: 'readWrite', sync: 'readWrite', users: 'readWrite', outbox: 'read', crm: 'readWrite', jobs: 'read' };
const GRANTS: Record<StandardMethod | CoreMethod, Grants> = {
  OPTIONS: {},
  GET: READ,
  HEAD: READ,
  PROPFIND: READ,
  REPORT: READ,
  PUT: WRITE,
  DELETE: WRITE,
  // Dead properties live on the calendar item of the sync table.
  PROPPATCH: { sync: 'readWrite', users: 'read' },
  MKCALENDAR: { users: 'read' },
};
/** The ANY fallback serves the four DAV methods in 'any-fallback' mode, so it needs their union. */
const FALLBACK_GRANTS: Grants = { events: 'read', sync: 'readWrite', users: 'read' };
/** With their own routes, the fallback only answers 405 after authentication. */
const FALLBACK_ONLY_405_GRANTS: Grants = { users: 'read' };

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
  return {
    davMethodRouting: routing,
    customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
    exportIntervalMinutes: interval === undefined ? undefined : Number(interval),
  };
}

export class CaldavStack extends Stack {
  readonly tables: CaldavTables;
  readonly api: CaldavApi;
  readonly functions: Record<string, DavFunction> = {};
  readonly schedule?: ExportSchedule;

  constructor(scope: Construct, id: string, props: CaldavStackProps = {}) {
    super(scope, id, props);
    const handlersDir = props.handlersDir ?? join(PROJECT_ROOT, 'lambda', 'handlers');
    const routing = props.davMethodRouting ?? DEFAULT_DAV_METHOD_ROUTING;
    this.tables = new CaldavTables(this, 'Tables');

    const davFunction = (id: string, file: string, description: string, grants: Grants) => {
      const fn = new DavFunction(this, id, {
        entry: join(handlersDir, `${file}.ts`),
        projectRoot: PROJECT_ROOT,
        description,
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
      routing === 'any-fallback' ? 'CalDAV PROPFIND, PROPPATCH, REPORT, MKCALENDAR and others' : 'CalDAV methods without a route (405)',
      routing === 'any-fallback' ? FALLBACK_GRANTS : FALLBACK_ONLY_405_GRANTS,
    );
    const wellKnown = davFunction('WellKnownHandler', 'well-known', 'CalDAV /.well-known/caldav redirect', {});
    const crmApi = davFunction('CrmApiHandler', 'crm-api', 'CRM REST API (/crm/v1)', CRM_API_GRANTS);

    this.api = new CaldavApi(this, 'Api', {
      standard,
      dav,
      fallback,
      wellKnown,
      crmApi,
      davMethodRouting: routing,
      customDomain: props.customDomain,
    });

    const scheduledEntry = props.scheduledEntry ?? join(handlersDir, 'scheduled.ts');
    if (existsSync(scheduledEntry)) {
      this.schedule = new ExportSchedule(this, 'ExportSchedule', {
        entry: scheduledEntry,
        projectRoot: PROJECT_ROOT,
        tables: this.tables,
        intervalMinutes: props.exportIntervalMinutes ?? 15,
      });
      // Enabling a user through the CRM API starts that user's export at once (an asynchronous
      // invocation); the rule stays the safety net.
      crmApi.addEnvironment(SCHEDULED_FUNCTION_ENV, this.schedule.fn.functionName);
      // The function itself, not `grantInvoke`'s `:*` (versions and aliases) as well.
      crmApi.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.schedule.fn.functionArn] }));
    } else {
      Annotations.of(this).addWarningV2('crm-caldav:no-scheduled-handler', `${scheduledEntry} does not exist yet: no export schedule`);
    }

    new CfnOutput(this, 'Url', { value: this.api.url, description: 'CalDAV server URL for clients' });
    if (this.api.domain) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.api.domain.regionalDomainName,
        description: `DNS: CNAME (or alias A/AAAA) ${props.customDomain?.domainName} to this name`,
      });
    }
    for (const name of ['events', 'sync', 'users'] as const) {
      new CfnOutput(this, `${name[0].toUpperCase()}${name.slice(1)}TableName`, { value: this.tables[name].table.tableName });
    }
  }
}
