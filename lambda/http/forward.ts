/**
 * The ANY fallback reads; PROPPATCH, the one write among the methods it receives, is handed to
 * the PROPPATCH function, whose role may write (lib/caldav-stack.ts). The fallback's own role
 * then reads only, though it serves PROPFIND and REPORT, the busiest calendar reads.
 */
import type { ALBEvent, ALBResult, APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InvocationTimeout, type Invoker } from '../platform/lambda-client';
import { errorText, type Logger } from '../platform/log';
import { isAlbEvent } from './front-door';

/** The PROPPATCH function's name, given to the fallback on AWS; absent, it serves PROPPATCH itself. */
export const PROPPATCH_FUNCTION_ENV = 'PROPPATCH_FUNCTION_NAME';
export const FORWARDED_METHODS: readonly string[] = ['PROPPATCH'];

type FrontEvent = APIGatewayProxyEventV2 | ALBEvent;
type FrontResult = APIGatewayProxyStructuredResultV2 | ALBResult;

export const methodOf = (event: FrontEvent): string =>
  (isAlbEvent(event) ? event.httpMethod : event.requestContext.http.method).toUpperCase();

const failure = (status: number, text: string): FrontResult => ({
  statusCode: status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: `${text}\n`,
  isBase64Encoded: false,
});

/** Time kept back from the caller's own timeout to answer once the forwarded request is given up. */
const ANSWER_RESERVE_MS = 1_000;

/**
 * The event, unchanged, to `functionName` (it accepts either front door's shape); its answer back.
 * The wait ends before this function's own timeout: a 504 the client can retry (PROPPATCH sets
 * values, so a second one does no harm) instead of a bare 500 from API Gateway.
 */
export function forwardTo(functionName: string, lambda: Invoker, log: Logger): (event: FrontEvent, context?: Context) => Promise<FrontResult> {
  return async (event, context) => {
    try {
      const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
      const out = await lambda.invoke(functionName, event, 'RequestResponse', remaining === undefined ? {} : { withinMs: Math.max(1, remaining - ANSWER_RESERVE_MS) });
      if (out.functionError || !out.payload) {
        log('error', 'forwarded request failed', { functionName, error: out.functionError ?? 'no payload', method: methodOf(event) });
        return failure(500, 'The server could not complete the request.');
      }
      return JSON.parse(new TextDecoder().decode(out.payload)) as FrontResult;
    } catch (err) {
      // Lambda refuses payloads over 6 MB; nothing else about the request is wrong.
      if (err instanceof Error && err.name === 'RequestEntityTooLargeException') return failure(413, 'The request body is too large.');
      if (err instanceof InvocationTimeout) {
        log('warn', 'forwarded request timed out', { functionName, method: methodOf(event) });
        return failure(504, 'The server did not finish the request in time; it may still take effect. Try again.');
      }
      log('error', 'forwarding failed', { functionName, error: errorText(err), method: methodOf(event) });
      return failure(500, 'The server could not complete the request.');
    }
  };
}
