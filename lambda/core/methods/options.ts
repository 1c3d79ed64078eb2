/**
 * OPTIONS (RFC 4791 §5.1). Answered before authentication, so it depends on nothing about the
 * user. calendar-auto-schedule (RFC 6638 §2): the server schedules, which is what makes iOS
 * offer Invitees (lambda/core/scheduling). No class 2: there is no LOCK (RFC 4791 §2 does not ask for it; clients that lock, like cadaver,
 * then write without a lock, and iOS never locks: it syncs with sabre/dav-based servers such
 * as Nextcloud, which advertise `1, 3` the same way).
 */
import type { CoreMethod } from '../types';

export const DAV_COMPLIANCE = '1, 3, calendar-access, calendar-auto-schedule';
export const ALLOWED_METHODS = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR, POST';

export const options: CoreMethod = async () => ({
  status: 200,
  headers: { dav: DAV_COMPLIANCE, allow: ALLOWED_METHODS, 'content-length': '0' },
});
