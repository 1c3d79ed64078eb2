/**
 * The lean DynamoDB wire (lambda/platform/dynamodb/wire.ts) on its own: its Signature V4 against
 * the SDK's signer, and its answers, errors and retries against a canned-answer HTTP server (what
 * DynamoDB Local cannot be made to do on demand). Its calls against a real engine are covered by
 * every store test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../helpers/node-sha256';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoWire, SigV4, targetOf } from '../../../lambda/platform/dynamodb/wire';
import { fromWire, toWire } from '../../../lambda/platform/dynamodb/wire-values';
import { cancellationCodes, isNamed, lostRace } from '../../../lambda/platform/dynamodb/retry';

describe('Signature V4', () => {
  const body = JSON.stringify({ RequestItems: { t: { Keys: [{ pk: { S: 'a@example.com' } }], ConsistentRead: true } } });
  const at = new Date('2026-12-07T11:03:18.123Z');

  for (const creds of [
    { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/with+chars', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token=' },
  ]) {
    it(`signs exactly as @smithy/signature-v4 does${creds.sessionToken ? ' (with a session token)' : ''}`, async () => {
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.BatchGetItem' };
      const ours = new SigV4('eu-central-1').sign(creds, 'dynamodb.eu-central-1.amazonaws.com', '/', headers, body, at);
      const sdk = await new SignatureV4({ credentials: creds, region: 'eu-central-1', service: 'dynamodb', sha256: NodeSha256, applyChecksum: false }).sign(
        { method: 'POST', protocol: 'https:', hostname: 'dynamodb.eu-central-1.amazonaws.com', path: '/', query: {}, headers: { ...headers, host: 'dynamodb.eu-central-1.amazonaws.com' }, body },
        { signingDate: at },
      );
      expect(ours.authorization).toBe(sdk.headers.authorization);
      expect(ours['x-amz-date']).toBe(sdk.headers['x-amz-date']);
      expect(ours['x-amz-security-token']).toBe(sdk.headers['x-amz-security-token']);
    });
  }

  it('derives a new signing key when the day changes', () => {
    const signer = new SigV4('us-east-1');
    const creds = { accessKeyId: 'A', secretAccessKey: 'S' };
    const sign = (iso: string) => signer.sign(creds, 'h', '/', {}, '{}', new Date(iso)).authorization;
    expect(sign('2026-12-07T23:59:59Z')).toContain('Credential=A/20261207/us-east-1/dynamodb/aws4_request');
    expect(sign('2026-12-08T00:00:01Z')).toContain('Credential=A/20261208/us-east-1/dynamodb/aws4_request');
  });
});

describe('answers, errors and retries', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;
  /** A server answering the n-th call with replies[n] (the last one from then on). */
  async function wireAnswering(replies: Reply[], idleTimeoutMs?: number) {
    const seen: Array<{ target: string; authorization: string; body: string }> = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        seen.push({ target: String(req.headers['x-amz-target']), authorization: String(req.headers.authorization), body });
        replies[Math.min(seen.length, replies.length) - 1]!(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const wire = new DynamoWire(async () => ({ url, region: 'us-east-1', credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) }), 1, idleTimeoutMs);
    return { wire, seen };
  }
  const json = (status: number, body: unknown): Reply => (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ1' });
    res.end(JSON.stringify(body));
  };

  it('posts the operation signed and returns the parsed answer', async () => {
    const { wire, seen } = await wireAnswering([json(200, { Responses: { t: [] } })]);
    expect(await wire.call('BatchGetItem', { RequestItems: {} })).toEqual({ Responses: { t: [] } });
    expect(seen[0]).toMatchObject({ target: 'DynamoDB_20120810.BatchGetItem', body: '{"RequestItems":{}}' });
    expect(seen[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
  });

  it('names errors as the SDK does, with the status and request id', async () => {
    const { wire, seen } = await wireAnswering([json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' })]);
    const err = await wire.call('PutItem', {}).catch((e: unknown) => e);
    expect(isNamed(err, 'ConditionalCheckFailedException')).toBe(true);
    expect(err).toMatchObject({ message: 'The conditional request failed', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'REQ1' } });
    expect(seen).toHaveLength(1);
  });

  it('carries a cancelled transaction\'s reasons, as the retry loops read them', async () => {
    const { wire } = await wireAnswering([
      json(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
      }),
    ]);
    const err = await wire.call('TransactWriteItems', { TransactItems: [] }).catch((e: unknown) => e);
    expect(cancellationCodes(err)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(lostRace(err)).toBe(true);
  });

  it('tries a 5xx and throttling again, up to three attempts in all', async () => {
    const throttled = json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' });
    const ok = await wireAnswering([json(500, { __type: 'InternalServerError', message: 'oops' }), throttled, json(200, { Items: [] })]);
    expect(await ok.wire.call('Query', {})).toEqual({ Items: [] });
    expect(ok.seen).toHaveLength(3);
    await new Promise<void>((resolve) => server!.close(() => resolve()));

    const failing = await wireAnswering([throttled]);
    const err = await failing.wire.call('Query', {}).catch((e: unknown) => e);
    expect(isNamed(err, 'ProvisionedThroughputExceededException')).toBe(true);
    expect(failing.seen).toHaveLength(3);
  });

  it('does not try a client error again', async () => {
    const { wire, seen } = await wireAnswering([json(400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad' })]);
    await expect(wire.call('Query', {})).rejects.toMatchObject({ name: 'ValidationException', message: 'bad' });
    expect(seen).toHaveLength(1);
  });

  it('tries a dropped connection again', async () => {
    const { wire, seen } = await wireAnswering([(req) => req.socket.destroy(), json(200, { Items: [] })]);
    expect(await wire.call('Query', {})).toEqual({ Items: [] });
    expect(seen).toHaveLength(2);
  });

  it('tries a call that gets no answer again, on a fresh connection', async () => {
    // 300 ms: long for a local answer even on a loaded machine, so only the silent call times out.
    const { wire, seen } = await wireAnswering([(req) => req.once('close', () => undefined), json(200, { Items: [] })], 300);
    expect(await wire.call('Query', {})).toEqual({ Items: [] });
    expect(seen).toHaveLength(2);
  });

  it('names an answer that is not DynamoDB JSON by its status', async () => {
    const { wire } = await wireAnswering([(_req, res) => res.writeHead(403, { 'content-type': 'text/html' }).end('<html>denied</html>')]);
    await expect(wire.call('Query', {})).rejects.toMatchObject({ name: 'HTTP403', $metadata: { httpStatusCode: 403 } });
  });

  it('runs hooks around each call, outermost first, and removes them', async () => {
    const { wire } = await wireAnswering([json(200, { Count: 1 })]);
    const order: string[] = [];
    const off = wire.use(async (op, input, next) => {
      order.push(`outer ${op}`);
      input.ReturnConsumedCapacity = 'TOTAL';
      return next();
    });
    wire.use(async (_op, input, next) => {
      order.push(`inner ${String(input.ReturnConsumedCapacity)}`);
      return next();
    });
    await wire.call('Query', {});
    off();
    await wire.call('Query', {});
    expect(order).toEqual(['outer Query', 'inner TOTAL', 'inner undefined']);
  });
});

describe('values on the wire', () => {
  it('carries binary as base64, also inside maps and lists, and reads it back as bytes', () => {
    const item = { pk: 'a', e: new Uint8Array([1, 2, 250]), m: { deep: new Uint8Array([7]) }, l: [new Uint8Array([8]), 'x'], n: 5, gone: undefined };
    const wired = toWire(item);
    expect(wired).toEqual({ pk: { S: 'a' }, e: { B: 'AQL6' }, m: { M: { deep: { B: 'Bw==' } } }, l: { L: [{ B: 'CA==' }, { S: 'x' }] }, n: { N: '5' } });
    const { gone: _gone, ...kept } = item;
    expect(fromWire(JSON.parse(JSON.stringify(wired)))).toEqual(kept);
  });
});

describe('where calls go', () => {
  const config = (client: DynamoDBClient) => client.config as unknown as Parameters<typeof targetOf>[0];

  it('to the client\'s own endpoint', async () => {
    const client = new DynamoDBClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const target = await targetOf(config(client), {});
    expect([target.url.href, target.region]).toEqual(['http://127.0.0.1:8000/', 'eu-west-1']);
    expect(await target.credentials()).toMatchObject({ accessKeyId: 'a', secretAccessKey: 'b' });
  });

  it('to AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL, as the SDK reads them', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect((await targetOf(config(client), { AWS_ENDPOINT_URL: 'http://localhost:4566' })).url.href).toBe('http://localhost:4566/');
    expect((await targetOf(config(client), { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://b:2' })).url.href).toBe('http://b:2/');
  });

  it('to the region\'s DynamoDB endpoint otherwise', async () => {
    const client = new DynamoDBClient({ region: 'ap-southeast-2' });
    expect((await targetOf(config(client), {})).url.href).toBe('https://dynamodb.ap-southeast-2.amazonaws.com/');
  });
});
