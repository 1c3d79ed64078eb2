/**
 * Starts DynamoDB Local in memory once per test run and hands its endpoint to the test files
 * (`inject('dynamoEndpoint')`, see test/helpers/dynamo.ts). When CALDAV_DYNAMODB_ENDPOINT or
 * AWS_ENDPOINT_URL(_DYNAMODB) is set, that engine (e.g. LocalStack) is used as is.
 *
 * The engine starts in the background: test files that never touch DynamoDB do not wait for
 * the JVM, and the others wait only in freshTables().
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { QUICK_START_JVM_ARGS, freePort, startDynamoDbLocal } from '../../bin/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB engine for this run. */
    dynamoEndpoint: string;
  }
}

/**
 * Everything tests write to the OS temp dir (CDK cloud assemblies, server data dirs) goes into
 * one directory removed after the run; workers inherit TMPDIR from this process.
 */
function privateTmpDir(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-caldav-test-'));
  process.env.TMPDIR = dir;
  return () => rm(dir, { recursive: true, force: true });
}

/**
 * The AWS SDK's notice that its 2027 releases will need Node.js 22 is printed once per process,
 * so once per test worker and child process: dozens of copies burying the output. Only that
 * notice is switched off (its own variable), only for the test run; workers and the servers the
 * tests spawn inherit it. Every other warning still shows.
 */
function quietSdkNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export default async function setup(project: TestProject) {
  quietSdkNodeVersionNotice();
  const removeTmp = privateTmpDir();
  const given =
    process.env.CALDAV_DYNAMODB_ENDPOINT || process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL;
  if (given) {
    project.provide('dynamoEndpoint', given);
    return removeTmp;
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
    await removeTmp();
  };
}
