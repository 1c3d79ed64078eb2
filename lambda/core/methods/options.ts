/**
 * OPTIONS (RFC 4791 §5.1). Answered before authentication, so it depends on nothing about the
 * user. No calendar-auto-schedule: iOS then expects no server-side scheduling (RFC 6638).
 */
import type { CoreMethod } from '../types';

export const DAV_COMPLIANCE = '1, 2, 3, calendar-access';
export const ALLOWED_METHODS = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR';

export const options: CoreMethod = async () => ({
  status: 200,
  headers: { dav: DAV_COMPLIANCE, allow: ALLOWED_METHODS, 'content-length': '0' },
});
