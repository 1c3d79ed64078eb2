/**
 * DynamoDB's JSON protocol spoken directly, for the calls every CalDAV request makes (the key
 * reads, the change log's Query, a write's transaction). The SDK client costs ~1 ms of CPU per
 * call in its middleware stack, schema serde, endpoint resolution and signer; this path costs a
 * quarter of that (bench/README.md, "CPU per request"), which is most of a GET's handler time.
 *
 * It takes everything it must get right from the SDK client it stands beside: the credentials
 * provider (refreshed by the SDK), the region, the custom endpoint or the SDK's endpoint rule
 * for the region. What it does itself is small and pinned by tests: Signature V4 (checked against
 * @smithy/signature-v4, test/platform/dynamodb/wire.test.ts), keep-alive HTTP/1.1 (origin.ts,
 * origin.test.ts), the SDK's retry rule for throttling, 5xx and dropped connections, and errors
 * named as the SDK names them (`ConditionalCheckFailedException`, `TransactionCanceledException`
 * with its reasons), and marshalling (wire-values.ts, held to util-dynamodb's by a test).
 */
import crypto, { createHash, createHmac } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Origin, postHead, type OriginAnswer } from './origin';
import { backoff } from './retry';

export type WireInput = Record<string, unknown>;
export type WireOutput = Record<string, unknown>;

/** Around every call (the bench's meter, a test's counter): may read or amend the input. */
export type WireHook = (operation: string, input: WireInput, next: () => Promise<WireOutput>) => Promise<WireOutput>;

export interface WireCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where and as whom calls go. */
export interface WireTarget {
  url: URL;
  region: string;
  credentials: () => Promise<WireCredentials>;
}

/** The SDK's default: three attempts in all. */
const MAX_ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const THROTTLING_FACTOR = 5;
const RETRY_CAP_MS = 20_000;
/**
 * How long a call may go without progress before it is given up and tried again on a fresh
 * connection. DynamoDB answers in milliseconds; the SDK's own limit (300 s) outlasts any of our
 * functions (10 s for CalDAV), so a connection that died silently held a request to its end.
 * Five seconds leaves a CalDAV function time for the retry.
 */
const IDLE_TIMEOUT_MS = 5_000;

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
]);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

/**
 * The SDK's standard retry rule for one AWS call, three attempts in all: a dropped connection,
 * a throttling answer or a 5xx is tried again after a full-jitter wait (five times longer when
 * throttled). Returns the last answer, good or not; `attempt` signs and sends it anew each time.
 */
export async function retried<A extends { status: number }>(attempt: () => Promise<A>, baseMs: number, throttled: (answer: A) => boolean): Promise<A> {
  for (let n = 1; ; n++) {
    let answer: A;
    try {
      answer = await attempt();
    } catch (err) {
      if (n < MAX_ATTEMPTS && TRANSIENT_NETWORK.has((err as NodeJS.ErrnoException).code ?? '')) {
        await backoff(n - 1, baseMs, RETRY_CAP_MS);
        continue;
      }
      throw err;
    }
    if (n >= MAX_ATTEMPTS || answer.status < 300) return answer;
    const slow = throttled(answer);
    if (!slow && answer.status < 500) return answer;
    await backoff(n - 1, slow ? baseMs * THROTTLING_FACTOR : baseMs, RETRY_CAP_MS);
  }
}

/** An error DynamoDB answered, named as the SDK names it. */
export class DynamoWireError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  /** TransactionCanceledException's reasons, one per item. */
  readonly CancellationReasons?: Array<{ Code?: string; Message?: string; Item?: unknown }>;
  /** ConditionalCheckFailedException's item as it was, when ReturnValuesOnConditionCheckFailure asked for it (marshalled). */
  readonly Item?: Record<string, unknown>;

  constructor(name: string, message: string, status: number, requestId: string | undefined, body: Record<string, unknown>) {
    super(message);
    this.name = name;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId };
    if (Array.isArray(body.CancellationReasons)) this.CancellationReasons = body.CancellationReasons as DynamoWireError['CancellationReasons'];
    if (body.Item && typeof body.Item === 'object') this.Item = body.Item as Record<string, unknown>;
  }
}

