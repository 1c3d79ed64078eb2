/**
 * Starts DynamoDB Local in memory once per test run and hands its endpoint to the test files
 * (`inject('dynamoEndpoint')`, see test/helpers/dynamo.ts). When CALDAV_DYNAMODB_ENDPOINT or
 * AWS_ENDPOINT_URL is set, that engine (e.g. LocalStack) is used as is and nothing is started.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../bin/dynamodb-local';

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
  const local = await startDynamoDbLocal({});
  project.provide('dynamoEndpoint', local.endpoint);
  return () => local.stop();
}
