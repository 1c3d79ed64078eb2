/**
 * An HTTP server answering Lambda's Invoke API (POST /2015-03-31/functions/NAME/invocations) as
 * the service does, for the code that invokes functions (lambda/platform/lambda-client.ts): every
 * call recorded with its headers, the answer chosen per test.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface InvokeCall {
  functionName: string;
  invocationType: string;
  headers: IncomingHttpHeaders;
  path: string;
  payload: unknown;
}

export interface FakeAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** What a test has the service do with a call: answer it, or (`'hold'`) never answer. */
export type FakeReply = FakeAnswer | 'hold';

export async function fakeLambda(answer: (call: InvokeCall) => FakeReply = () => ({ status: 202, body: '' })) {
  const calls: InvokeCall[] = [];
  const state = { answer };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      const call: InvokeCall = {
        functionName: decodeURIComponent(match?.[1] ?? ''),
        invocationType: String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse'),
        headers: req.headers,
        path: req.url ?? '',
        payload: text ? (JSON.parse(text) as unknown) : undefined,
      };
      calls.push(call);
      const out = match ? state.answer(call) : { status: 404, body: '{"message":"no such route"}', headers: { 'x-amzn-errortype': 'ResourceNotFoundException' } };
      if (out === 'hold') return;
      res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
      res.end(out.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    /** What the function answers from now on. */
    answer(next: (call: InvokeCall) => FakeReply) {
      state.answer = next;
    },
    /** A Lambda environment pointing invocations here. */
    env: { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_ENDPOINT_URL_LAMBDA: url },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export type FakeLambda = Awaited<ReturnType<typeof fakeLambda>>;

/** A stand-in for the whole test file: started before its first test, closed after its last. */
export function useFakeLambda(answer?: (call: InvokeCall) => FakeReply): FakeLambda {
  const lambda = {} as FakeLambda;
  beforeAll(async () => {
    Object.assign(lambda, await fakeLambda(answer));
  });
  afterAll(() => lambda.close());
  return lambda;
}
