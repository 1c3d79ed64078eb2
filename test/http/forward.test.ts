/** The ANY fallback handing PROPPATCH to the function allowed to write (a unit test: Lambda mocked). */
import type { Context } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Invoker } from '../../lambda/platform/lambda-client';
import { silentLogger } from '../../lambda/platform/log';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';
import { forwardTo } from '../../lambda/http/forward';

const sent: Array<{ input: Record<string, unknown> }> = [];
vi.mock('@aws-sdk/client-lambda', () => ({
  LambdaClient: class {
    async send(command: { input: Record<string, unknown> }) {
      sent.push(command);
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ statusCode: 207, body: '<multistatus/>' })) };
    }
  },
  InvokeCommand: class {
    constructor(readonly input: Record<string, unknown>) {}
  },
}));

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
    expect(calls).toEqual([['writer', proppatch, 'RequestResponse']]);
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
});

describe('the ANY handler on AWS', () => {
  vi.stubEnv('PROPPATCH_FUNCTION_NAME', 'crm-caldav-proppatch');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  afterAll(() => vi.unstubAllEnvs());

  it('forwards PROPPATCH to the PROPPATCH function and serves the other methods itself', async () => {
    const { handler } = await import('../../lambda/handlers/any');
    sent.length = 0;
    const res = await handler(proppatch, {} as Context);
    expect(res.statusCode).toBe(207);
    expect(sent.map((c) => c.input.FunctionName)).toEqual(['crm-caldav-proppatch']);
    expect(JSON.parse(new TextDecoder().decode(sent[0]!.input.Payload as Uint8Array))).toEqual(proppatch);

    // OPTIONS answers before credentials and touches no table: served here, nothing sent.
    const options = await handler(buildApiGatewayEvent({ method: 'OPTIONS', url: '/' }), {} as Context);
    expect(options.statusCode).toBe(200);
    expect(sent).toHaveLength(1);
  });
});
