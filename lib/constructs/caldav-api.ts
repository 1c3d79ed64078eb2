import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Methods `aws-cdk-lib`'s HttpMethod knows, each routed to its own Lambda. */
export const STANDARD_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'] as const;
/** WebDAV/CalDAV methods AWS documents neither for nor against as route-key methods. */
export const DAV_METHODS = ['PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR'] as const;

export type StandardMethod = (typeof STANDARD_METHODS)[number];
export type CoreMethod = (typeof DAV_METHODS)[number];

/**
 * How PROPFIND, PROPPATCH, REPORT and MKCALENDAR reach their code (docs/api-gateway-routes.md):
 * - 'any-fallback': `ANY /{proxy+}` and `ANY /` go to one Lambda that dispatches on
 *   `requestContext.http.method` (only documented route-key forms are used);
 * - 'per-method-routes': route keys such as `PROPFIND /{proxy+}`, one Lambda each; the ANY
 *   routes remain for methods with no route (answered 405 instead of API Gateway's 404).
 */
export type DavMethodRouting = 'per-method-routes' | 'any-fallback';
export const DEFAULT_DAV_METHOD_ROUTING: DavMethodRouting = 'any-fallback';

export interface CustomDomain {
  domainName: string;
  certificateArn: string;
}

export interface CaldavApiProps {
  standard: Record<StandardMethod, IFunction>;
  /** Required with 'per-method-routes', ignored with 'any-fallback'. */
  dav?: Record<CoreMethod, IFunction>;
  fallback: IFunction;
  wellKnown: IFunction;
  /** The CRM REST API (/crm/...); without it those paths fall to the CalDAV routes. */
  crmApi?: IFunction;
  davMethodRouting: DavMethodRouting;
  customDomain?: CustomDomain;
  /** Steady-state requests per second across the stage, and burst. */
  throttle?: { rateLimit: number; burstLimit: number };
  accessLogRetention?: logs.RetentionDays;
}

/** Every route is registered on both; `{proxy+}` does not match the bare root. */
const PATHS = ['/', '/{proxy+}'] as const;
export const WELL_KNOWN_PATH = '/.well-known/caldav';
export const CRM_API_PATH = '/crm/{proxy+}';

/**
 * Regional HTTP API (payload v2), no CloudFront in front: CloudFront forwards only the seven
 * standard methods, so PROPFIND would never arrive.
 */
export class CaldavApi extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** One JSON line per request, with the route key that matched (scripts/smoke-deployed.sh reads it). */
  readonly accessLogs: logs.LogGroup;
  readonly domain?: apigwv2.DomainName;
  private readonly customDomainName?: string;
  /** Every route key created, e.g. `GET /{proxy+}`: what tests and docs check against. */
  readonly routeKeys: string[] = [];

  constructor(scope: Construct, id: string, props: CaldavApiProps) {
    super(scope, id);
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'CalDAV endpoint',
      createDefaultStage: false,
    });

    const integrations = new Map<IFunction, HttpLambdaIntegration>();
    const integrationFor = (fn: IFunction) => {
      let integration = integrations.get(fn);
      if (!integration) {
        // One invoke permission per function (scoped to this API) instead of one per route.
        integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn, { scopePermissionToRoute: false });
        integrations.set(fn, integration);
      }
      return integration;
    };
    const route = (method: string, path: string, fn: IFunction, id: string = path === '/' ? 'Root' : 'Proxy') => {
      // HttpMethod is a closed enum, but HttpRouteKey only concatenates "<method> <path>": the
      // cast is how a WebDAV method becomes a route key (see docs/api-gateway-routes.md).
      const routeKey = apigwv2.HttpRouteKey.with(path, method as string as apigwv2.HttpMethod);
      const construct = new apigwv2.HttpRoute(this, `${method}${id}`, {
        httpApi: this.httpApi,
        routeKey,
        integration: integrationFor(fn),
      });
      Validations.of(construct).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'CalDAV clients (iOS, macOS, DAVx5, Thunderbird) authenticate with HTTP Basic only; the Lambda checks the credentials against the users table. API Gateway authorizers (IAM, JWT, Lambda with caching) cannot serve them.',
      });
      this.routeKeys.push(routeKey.key);
    };

    for (const method of STANDARD_METHODS) for (const path of PATHS) route(method, path, props.standard[method]);
    if (props.davMethodRouting === 'per-method-routes') {
      if (!props.dav) throw new Error("davMethodRouting 'per-method-routes' needs a function for each DAV method");
      for (const method of DAV_METHODS) for (const path of PATHS) route(method, path, props.dav[method]);
    }
    for (const path of PATHS) route('ANY', path, props.fallback);
    // An exact path outranks the greedy `{proxy+}` whatever the method (RFC 6764 discovery).
    route('ANY', WELL_KNOWN_PATH, props.wellKnown, 'WellKnown');
    if (props.crmApi) {
      // The standard methods get their own /crm routes too: API Gateway does not document whether
      // `GET /{proxy+}` or `ANY /crm/{proxy+}` wins, and the CRM API must never reach CalDAV code.
      for (const method of [...STANDARD_METHODS, 'ANY']) route(method, CRM_API_PATH, props.crmApi, 'Crm');
    }

    const accessLogs = (this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    }));
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No headers and no body: Authorization and calendar data never reach the access log.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    if (props.customDomain) {
      this.customDomainName = props.customDomain.domainName;
      this.domain = new apigwv2.DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      new apigwv2.ApiMapping(this, 'Mapping', { api: this.httpApi, domainName: this.domain, stage: this.stage });
    }
  }

  /** The URL clients are given: the custom domain when there is one. */
  get url(): string {
    return this.customDomainName ? `https://${this.customDomainName}/` : this.stage.url;
  }
}
