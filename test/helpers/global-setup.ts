/**
 * Starts DynamoDB Local in memory once per test run and hands its endpoint to the test files
 * (`inject('dynamoEndpoint')`, see test/helpers/dynamo.ts). When CALDAV_DYNAMODB_ENDPOINT or
 * AWS_ENDPOINT_URL(_DYNAMODB) is set, that engine (e.g. LocalStack) is used as is.
 *
 * The engine starts in the background: test files that never touch DynamoDB do not wait for
 * the JVM, and the others wait only in freshTables().
 */
import type { TestProject } from 'vitest/node';
import { QUICK_START_JVM_ARGS, freePort, startDynamoDbLocal } from '../../bin/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB engine for this run. */
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const given =
    process.env.CALDAV_DYNAMODB_ENDPOINT || process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL;
  if (given) {
    project.provide('dynamoEndpoint', given);
    return;
  }
  const port = await freePort();
  const abort = new AbortController();
  const starting = startDynamoDbLocal({ port, jvmArgs: QUICK_START_JVM_ARGS, signal: abort.signal });
  starting.catch((err: unknown) => {
    if (!abort.signal.aborted) console.error(`\nDynamoDB Local failed to start: ${(err as Error).message}\n`);
  });
  project.provide('dynamoEndpoint', `http://127.0.0.1:${port}`);
  return async () => {
    abort.abort();
    const local = await starting.catch(() => null);
    await local?.stop();
  };
}
