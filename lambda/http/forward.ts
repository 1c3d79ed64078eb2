/**
 * The ANY fallback reads; PROPPATCH, the one write among the methods it receives, is handed to
 * the PROPPATCH function, whose role may write (lib/caldav-stack.ts). The fallback's own role
 * then reads only, though it serves PROPFIND and REPORT, the busiest calendar reads.
 */
import type { ALBEvent, ALBResult, APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Invoker } from '../platform/lambda-client';
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

/** The event, unchanged, to `functionName` (it accepts either front door's shape); its answer back. */
export function forwardTo(functionName: string, lambda: Invoker, log: Logger): (event: FrontEvent) => Promise<FrontResult> {
  return async (event) => {
    try {
      const out = await lambda.invoke(functionName, event, 'RequestResponse');
      if (out.functionError || !out.payload) {
        log('error', 'forwarded request failed', { functionName, error: out.functionError ?? 'no payload', method: methodOf(event) });
        return failure(500, 'The server could not complete the request.');
      }
      return JSON.parse(new TextDecoder().decode(out.payload)) as FrontResult;
    } catch (err) {
      // Lambda refuses payloads over 6 MB; nothing else about the request is wrong.
      if (err instanceof Error && err.name === 'RequestEntityTooLargeException') return failure(413, 'The request body is too large.');
      log('error', 'forwarding failed', { functionName, error: errorText(err), method: methodOf(event) });
      return failure(500, 'The server could not complete the request.');
    }
  };
}
