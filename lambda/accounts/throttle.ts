/**
 * Console sign-in throttling: failed sign-ins are counted per account (the e-mail typed, whether
 * or not such an admin exists, so the answer never tells) and per client address, in a window;
 * reaching the limit locks that account or address out for a while, and every Lambda container
 * sees the same counts (DynamoDB, beside the admin accounts). Attempts while locked are refused
 * before any password is checked and are not counted. A successful sign-in clears its account's
 * count; an address's count only expires, so one valid account cannot reset a guessing run.
 *
 * Generated admin passwords carry ~79 random bits, so this is not what keeps them safe; it keeps
 * a guessing run from costing us scrypt work and log noise without end, and makes one visible.
 */

export type ThrottleScope = 'account' | 'address';

export interface ThrottleKey {
  scope: ThrottleScope;
  /** The e-mail (lower-cased) or the client address. */
  id: string;
}

export interface ThrottleState {
  failures: number;
  /** Epoch ms of the window's first failure and of the last one. */
  firstAt: number;
  lastAt: number;
}

export interface ThrottlePolicy {
  /** Failures within `windowMs` that lock the key out. */
  limit: number;
  windowMs: number;
  /** How long a lockout lasts after the failure that reached the limit. */
  lockMs: number;
}

const MINUTES = 60_000;
export const THROTTLE_POLICIES: Record<ThrottleScope, ThrottlePolicy> = {
  account: { limit: 5, windowMs: 15 * MINUTES, lockMs: 15 * MINUTES },
  // Looser: several admins may sign in from behind one office address.
  address: { limit: 20, windowMs: 15 * MINUTES, lockMs: 15 * MINUTES },
};

/** The storage port: DynamoDB (throttle-store-dynamodb.ts), memory (below). */
export interface ThrottleStore {
  /** The states of `keys` (absent: no failures), read together. */
  get(keys: ThrottleKey[]): Promise<Map<string, ThrottleState>>;
  /** Counts one failure at `now` atomically, starting a new window when the last one has passed. */
  fail(key: ThrottleKey, now: number, policy: ThrottlePolicy): Promise<ThrottleState>;
  clear(key: ThrottleKey): Promise<void>;
}

export const keyId = (key: ThrottleKey) => `${key.scope}:${key.id}`;

export interface Lockout {
  scope: ThrottleScope;
  /** Whole seconds until the next attempt is heard (Retry-After). */
  retryAfterSeconds: number;
}

/** The lockout `state` puts `scope` under at `now`, if any. */
export function lockoutOf(scope: ThrottleScope, state: ThrottleState | undefined, now: number, policy = THROTTLE_POLICIES[scope]): Lockout | null {
  if (!state || state.failures < policy.limit) return null;
  const until = state.lastAt + policy.lockMs;
  return until > now ? { scope, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) } : null;
}

export class SignInThrottle {
  constructor(
    private readonly store: ThrottleStore,
    private readonly policies = THROTTLE_POLICIES,
  ) {}

  static keys(email: string, address: string | undefined): ThrottleKey[] {
    return [{ scope: 'account', id: email.trim().toLowerCase() }, ...(address ? [{ scope: 'address' as const, id: address }] : [])];
  }

  /** The longest lockout among `keys` now, or null when an attempt may be made. */
  async check(keys: ThrottleKey[], now: Date): Promise<Lockout | null> {
    const states = await this.store.get(keys);
    return longest(keys.map((k) => lockoutOf(k.scope, states.get(keyId(k)), now.getTime(), this.policies[k.scope])));
  }

  /** Counts a failed attempt on every key; the lockout it brought about, if any. */
  async failed(keys: ThrottleKey[], now: Date): Promise<Lockout | null> {
    const states = await Promise.all(keys.map((k) => this.store.fail(k, now.getTime(), this.policies[k.scope])));
    return longest(keys.map((k, i) => lockoutOf(k.scope, states[i], now.getTime(), this.policies[k.scope])));
  }

  succeeded(email: string): Promise<void> {
    return this.store.clear({ scope: 'account', id: email.trim().toLowerCase() });
  }

  /** An admin's lockout lifted by hand (`crm-caldav admin unlock`). */
  unlock(email: string): Promise<void> {
    return this.succeeded(email);
  }
}

function longest(lockouts: (Lockout | null)[]): Lockout | null {
  return lockouts.reduce<Lockout | null>((a, b) => (b && (!a || b.retryAfterSeconds > a.retryAfterSeconds) ? b : a), null);
}

/** The count after one more failure at `now`: the same window while it lasts, else a new one. */
export function nextState(current: ThrottleState | undefined, now: number, policy: ThrottlePolicy): ThrottleState {
  if (!current || current.firstAt + policy.windowMs <= now) return { failures: 1, firstAt: now, lastAt: now };
  return { failures: current.failures + 1, firstAt: current.firstAt, lastAt: now };
}

export class MemoryThrottleStore implements ThrottleStore {
  private readonly states = new Map<string, ThrottleState>();

  async get(keys: ThrottleKey[]) {
    return new Map(keys.flatMap((k) => (this.states.has(keyId(k)) ? [[keyId(k), { ...this.states.get(keyId(k))! }] as const] : [])));
  }
  async fail(key: ThrottleKey, now: number, policy: ThrottlePolicy) {
    const next = nextState(this.states.get(keyId(key)), now, policy);
    this.states.set(keyId(key), next);
    return { ...next };
  }
  async clear(key: ThrottleKey) {
    this.states.delete(keyId(key));
  }
}
