/**
 * An optional allowlist of client addresses for the admin doors: the console (/crm/admin) and
 * the REST API (/crm/v1), from ADMIN_ALLOWED_IPS (the stack parameter AdminAllowedIps): IPv4 and
 * IPv6 addresses or CIDR ranges, separated by commas or spaces; unset or empty lets everyone in.
 *
 * The address checked is the one the front door saw (ApiRequest.sourceIp: API Gateway's
 * sourceIp, the ALB's own X-Forwarded-For entry, the local server's socket peer), never a
 * header a client can write; a request without one is refused. Set-up links stay open to all:
 * phones open them from anywhere, and the link is its own one-time credential.
 */
import { BlockList, isIP } from 'node:net';

export const ALLOWLIST_ENV = 'ADMIN_ALLOWED_IPS';

/** Paths the allowlist never closes: the set-up link's page and its buttons. */
const ALWAYS_OPEN = /^\/crm\/v1\/onboarding(\/|$)/;

export interface ClientAllowlist {
  /** What was configured, for messages and the overview. */
  readonly entries: readonly string[];
  allows(address: string | undefined): boolean;
}

/** Null when nothing is configured; throws naming the variable and the entry it cannot read. */
export function parseAllowlist(value: string | undefined): ClientAllowlist | null {
  const entries = (value ?? '').split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefix = bits === undefined ? undefined : Number(bits);
    const max = family === 4 ? 32 : 128;
    if (!family || extra !== undefined || (prefix !== undefined && (!/^\d+$/.test(bits!) || prefix > max))) {
      throw new Error(`${ALLOWLIST_ENV}: "${entry}" is not an IP address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/48)`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, prefix, type);
  }
  return {
    entries,
    allows(address) {
      const family = isIP(address ?? '');
      // IPv4 clients of a dual-stack socket arrive as ::ffff:a.b.c.d; BlockList matches those too.
      return family !== 0 && list.check(address!, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** Whether the allowlist guards this path (the admin doors, but for set-up links). */
export const guardedPath = (path: string) => /^\/crm\/(admin|v1)(\/|$)/.test(path) && !ALWAYS_OPEN.test(path);
