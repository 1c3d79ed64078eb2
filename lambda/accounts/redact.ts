/**
 * Request paths as logs may show them. No URL we make carries a secret any more (set-up links
 * keep theirs in the fragment), but old links, a pasted token or a client's mistake can still put
 * one in a path: a segment shaped like one of our addressed tokens (accounts/tokens.ts: session
 * cookies, set-up links), or whatever follows /crm/v1/onboarding/ other than the page's own
 * routes, is replaced before the path is written anywhere.
 */
import { addressOf } from './tokens';

export const REDACTED = '[redacted]';

const ONBOARDING = /^(\/crm\/v1\/onboarding\/)([^/]+)/i;
const ONBOARDING_ROUTES = new Set(['check', 'profile', 'manual']);

const looksSecret = (segment: string) => {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // Kept as sent: a malformed escape is no token of ours either.
  }
  return addressOf(decoded) !== null;
};

export function redactPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const withoutLink = path.replace(ONBOARDING, (whole, prefix: string, segment: string) => (ONBOARDING_ROUTES.has(segment.toLowerCase()) ? whole : `${prefix}${REDACTED}`));
  return withoutLink
    .split('/')
    .map((segment) => (segment && looksSecret(segment) ? REDACTED : segment))
    .join('/');
}
