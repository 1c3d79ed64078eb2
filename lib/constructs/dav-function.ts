import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HTTP_FUNCTION_TIMEOUT_SECONDS } from '../../lambda/http/front-door';
import { tableEnvVar } from '../../lambda/store/dynamodb/schema';
import type { BoundTable } from './caldav-tables';

/**
 * esbuild settings shared by every function and by bench/bundle-sizes.ts, so the sizes measured
 * there are the sizes deployed.
 */
export const ESBUILD_SETTINGS = {
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // `module` first: the AWS SDK and smithy ship ES module builds that esbuild can tree-shake.
  mainFields: ['module', 'main'],
  // Bundled CommonJS code that calls require('node:…') needs a real `require` in an ES module.
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  // The AWS SDK is bundled: the version the tests ran with, not whatever the runtime ships, and
  // one tree-shaken ES module instead of hundreds of CommonJS files resolved and compiled at
  // start-up (more than half of a cold start's CPU when external: bench/README.md, "Cold start").
  external: [] as string[],
} as const;

/**
 * What a function may do on a table. `list`/`listWrite` add Scan: only the users and outbox
 * tables are ever listed whole, by the scheduled job and the CRM API; CalDAV handlers can read
 * their user by key but never scan the table of password hashes. `note` is reading by key in a
 * batch and UpdateItem: the CalDAV handlers read and renew a device's last request and count the
 * tries of a chosen password (activity table) and can do nothing else there.
 * `append` is PutItem and Query: the audit log is added to and read, never changed or emptied.
 */
export type TableAccess = 'read' | 'write' | 'readWrite' | 'list' | 'listWrite' | 'note' | 'append';

/** Exactly the DynamoDB actions the stores call (no DescribeTable, no Scan unless asked for). */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const ACTIONS: Record<TableAccess, string[]> = {
  read: READ_ACTIONS,
  write: WRITE_ACTIONS,
  readWrite: [...READ_ACTIONS, ...WRITE_ACTIONS],
  list: [...READ_ACTIONS, 'dynamodb:Scan'],
  listWrite: [...READ_ACTIONS, 'dynamodb:Scan', ...WRITE_ACTIONS],
  // BatchGetItem: a request reads its device's note in the batch that reads its user.
  note: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
  append: ['dynamodb:PutItem', 'dynamodb:Query'],
};

export interface DavFunctionProps {
  /** Absolute path of the handler module (it must `export const handler`). */
  entry: string;
  /** Absolute path of the directory holding package-lock.json. */
  projectRoot: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  logRetention?: logs.RetentionDays;
  environment?: Record<string, string>;
  /** Lambda's own retries of an asynchronous invocation (0-2); the service default is 2. */
  retryAttempts?: number;
  /** Shell commands run after bundling, given the bundle's directory (files to ship beside the code). */
  afterBundling?: (outputDir: string) => string[];
  /** The application log level (Powertools Logger and Lambda's filter); INFO by default. */
  logLevel?: LogLevel;
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The newest Node.js runtime this CDK version offers for Lambda. The tests run the same code on
 * the Node.js of the machine (20 here, `engines` in package.json); nothing in lambda/ uses an
 * API newer than that.
 */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The one house function: Node.js 24 on arm64, bundled locally by the esbuild dev dependency
 * (never Docker), JSON logs in its own log group with a retention (application level from
 * configuration, Lambda's own lines at INFO so that the REPORT lines with init duration and
 * memory stay), X-Ray active tracing, and a role that starts with nothing but "write to that log
 * group" so every other permission is an explicit grant.
 */
export class DavFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: DavFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole, whose log permissions span every group.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(HTTP_FUNCTION_TIMEOUT_SECONDS),
      role,
      logGroup,
      retryAttempts: props.retryAttempts,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.logLevel ?? 'INFO'],
      // INFO, not WARN: the platform's REPORT line (duration, init duration, memory) is an INFO line.
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: lambda.Tracing.ACTIVE,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      // No --enable-source-maps: Node would read and index the source map at every cold start
      // (~30 ms of CPU, bench/README.md); the .map files ship beside the bundles for reading a
      // stack trace after the fact.
      environment: { POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        target: ESBUILD_SETTINGS.target,
        format: OutputFormat.ESM,
        minify: ESBUILD_SETTINGS.minify,
        sourceMap: ESBUILD_SETTINGS.sourcemap,
        sourcesContent: ESBUILD_SETTINGS.sourcesContent,
        mainFields: [...ESBUILD_SETTINGS.mainFields],
        banner: ESBUILD_SETTINGS.banner,
        externalModules: [...ESBUILD_SETTINGS.external],
        ...(props.afterBundling
          ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: (_input: string, output: string) => props.afterBundling!(output) } }
          : {}),
      },
    });
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: "Active tracing's xray:PutTraceSegments and xray:PutTelemetryRecords allow no resource-level permissions (X-Ray documents Resource *); every other statement names its table or log group.",
    });
  }

  /** Hands the function a table: its name in `<NAME>_TABLE`, and the access asked for, if any. */
  bindTable({ spec, table }: BoundTable, access?: TableAccess): this {
    this.addEnvironment(tableEnvVar(spec), table.tableName);
    if (access) table.grant(this, ...ACTIONS[access]);
    return this;
  }
}
