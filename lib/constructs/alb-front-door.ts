import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomDomain, StandardMethod } from './caldav-api';

export interface AlbFrontDoorProps {
  standard: Record<StandardMethod, lambda.IFunction>;
  /** PROPFIND, PROPPATCH, REPORT, MKCALENDAR with their own functions (per-method routing). */
  dav?: Record<string, lambda.IFunction>;
  /** Every other method (in any-fallback routing: the four DAV methods too). */
  fallback: lambda.IFunction;
  wellKnown: lambda.IFunction;
  crmApi: lambda.IFunction;
  /** An ALB needs its certificate: CalDAV clients only speak HTTPS to it. */
  customDomain: CustomDomain;
}

/**
 * `frontDoor=alb`: an internet-facing Application Load Balancer in front of the same functions,
 * routing by listener rules, which AWS documents for custom method names (PROPFIND, REPORT, …)
 * where the HTTP API documentation is silent. HTTPS on 443 (HTTP redirects there); the default
 * action is the fallback function, so no method is ever dropped. Lambda targets get events in
 * the ALB format, which the handlers adapt (lambda/http/front-door.ts), with its 1 MB limits.
 */
export class AlbFrontDoor extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  /** Where the access logs go (scripts/smoke-deployed.sh reads the matched rule there). */
  readonly accessLogs: s3.Bucket;
  readonly metrics: { requests: cloudwatch.IMetric; serverErrors: cloudwatch.IMetric; latencyP95: cloudwatch.IMetric };

  constructor(scope: Construct, id: string, props: AlbFrontDoorProps) {
    super(scope, id);
    // Public subnets only: the load balancer needs a VPC, the functions stay outside it.
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    vpc.addFlowLog('FlowLog');
    const logs = (this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    }));
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket holds the load balancer access logs; logging access to the log bucket itself would recurse.' });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
    this.loadBalancer.logAccessLogs(logs);
    Validations.of(this.loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'A public CalDAV endpoint: iPhones connect from anywhere on 443 (and 80, redirected).' });

    this.loadBalancer.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }) });
    const certificate = elbv2.ListenerCertificate.fromArn(props.customDomain.certificateArn);
    const group = (name: string, fn: lambda.IFunction) => new elbv2.ApplicationTargetGroup(this, `${name}Targets`, { targets: [new targets.LambdaTarget(fn)] });
    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: elbv2.ListenerAction.forward([group('Fallback', props.fallback)]),
    });

    let priority = 10;
    const rule = (name: string, conditions: elbv2.ListenerCondition[], fn: lambda.IFunction) =>
      this.listener.addAction(name, { priority: (priority += 10), conditions, action: elbv2.ListenerAction.forward([group(name, fn)]) });
    rule('WellKnown', [elbv2.ListenerCondition.pathPatterns(['/.well-known/caldav', '/.well-known/caldav/'])], props.wellKnown);
    rule('Crm', [elbv2.ListenerCondition.pathPatterns(['/crm', '/crm/*'])], props.crmApi);
    for (const [method, fn] of [...Object.entries(props.standard), ...Object.entries(props.dav ?? {})]) {
      rule(`${method[0]}${method.slice(1).toLowerCase()}`, [elbv2.ListenerCondition.httpRequestMethods([method])], fn);
    }

    const period = Duration.minutes(5);
    this.metrics = {
      requests: this.loadBalancer.metrics.requestCount({ period, statistic: 'Sum' }),
      serverErrors: this.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' }),
      // Seconds, as the ALB reports it; the alarm threshold is converted.
      latencyP95: this.loadBalancer.metrics.targetResponseTime({ period, statistic: 'p95' }),
    };
  }
}
