/**
 * Fault injection: the next N requests matching a method and path get a scripted failure
 * instead of (or, for a delay, before) the simulator's own answer.
 */
import { zohoError } from './errors';
import { TOO_MANY_REQUESTS } from './limits';

export type Fault =
  /** Answer this status and JSON body (default body: none). */
  | { kind: 'respond'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Answer 200 (or `status`) with a body that is not valid JSON. */
  | { kind: 'malformed'; status?: number }
  /** Wait this long (real time), then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Never answer: the client times out (or the simulator stops). */
  | { kind: 'hang' }
  /** Close the connection without an answer. */
  | { kind: 'drop' }
  /** Zoho's 429. */
  | { kind: 'throttle' }
  /** A server error: 500 INTERNAL_ERROR, 502 from the gateway, or 503 SERVICE_UNAVAILABLE. */
  | { kind: 'server-error'; status?: 500 | 502 | 503 };

export interface FaultMatch {
  /** Which server: the API (default) or the accounts server. */
  server?: 'api' | 'accounts';
  /** HTTP method; any when absent. */
  method?: string;
  /** A path prefix (`/crm/v8/Events`) or a pattern tested against path and query. */
  path: string | RegExp;
}

interface Armed {
  match: FaultMatch;
  fault: Fault;
  remaining: number;
}

export class Faults {
  private armed: Armed[] = [];

  /** Arms a fault for the next `times` matching requests (default 1). */
  inject(match: FaultMatch, fault: Fault, times = 1): void {
    this.armed.push({ match, fault, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** How many injected answers are still waiting to be used. */
  pending(): number {
    return this.armed.reduce((n, a) => n + a.remaining, 0);
  }

  /** The fault for this request, if one is armed (spending one use). */
  take(server: 'api' | 'accounts', method: string, pathAndQuery: string): Fault | undefined {
    const path = pathAndQuery.split('?')[0]!;
    const hit = this.armed.find(
      (a) =>
        (a.match.server ?? 'api') === server &&
        (a.match.method === undefined || a.match.method.toUpperCase() === method) &&
        (typeof a.match.path === 'string' ? path.startsWith(a.match.path) : a.match.path.test(pathAndQuery)),
    );
    if (!hit) return undefined;
    hit.remaining--;
    if (hit.remaining <= 0) this.armed = this.armed.filter((a) => a !== hit);
    return hit.fault;
  }
}

export const SERVICE_UNAVAILABLE = zohoError('SERVICE_UNAVAILABLE', 'Service temporarily unavailable for maintenance');
export const INTERNAL_ERROR = zohoError('INTERNAL_ERROR', 'Internal Server Error');
export { TOO_MANY_REQUESTS };
