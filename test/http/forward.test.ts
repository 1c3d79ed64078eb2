/** The ANY fallback handing PROPPATCH to the function allowed to write (Lambda's Invoke API stood in for: test/helpers/fake-lambda.ts). */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvocationTimeout, type Invoker } from '../../lambda/platform/lambda-client';
import { silentLogger } from '../../lambda/platform/log';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';
import { forwardTo } from '../../lambda/http/forward';
import { fakeLambda } from '../helpers/fake-lambda';

const proppatch = buildApiGatewayEvent({ method: 'PROPPATCH', url: '/calendars/pat%40zillum.com/crm/', body: '<propertyupdate xmlns="DAV:"/>' });
const invoker = (answer: Invoker['invoke']): Invoker => ({ invoke: answer });

describe('forwardTo', () => {
  it('sends the event unchanged, synchronously, and answers with the function\'s result', async () => {
    const calls: unknown[][] = [];
    const forward = forwardTo('writer', invoker(async (...args) => {
      calls.push(args);
      return { payload: new TextEncoder().encode(JSON.stringify({ statusCode: 207, body: 'ok' })) };
    }), silentLogger);
    expect(await forward(proppatch)).toEqual({ statusCode: 207, body: 'ok' });
    expect(calls).toEqual([['writer', proppatch, 'RequestResponse', {}]]);
  });

  it('answers 500 without details when the function fails, 413 when Lambda refuses the payload size', async () => {
    const failed = forwardTo('writer', invoker(async () => ({ functionError: 'Unhandled', payload: new TextEncoder().encode('{"errorMessage":"secret stack"}') })), silentLogger);
    const res = await failed(proppatch);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    const tooBig = Object.assign(new Error('too big'), { name: 'RequestEntityTooLargeException' });
    const refused = forwardTo('writer', invoker(async () => { throw tooBig; }), silentLogger);
    expect((await refused(proppatch)).statusCode).toBe(413);
  });

  it('waits at most its own remaining time less a second, then answers 504 to retry', async () => {
    const waits: unknown[] = [];
    const slow = forwardTo('writer', invoker(async (_name, _event, _type, opts) => {
      waits.push(opts);
      throw new InvocationTimeout('writer did not answer');
    }), silentLogger);
    const res = await slow(proppatch, { getRemainingTimeInMillis: () => 9_000 } as Context);
    expect(res.statusCode).toBe(504);
    expect(res.body).toMatch(/Try again/);
    expect(waits).toEqual([{ withinMs: 8_000 }]);
  });
});

describe('the ANY handler on AWS', () => {
  let lambda: Awaited<ReturnType<typeof fakeLambda>>;
  beforeAll(async () => {
    lambda = await fakeLambda(() => ({ status: 200, body: JSON.stringify({ statusCode: 207, body: '<multistatus/>' }) }));
    vi.stubEnv('PROPPATCH_FUNCTION_NAME', 'crm-caldav-proppatch');
    for (const [name, value] of Object.entries(lambda.env)) vi.stubEnv(name, value);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await lambda.close();
  });

  it('forwards PROPPATCH to the PROPPATCH function and serves the other methods itself', async () => {
    const { handler } = await import('../../lambda/handlers/any');
    const res = await handler(proppatch, {} as Context);
    expect(res.statusCode).toBe(207);
    expect(lambda.calls.map((c) => [c.functionName, c.invocationType])).toEqual([['crm-caldav-proppatch', 'RequestResponse']]);
    expect(lambda.calls[0]!.payload).toEqual(proppatch);

    // OPTIONS answers before credentials and touches no table: served here, nothing sent.
    const options = await handler(buildApiGatewayEvent({ method: 'OPTIONS', url: '/' }), {} as Context);
    expect(options.statusCode).toBe(200);
    expect(lambda.calls).toHaveLength(1);
  });
});
