/**
 * X-Ray tracing through Powertools for AWS Lambda's Tracer: a subsegment per DynamoDB call of the
 * clients handed to traceClient, and the handler's own segment (annotations: cold start,
 * service; errors). Used by the CRM API and the scheduled function, whose invocations make many
 * calls; the CalDAV functions (one or two calls each, cold starts on the phones' path) are traced
 * by Lambda's active tracing alone: loading the X-Ray SDK costs them ~20-40 ms of cold start, and
 * its async hooks a share of every request's CPU (bench/README.md).
 *
 * The SDK is loaded on Lambda only (never by the local server, tests or the bench, whose
 * measurements it would skew), and only when an entry point asks for it.
 */
import type { MiddlewareObj, Request } from '@middy/core';

type Xray = typeof import('./xray');

const onLambda = () => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== 'false';

let loading: Promise<Xray | null> | undefined;

/** The Tracer's module, or null off Lambda. */
export const loadTracing = (): Promise<Xray | null> => (loading ??= onLambda() ? import('./xray') : Promise.resolve(null));

/** The Tracer's handler segment, loaded on the first invocation; nothing off Lambda. */
export function traceInvocation<E, R>(): MiddlewareObj<E, R> {
  let traced: MiddlewareObj | null | undefined;
  const call = async (phase: 'before' | 'after' | 'onError', request: Request<E, R>) => {
    traced ??= (await loadTracing())?.handlerTracing() ?? null;
    await traced?.[phase]?.(request as Request);
  };
  return { before: (r) => call('before', r), after: (r) => call('after', r), onError: (r) => call('onError', r) };
}
