/**
 * Calls to Zoho's API: the shared access token (a refused one refreshed once and the call made
 * again), the budget's slot and credit, and the answers that are Zoho's trouble rather than ours:
 * 429 (backed off with jitter, honouring retry_after), 5xx, timeouts, unreadable JSON (tried a
 * few times, then CrmUnavailable). Everything else comes back to the caller, which knows what a
 * 4xx means for its operation.
 */
import { CrmUnavailable } from '../types';
import type { Budget, Priority } from './budget';
import type { AccessToken, TokenSource } from './tokens';

export interface ZohoAnswer {
  status: number;
  /** Parsed JSON; null for 204/304 or an empty body. */
  body: Record<string, unknown> | null;
}

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  priority: Priority;
}

/** Zoho's error body: `{ code, details, message, status: 'error' }`, alone or per record. */
export interface ZohoError {
  code: string;
  message?: string;
  details?: Record<string, unknown>;
  status?: string;
}

const RETRIES = 3;

export class ZohoHttp {
  constructor(
    private readonly tokens: TokenSource,
    private readonly budget: Budget,
    private readonly opts: { timeoutMs: number; fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> },
  ) {}

  private sleep(ms: number): Promise<void> {
    return this.opts.sleep?.(ms) ?? new Promise((resolve) => setTimeout(resolve, ms));
  }

  async call(method: string, path: string, opts: CallOptions): Promise<ZohoAnswer> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokens.get();
      const release = await this.budget.acquire(opts.priority);
      let res: Response;
      let text: string;
      try {
        res = await (this.opts.fetch ?? fetch)(urlOf(token, path, opts.query), {
          method,
          headers: { authorization: `Zoho-oauthtoken ${token.accessToken}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        release();
        if (attempt >= RETRIES - 1) throw new CrmUnavailable(`Zoho did not answer ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
        await this.sleep(backoffMs(attempt));
        continue;
      }
      release();
      if (res.status !== 429) await this.budget.spend();
      const body = parse(text);
      if (body === undefined) {
        if (attempt >= RETRIES - 1) throw new CrmUnavailable(`Zoho answered ${method} ${path} with ${res.status} and no readable JSON`);
        await this.sleep(backoffMs(attempt));
        continue;
      }
      if (res.status === 401 && !refreshed && errorOf(body)?.code !== 'OAUTH_SCOPE_MISMATCH') {
        // An expired or revoked token: refresh once and call again.
        refreshed = true;
        await this.tokens.invalidate(token);
        attempt--;
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        if (attempt >= RETRIES - 1) throw new CrmUnavailable(`Zoho answered ${method} ${path} with ${res.status}${errorOf(body) ? ` ${errorOf(body)!.code}` : ''}: try again later`);
        const retryAfter = Number(errorOf(body)?.details?.retry_after ?? res.headers.get('retry-after'));
        await this.sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : backoffMs(attempt));
        continue;
      }
      return { status: res.status, body };
    }
  }
}

function urlOf(token: AccessToken, path: string, query: CallOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return `${token.apiDomain.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
}

/** The records of an answer's `data` (none for 204/304 or an error without them). */
export const records = (answer: ZohoAnswer): Array<Record<string, unknown> & { id?: unknown }> =>
  Array.isArray(answer.body?.data) ? (answer.body!.data as Array<Record<string, unknown>>) : [];

/** Undefined when the text is not JSON; null when there is none. */
function parse(text: string): Record<string, unknown> | null | undefined {
  if (text.trim() === '') return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The error of a body that is one (flat, or the first of `data`). */
export function errorOf(body: Record<string, unknown> | null): ZohoError | null {
  if (!body) return null;
  if (typeof body.code === 'string' && body.status === 'error') return body as unknown as ZohoError;
  const first = Array.isArray(body.data) ? (body.data[0] as Record<string, unknown> | undefined) : undefined;
  return first && first.status === 'error' && typeof first.code === 'string' ? (first as unknown as ZohoError) : null;
}

/** Full-jitter exponential backoff from half a second, capped at 8 s. */
const backoffMs = (attempt: number) => Math.random() * Math.min(8_000, 500 * 2 ** attempt);
