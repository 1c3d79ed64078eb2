/**
 * Invoking another function of the stack (an enable starting an export; the ANY fallback handing
 * PROPPATCH on) with Lambda's Invoke API spoken directly: one signed POST, on the wire's SigV4 and
 * keep-alive sockets (dynamodb/wire.ts, dynamodb/origin.ts). `@aws-sdk/client-lambda` was 122 KB
 * of the fallback's bundle, which serves PROPFIND and REPORT in the default routing: an iPhone's
 * polls paid for it at every cold start (bench/README.md, "Cold start").
 *
 * Credentials and region are the function's own, from the variables Lambda sets (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION); the endpoint is the region's, or
 * AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL as the SDK reads them. Names are the plain function
 * names the stack passes (no ARNs or qualifiers).
 */
import { Origin, postHead } from './dynamodb/origin';
import { awsEndpoint, retried, SigV4, type WireCredentials } from './dynamodb/wire';

export interface Invoker {
  /**
   * `Event`: queued, answers at once. `RequestResponse`: waits for the function's result, at most
   * `withinMs` when given (then an InvocationTimeout, not tried again: the function may still be
   * running).
   */
  invoke(functionName: string, payload: unknown, type: 'Event' | 'RequestResponse', opts?: { withinMs?: number }): Promise<{ payload?: Uint8Array; functionError?: string }>;
}

/** No answer from a RequestResponse invocation within the time the caller gave it. */
export class InvocationTimeout extends Error {
  override readonly name = 'InvocationTimeout';
}

/**
 * How long an Event invocation may go without progress before it is given up and tried again:
 * Lambda answers one as soon as it is queued (tens of ms), so a connection silent this long has
 * died. Three attempts then stay inside the caller's 10 s (an enable waits for its export's start;
 * a second queued export finds the first's lease).
 */
const QUEUE_IDLE_TIMEOUT_MS = 2_000;

/** An error Lambda's API answered (not the function's own), named as the SDK names it. */
export class LambdaApiError extends Error {
  constructor(name: string, message: string, readonly status: number) {
    super(message);
    this.name = name;
  }
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,140}$/;

/** Lambda's endpoint for the region, or the override the SDK would honour. */
export function lambdaEndpoint(env: Record<string, string | undefined>, region: string): URL {
  const override = env.AWS_ENDPOINT_URL_LAMBDA || env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  return new URL(awsEndpoint('lambda', region));
}

function credentialsOf(env: Record<string, string | undefined>): WireCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to invoke another function with');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** `retryBaseMs`, `queueIdleMs`: the first retry's wait ceiling and the Event invocations' idle limit (tests shorten them). */
export function lambdaInvoker(env: Record<string, string | undefined>, retryBaseMs = 100, queueIdleMs = QUEUE_IDLE_TIMEOUT_MS): Invoker {
  let target: { origin: Origin; signer: SigV4; url: URL } | undefined;
  const ready = () => {
    if (target) return target;
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('No AWS_REGION to invoke another function in');
    const url = lambdaEndpoint(env, region);
    return (target = { origin: new Origin(url), signer: new SigV4(region, 'lambda'), url });
  };
  return {
    async invoke(functionName, payload, type, { withinMs } = {}) {
      if (!FUNCTION_NAME.test(functionName)) throw new Error(`Not a function name: ${functionName}`);
      const { origin, signer, url } = ready();
      const base = url.pathname.replace(/\/$/, '');
      const path = `${base}/2015-03-31/functions/${functionName}/invocations`;
      const body = JSON.stringify(payload);
      // A function's answer comes whole at its end: for RequestResponse, waiting without progress is the whole wait.
      const deadline = type === 'RequestResponse' && withinMs !== undefined ? Date.now() + withinMs : undefined;
      const timedOut = () => new InvocationTimeout(`${functionName} did not answer within ${withinMs} ms`);
      const attempt = async () => {
        const left = deadline === undefined ? (type === 'Event' ? queueIdleMs : 0) : deadline - Date.now();
        if (left <= 0 && deadline !== undefined) throw timedOut();
        const headers = signer.sign(credentialsOf(env), url.host, path, { 'content-type': 'application/json', 'x-amz-invocation-type': type }, body, new Date());
        try {
          return await origin.post(postHead(path, url.host, headers), body, { idleTimeoutMs: left });
        } catch (err) {
          if (deadline !== undefined && (err as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw timedOut();
          throw err;
        }
      };
      // Throttled (429) or Lambda's own trouble: tried again by the SDK's rule.
      const answer = await retried(attempt, retryBaseMs, (a) => a.status === 429);
      if (answer.status >= 300) throw apiError(answer.status, answer.headers.get('x-amzn-errortype'), answer.body.toString('utf8'));
      const functionError = answer.headers.get('x-amz-function-error');
      return { payload: new Uint8Array(answer.body), ...(functionError ? { functionError } : {}) };
    },
  };
}

function apiError(status: number, errorType: string | undefined, text: string): LambdaApiError {
  let body: { Type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON: named by its status.
  }
  const name = errorType?.split(':')[0] || `HTTP${status}`;
  return new LambdaApiError(name, body.message ?? body.Message ?? `Lambda answered ${status}`, status);
}
