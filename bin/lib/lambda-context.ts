/** A Lambda Context good enough for the handlers when they run outside Lambda (local server, tests). */
import type { Context } from 'aws-lambda';
import { HTTP_FUNCTION_TIMEOUT_SECONDS } from '../../lambda/http/front-door';

/** The deployed HTTP functions' timeout: the handlers see the time they would have on AWS. */
const TIMEOUT_MS = HTTP_FUNCTION_TIMEOUT_SECONDS * 1000;

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
