/**
 * /.well-known/caldav (RFC 6764 §5), any method: a redirect to the DAV root, where
 * current-user-principal leads on. The root rather than the principal so the answer is the same
 * with or without credentials, and cacheable as a 301.
 */
import { hrefs } from '../paths';
import type { CoreMethod } from '../types';

export const wellKnown: CoreMethod = async () => ({
  status: 301,
  headers: { location: hrefs.root(), 'content-length': '0' },
});
