/** The Powertools logger behind `logLine`: JSON lines, the invocation's context, the level from configuration. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** Logs through a middy handler with logInvocation, twice (cold, then warm), in a fresh process. */
const script = `
import middy from '@middy/core';
import { logInvocation, logLine } from './lambda/platform/log.ts';
const context = { awsRequestId: 'req-1', functionName: 'fn', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:fn', memoryLimitInMB: '512' };
const handler = middy().use(logInvocation()).handler(async () => {
  logLine('debug', 'details', { n: 1 });
  logLine('info', 'served', { path: '/x' });
  logLine('error', 'failed', { error: 'E: boom' });
});
await handler({}, context);
await handler({}, { ...context, awsRequestId: 'req-2' });
`;

async function linesWith(env: Record<string, string>) {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'fn', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', ...env },
  });
  // Errors go to stderr, the rest to stdout: each stream in its own order, requests in order.
  const parse = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const all = [...parse(stdout), ...parse(stderr)];
  return all.sort((a, b) => String(a.function_request_id).localeCompare(String(b.function_request_id)) || all.indexOf(a) - all.indexOf(b));
}

describe('logLine (Powertools Logger)', () => {
  it('writes JSON lines with the service, request id and cold start, and the fields given', async () => {
    const lines = await linesWith({});
    expect(lines.map((l) => [l.level, l.message, l.function_request_id, l.cold_start])).toEqual([
      ['INFO', 'served', 'req-1', true],
      ['ERROR', 'failed', 'req-1', true],
      ['INFO', 'served', 'req-2', false],
      ['ERROR', 'failed', 'req-2', false],
    ]);
    expect(lines[0]).toMatchObject({ service: 'crm-caldav', function_name: 'fn', path: '/x' });
    expect(typeof lines[0]!.timestamp).toBe('string');
  });

  it('takes its level from POWERTOOLS_LOG_LEVEL', async () => {
    expect((await linesWith({ POWERTOOLS_LOG_LEVEL: 'ERROR' })).map((l) => l.message)).toEqual(['failed', 'failed']);
    expect((await linesWith({ POWERTOOLS_LOG_LEVEL: 'DEBUG' })).map((l) => l.message)).toEqual(['details', 'served', 'failed', 'details', 'served', 'failed']);
  });
});
