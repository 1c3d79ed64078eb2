/**
 * What scheduling needs from outside core: every user's calendars, who is a calendar user here,
 * and a way to reach everyone else (iMIP: lambda/imip). The decisions (organizer.ts, attendee.ts)
 * know none of it; delivery.ts carries them out through these ports.
 */
import type { CalendarStore, StoredObject } from '../../store/types';
import type { Method } from './messages';

export interface ImipMessage {
  /** Who the message is from: the organizer (REQUEST, CANCEL) or the replying attendee. */
  from: string;
  to: string;
  method: Method;
  /** The iTIP iCalendar text (with METHOD). */
  ics: string;
}

/** Hands an iTIP message to mail (RFC 6047); rejects when it could not. */
export interface ImipSender {
  send(message: ImipMessage): Promise<void>;
}

/**
 * How attendees outside the deployment hear of a meeting: our iMIP e-mail, the CRM's own
 * invitations (a hosted CRM that mails its participants: never both), or not at all.
 */
export type ExternalDelivery = 'email' | 'crm' | 'off';

export interface SchedulingDeps {
  /** Unrestricted: deliveries write other users' copies and inboxes, after the request's own commit. */
  store: CalendarStore;
  /** Whether the address is a calendar user of this deployment (an enabled CalDAV user). */
  isCalendarUser(email: string): Promise<boolean>;
  /** Null when e-mail is off. */
  imip: ImipSender | null;
  external: ExternalDelivery;
  /** After a reply changed an organizer's copy: told as a phone's write of it would be (the CRM bridge). */
  organizerCopyChanged?(owner: string, object: StoredObject): Promise<void>;
  now(): Date;
  log?(level: 'info' | 'error', message: string, fields: Record<string, unknown>): void;
}
