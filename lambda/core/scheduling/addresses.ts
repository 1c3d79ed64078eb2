/**
 * Calendar user addresses (RFC 6638 §2.4.1): a user of this deployment is `mailto:` their e-mail
 * or their principal URL. Attendees without either (a `urn:uuid:` value) are named by their
 * EMAIL parameter when they have one (RFC 7986 §6.2).
 */
import type ICAL from 'ical.js';
import { hrefToPath, resolvePath } from '../paths';

/** The lower-cased e-mail a calendar user address names, or null when it names none. */
export function emailOfAddress(value: string): string | null {
  const text = value.trim();
  if (/^mailto:/i.test(text)) return decodeMailto(text.slice(7));
  if (text.startsWith('/') || /^https?:\/\//i.test(text)) {
    const path = hrefToPath(text);
    const node = path === null ? null : resolvePath(path);
    return node?.kind === 'principal' ? node.email : null;
  }
  return null;
}

function decodeMailto(rest: string): string | null {
  let email = rest.trim();
  try {
    email = decodeURIComponent(email);
  } catch {
    // Not percent-encoded after all: taken as written.
  }
  return email.includes('@') ? email.toLowerCase() : null;
}

/** The e-mail of an ORGANIZER or ATTENDEE property: its value, else its EMAIL parameter. */
export function emailOfParty(prop: ICAL.Property): string | null {
  const fromValue = emailOfAddress(String(prop.getFirstValue() ?? ''));
  if (fromValue) return fromValue;
  const param = prop.getParameter('email');
  return typeof param === 'string' && param.includes('@') ? param.trim().toLowerCase() : null;
}

export const mailto = (email: string) => `mailto:${email}`;
