/** The AWS export trigger, against a stand-in for Lambda's Invoke API (test/helpers/fake-lambda.ts). */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lambda/app/build';
import { SCHEDULED_FUNCTION_ENV, invokeScheduled } from '../../lambda/platform/export-now';
import { useFakeLambda } from '../helpers/fake-lambda';

const lambda = useFakeLambda();

describe('export on enable, on AWS', () => {
  it('invokes the scheduled function asynchronously with { exportFor }', async () => {
    lambda.calls.length = 0;
    await invokeScheduled('crm-caldav-scheduled', lambda.env)('pat@zillum.com');
    expect(lambda.calls).toHaveLength(1);
    expect(lambda.calls[0]).toMatchObject({ functionName: 'crm-caldav-scheduled', invocationType: 'Event', payload: { exportFor: 'pat@zillum.com' } });
  });

  it('an App built with the scheduled function\'s name starts exports there, not in its own process', async () => {
    lambda.calls.length = 0;
    const app = buildApp({ env: { ...lambda.env, CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', [SCHEDULED_FUNCTION_ENV]: 'crm-caldav-scheduled' } });
    await app.startExport('sam@zillum.com');
    expect(lambda.calls.map((c) => c.functionName)).toEqual(['crm-caldav-scheduled']);
    // Nothing runs here in the background: closing does not wait on a pass against 127.0.0.1:1.
    await app.close();
  });
});
