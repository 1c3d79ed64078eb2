/** The AWS export trigger, with the Lambda client mocked (a unit test: no AWS here). */
import { describe, expect, it, vi } from 'vitest';

const sent: Array<{ input: Record<string, unknown> }> = [];
vi.mock('@aws-sdk/client-lambda', () => ({
  LambdaClient: class {
    constructor(readonly config: Record<string, unknown>) {}
    async send(command: { input: Record<string, unknown> }) {
      sent.push(command);
      return { StatusCode: 202 };
    }
  },
  InvokeCommand: class {
    constructor(readonly input: Record<string, unknown>) {}
  },
}));

const { buildApp } = await import('../../lambda/app/build');
const { SCHEDULED_FUNCTION_ENV, invokeScheduled } = await import('../../lambda/platform/export-now');

describe('export on enable, on AWS', () => {
  it('invokes the scheduled function asynchronously with { exportFor }', async () => {
    sent.length = 0;
    await invokeScheduled('crm-caldav-scheduled', { AWS_REGION: 'eu-west-1' })('pat@zillum.com');
    expect(sent).toHaveLength(1);
    const input = sent[0]!.input;
    expect(input).toMatchObject({ FunctionName: 'crm-caldav-scheduled', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ exportFor: 'pat@zillum.com' });
  });

  it('an App built with the scheduled function\'s name starts exports there, not in its own process', async () => {
    sent.length = 0;
    const app = buildApp({ env: { CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', [SCHEDULED_FUNCTION_ENV]: 'crm-caldav-scheduled' } });
    await app.startExport('sam@zillum.com');
    expect(sent.map((c) => c.input.FunctionName)).toEqual(['crm-caldav-scheduled']);
    // Nothing runs here in the background: closing does not wait on a pass against 127.0.0.1:1.
    await app.close();
  });
});