/** Node ≥ 20.12's one-shot hash (no Hash object per call); createHash where it is missing. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const hex = oneShot ? (data: string) => oneShot('sha256', data, 'hex') : (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20261207T110318Z` */
const amzDate = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** amzDate of the last second asked for: every call in that second shares it. */
let lastStamp = { second: NaN, stamp: '' };
function stampOf(at: Date): string {
  const second = Math.floor(at.getTime() / 1000);
  if (second !== lastStamp.second) lastStamp = { second, stamp: amzDate(at) };
  return lastStamp.stamp;
}

/** A header value as SigV4 canonicalizes it: trimmed, inner runs of white space as one space. */
const canonicalValue = (value: string) => value.trim().replace(/\s+/g, ' ');

/**
 * Signature V4 for one JSON POST: the headers to send (host left to the HTTP layer, which sends
 * the same value). The signing key is derived once per day, region and secret.
 */
export class SigV4 {
  private cached: { scope: string; secret: string; key: Buffer } | null = null;

  constructor(private readonly region: string, private readonly service = 'dynamodb') {}

  sign(creds: WireCredentials, host: string, path: string, headers: Record<string, string>, body: string, at: Date): Record<string, string> {
    const stamp = stampOf(at);
    const day = stamp.slice(0, 8);
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const sent: Record<string, string> = {};
    for (const name in headers) sent[name.toLowerCase()] = headers[name]!;
    sent['x-amz-date'] = stamp;
    if (creds.sessionToken) sent['x-amz-security-token'] = creds.sessionToken;
    const names = [...Object.keys(sent), 'host'].sort();
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${canonicalValue(name === 'host' ? host : sent[name]!)}\n`;
    const signedHeaders = names.join(';');
    const canonical = `POST\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${hex(body)}`;
    const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${hex(canonical)}`;
    const signature = createHmac('sha256', this.signingKey(creds.secretAccessKey, scope, day)).update(toSign, 'utf8').digest('hex');
    sent.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return sent;
  }

  private signingKey(secret: string, scope: string, day: string): Buffer {
    if (this.cached?.scope === scope && this.cached.secret === secret) return this.cached.key;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.region), this.service), 'aws4_request');
    this.cached = { scope, secret, key };
    return key;
  }
}

interface Answer {
  status: number;
  requestId?: string;
  text: string;
}

export class DynamoWire {
  private readonly hooks: WireHook[] = [];
  private target?: Promise<Ready>;

  /**
   * `retryBaseMs`: the first retry's wait ceiling (tests shorten it); throttling waits five times
   * longer. `idleTimeoutMs`: how long a call may wait for progress before it is tried again.
   */
  constructor(
    private readonly resolveTarget: () => Promise<WireTarget>,
    private readonly retryBaseMs = RETRY_BASE_MS,
    private readonly idleTimeoutMs = IDLE_TIMEOUT_MS,
  ) {}

  /** Adds a hook around every later call (the first added is the outermost); returns its removal. */
  use(hook: WireHook): () => void {
    this.hooks.push(hook);
    return () => {
      const at = this.hooks.indexOf(hook);
      if (at >= 0) this.hooks.splice(at, 1);
    };
  }

  /** One operation (`BatchGetItem`, `Query`, `TransactWriteItems`, …) with marshalled input. */
  call<T extends WireOutput = WireOutput>(operation: string, input: WireInput): Promise<T> {
    const run = (i: number): Promise<WireOutput> => (i < this.hooks.length ? this.hooks[i]!(operation, input, () => run(i + 1)) : this.send(operation, input));
    return run(0) as Promise<T>;
  }

  /** Closes idle keep-alive connections (an App's close). */
  destroy(): void {
    void this.target?.then((t) => t.origin.destroy(), () => undefined);
  }

  private ready() {
    this.target ??= this.resolveTarget().then((t) => ({ ...t, signer: new SigV4(t.region), origin: new Origin(t.url, { idleTimeoutMs: this.idleTimeoutMs }), path: t.url.pathname || '/' }));
    // A failed resolution is tried again on the next call.
    this.target.catch(() => (this.target = undefined));
    return this.target;
  }

