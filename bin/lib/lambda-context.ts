/** A Lambda Context good enough for the handlers when they run outside Lambda (local server, tests). */
import type { Context } from 'aws-lambda';

/** API Gateway gives up on an integration after 30 s; the local run keeps the same ceiling. */
const TIMEOUT_MS = 29_000;

export function lambdaContext(requestId: string, functionName = 'crm-caldav-local'): Context {
  const deadline = Date.now() + TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
