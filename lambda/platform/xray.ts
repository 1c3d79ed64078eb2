/**
 * Powertools for AWS Lambda's Tracer (the X-Ray SDK). Imported only through tracing.ts, on Lambda:
 * loading the X-Ray SDK installs async hooks (cls-hooked) that tax every promise of the process.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SERVICE_NAME } from './log';
import { wireTracing } from './dynamodb/wire-tracing';

export const tracer = new Tracer({ serviceName: SERVICE_NAME });

export const handlerTracing = () => captureLambdaHandler(tracer, { captureResponse: false });

export const traceClient = <C extends object>(client: C): C => tracer.captureAWSv3Client(client);

/** The wire's calls as subsegments of the invocation's segment (platform/dynamodb/wire-tracing.ts). */
export const traceWire = wireTracing(() => tracer.getSegment(), process.env.AWS_REGION ?? '');