  private async send(operation: string, input: WireInput): Promise<WireOutput> {
    const target = await this.ready();
    const body = JSON.stringify(input);
    const answer = await retried(() => this.post(target, operation, body, idempotent(operation, input)), this.retryBaseMs, (a) => THROTTLING.has(wireError(a).name));
    if (answer.status === 200) return JSON.parse(answer.text) as WireOutput;
    throw wireError(answer);
  }

  private async post(target: Ready, operation: string, body: string, idempotent: boolean): Promise<Answer> {
    const { url, path } = target;
    const headers = target.signer.sign(
      await target.credentials(),
      url.host,
      path,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body,
      new Date(),
    );
    return answerOf(await target.origin.post(postHead(path, url.host, headers), body, { idempotent }));
  }
}

interface Ready extends WireTarget {
  signer: SigV4;
  origin: Origin;
  path: string;
}

/** Calls that may be sent twice: reads, and transactions carrying a ClientRequestToken (transact.ts). */
const READS = new Set(['BatchGetItem', 'GetItem', 'Query', 'Scan', 'TransactGetItems']);
const idempotent = (operation: string, input: WireInput) =>
  READS.has(operation) || (operation === 'TransactWriteItems' && typeof input.ClientRequestToken === 'string');

const answerOf = (a: OriginAnswer): Answer => ({ status: a.status, requestId: a.headers.get('x-amzn-requestid'), text: a.body.toString('utf8') });

function wireError(answer: Answer): DynamoWireError {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    // A proxy's HTML page or an empty body: named by its status below.
  }
  const type = typeof body.__type === 'string' ? body.__type : '';
  const name = type.split('#').pop() || (answer.status >= 500 ? 'InternalServerError' : `HTTP${answer.status}`);
  const message = String(body.message ?? body.Message ?? `DynamoDB answered ${answer.status}`);
  return new DynamoWireError(name, message, answer.status, answer.requestId, body);
}

/** The SDK client's own settings, resolved once: credentials, region, endpoint. */
interface SdkConfig {
  credentials: () => Promise<WireCredentials>;
  region: () => Promise<string>;
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  isCustomEndpoint?: boolean;
  useFipsEndpoint?: () => Promise<boolean>;
  useDualstackEndpoint?: () => Promise<boolean>;
  endpointProvider: (params: Record<string, unknown>) => { url: URL };
}

/** Where the SDK client would send its calls, by the same rules. */
export async function targetOf(config: SdkConfig, env: Record<string, string | undefined> = process.env): Promise<WireTarget> {
  const region = await config.region();
  let url: URL;
  if (config.isCustomEndpoint && config.endpoint) {
    const e = await config.endpoint();
    url = new URL(`${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}${e.path || '/'}`);
  } else if (env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL) {
    // Read by the SDK itself at call time (client.ts leaves them to it); so here too.
    url = new URL((env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL)!);
  } else {
    const rule = config.endpointProvider({
      Region: region,
      UseFIPS: (await config.useFipsEndpoint?.()) ?? false,
      UseDualStack: (await config.useDualstackEndpoint?.()) ?? false,
      AccountIdEndpointMode: 'disabled',
    });
    url = new URL(String(rule.url));
  }
  return { url, region, credentials: () => config.credentials() };
}

/** `https://<service>.<region>.amazonaws.com` (`.com.cn` in China's regions): what the SDK's rules give for the partitions we run in. */
export const awsEndpoint = (service: string, region: string) => `https://${service}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;

/**
 * What the stores reach DynamoDB through: the SDK's document client (the wire beside it takes its
 * settings), or a wire of its own where no SDK client is built (store/dynamodb/environment.ts, wireFromEnv).
 */
export type DynamoDoc = DynamoDBDocumentClient | DynamoWire;

const wires = new WeakMap<object, DynamoWire>();

/** The wire of a DynamoDoc: itself, or the one beside a document client (one per client: hooks added to it count its calls). */
export function wireFor(doc: DynamoDoc): DynamoWire {
  if (doc instanceof DynamoWire) return doc;
  let wire = wires.get(doc);
  if (!wire) {
    wire = new DynamoWire(() => targetOf(doc.config as unknown as SdkConfig));
    wires.set(doc, wire);
  }
  return wire;
}
