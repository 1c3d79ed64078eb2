/**
 * SCHEDULE-STATUS values (RFC 6638 §3.2.9; the codes are RFC 5546 §3.6's REQUEST-STATUS).
 * Only what the server did is written: a message it could not hand on is never called sent.
 */
export const STATUS = {
  /** Sent: handed to a mail service (ours, or the CRM's) for an attendee outside the deployment. */
  sent: '1.1',
  /** Delivered: the attendee's calendar and inbox hold it (a user of this deployment). */
  delivered: '1.2',
  /** A reply processed (the attendee's REQUEST-STATUS). */
  success: '2.0',
  /** The address names nobody the server can schedule with. */
  invalidUser: '3.7',
  /** The mail service refused or failed: nothing reached the attendee. */
  serviceUnavailable: '5.1',
  /** No way to reach the attendee: e-mail invitations are off (SCHEDULE_EMAIL=off). */
  noSchedulingSupport: '5.3',
} as const;

export type ScheduleStatus = (typeof STATUS)[keyof typeof STATUS];

/** The text a free-busy response's CALDAV:request-status carries for each code. */
export const REQUEST_STATUS_TEXT: Record<string, string> = {
  '2.0': '2.0;Success',
  '3.7': '3.7;Invalid calendar user',
  '3.8': '3.8;No authority',
};
