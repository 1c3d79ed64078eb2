/**
 * Lambda's Invoke API spoken directly (lambda/platform/lambda-client.ts), against a stand-in for
 * the service (test/helpers/fake-lambda.ts): the request as the SDK would sign it, the function's
 * own error told apart from the API's, retries only where the SDK retries.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../helpers/node-sha256';
import { describe, expect, it } from 'vitest';
import { InvocationTimeout, lambdaEndpoint, lambdaInvoker } from '../../lambda/platform/lambda-client';
import { useFakeLambda } from '../helpers/fake-lambda';

const lambda = useFakeLambda();

describe('lambdaInvoker', () => {
  it('POSTs the payload to the function’s invocations path, signed as @smithy/signature-v4 signs it', async () => {
    lambda.calls.length = 0;
    lambda.answer(() => ({ status: 200, body: '{"statusCode":207}' }));
    const out = await lambdaInvoker(lambda.env).invoke('crm-caldav-proppatch', { hello: 'wörld' }, 'RequestResponse');
    expect(new TextDecoder().decode(out.payload)).toBe('{"statusCode":207}');
    expect(out.functionError).toBeUndefined();
    const call = lambda.calls[0]!;
    expect(call).toMatchObject({ functionName: 'crm-caldav-proppatch', invocationType: 'RequestResponse', payload: { hello: 'wörld' } });
    const host = new URL(lambda.url).host;
    const date = String(call.headers['x-amz-date']);
    const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const sdk = await new SignatureV4({ credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', sessionToken: 'token' }, region: 'eu-west-1', service: 'lambda', sha256: NodeSha256, applyChecksum: false }).sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: host,
        path: call.path,
        query: {},
        headers: { host, 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify({ hello: 'wörld' }),
      },
      { signingDate },
    );
    expect(call.headers.authorization).toBe(sdk.headers.authorization);
    expect(call.headers['x-amz-security-token']).toBe('token');
  });

  it('tells the function’s own failure (X-Amz-Function-Error) from Lambda refusing the call', async () => {
    lambda.answer(() => ({ status: 200, body: '{"errorMessage":"boom"}', headers: { 'x-amz-function-error': 'Unhandled' } }));
    const failed = await lambdaInvoker(lambda.env).invoke('writer', {}, 'RequestResponse');
    expect(failed.functionError).toBe('Unhandled');
    lambda.answer(() => ({ status: 413, body: '{"Type":"User","message":"Request must be smaller than 6291456 bytes"}', headers: { 'x-amzn-errortype': 'RequestEntityTooLargeException:http://internal.amazon.com/coral/' } }));
    await expect(lambdaInvoker(lambda.env).invoke('writer', {}, 'RequestResponse')).rejects.toMatchObject({ name: 'RequestEntityTooLargeException', status: 413 });
  });

  it('tries again on throttling and 5xx (three attempts), never on a client error', async () => {
    let n = 0;
    lambda.answer(() => (++n < 3 ? { status: n === 1 ? 429 : 503, body: '{}', headers: { 'x-amzn-errortype': n === 1 ? 'TooManyRequestsException' : 'ServiceException' } } : { status: 202, body: '' }));
    await lambdaInvoker(lambda.env, 1).invoke('export', { exportFor: 'a@b.c' }, 'Event');
    expect(n).toBe(3);
    n = 0;
    lambda.answer(() => (n++, { status: 403, body: '{"message":"not allowed"}', headers: { 'x-amzn-errortype': 'AccessDeniedException' } }));
    await expect(lambdaInvoker(lambda.env, 1).invoke('export', {}, 'Event')).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'not allowed' });
    expect(n).toBe(1);
  });

  it('gives up waiting for a function’s answer at withinMs, without invoking it again', async () => {
    lambda.calls.length = 0;
    lambda.answer(() => 'hold');
    const started = Date.now();
    await expect(lambdaInvoker(lambda.env, 1).invoke('writer', {}, 'RequestResponse', { withinMs: 200 })).rejects.toBeInstanceOf(InvocationTimeout);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lambda.calls).toHaveLength(1);
    // An answer within the time is taken as ever.
    lambda.answer(() => ({ status: 200, body: '{"statusCode":207}' }));
    const out = await lambdaInvoker(lambda.env, 1).invoke('writer', {}, 'RequestResponse', { withinMs: 2_000 });
    expect(new TextDecoder().decode(out.payload)).toBe('{"statusCode":207}');
  });

  it('gives up a queued (Event) invocation whose answer never comes, three attempts in all', async () => {
    lambda.calls.length = 0;
    lambda.answer(() => 'hold');
    await expect(lambdaInvoker(lambda.env, 1, 100).invoke('export', { exportFor: 'a@b.c' }, 'Event')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(lambda.calls).toHaveLength(3);
  });

  it('refuses what is not a plain function name, and a call without credentials, clearly', async () => {
    await expect(lambdaInvoker(lambda.env).invoke('../admin', {}, 'Event')).rejects.toThrow(/Not a function name/);
    const { AWS_ACCESS_KEY_ID: _a, ...noKeys } = lambda.env;
    await expect(lambdaInvoker(noKeys).invoke('export', {}, 'Event')).rejects.toThrow(/No AWS credentials/);
  });

  it('finds the region’s endpoint as the SDK does', () => {
    expect(lambdaEndpoint({}, 'eu-west-1').href).toBe('https://lambda.eu-west-1.amazonaws.com/');
    expect(lambdaEndpoint({}, 'cn-north-1').href).toBe('https://lambda.cn-north-1.amazonaws.com.cn/');
    expect(lambdaEndpoint({ AWS_ENDPOINT_URL: 'http://localhost:4566' }, 'us-east-1').href).toBe('http://localhost:4566/');
  });
});
