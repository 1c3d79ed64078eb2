/** Powertools Metrics: one ColdStart metric per container, on Lambda only. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

const script = `
import middy from '@middy/core';
import { coldStartMetric } from './lambda/platform/metrics.ts';
const context = { awsRequestId: 'req-1', functionName: 'fn' };
const handler = middy().use(coldStartMetric()).handler(async () => 'ok');
for (let i = 0; i < 3; i++) await handler({}, context);
`;

async function metricLines(env: Record<string, string>) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', ...env },
  });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => '_aws' in l);
}

describe('coldStartMetric', () => {
  it('writes one ColdStart metric for the container, with the function and the service', async () => {
    const lines = await metricLines({ AWS_LAMBDA_FUNCTION_NAME: 'fn' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      ColdStart: 1,
      function_name: 'fn',
      service: 'crm-caldav',
      _aws: { CloudWatchMetrics: [{ Namespace: 'crm-caldav', Metrics: [{ Name: 'ColdStart', Unit: 'Count' }] }] },
    });
  });

  it('writes nothing outside Lambda (the local server, tests)', async () => {
    expect(await metricLines({})).toEqual([]);
  });
});
