/**
 * The scheduling inbox (RFC 6638 §4): each user's iTIP messages, kept in the store like a
 * calendar under its own key (paths.ts storeKey). One message per event and sender: a newer
 * REQUEST, CANCEL or REPLY about the same event from the same person replaces the older, so an
 * inbox no client empties stays as large as the meetings it concerns.
 */
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { etagFor } from '../ics';
import { spanOf } from '../ics/range';
import { INBOX_SLUG, storeKey } from '../paths';
import type { CalendarStore, StoredObject } from '../../store/types';

const messageId = (uid: string, sender: string) => createHash('sha256').update(`${uid}\n${sender.toLowerCase()}`).digest('hex').slice(0, 32);

function spanOfMessage(ics: string): Pick<StoredObject, 'rangeStart' | 'rangeEnd' | 'recurring'> {
  try {
    return spanOf(new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent'));
  } catch {
    // A REPLY for one instance may carry no DTSTART: listed, but outside every time range.
    return { rangeStart: null, rangeEnd: null, recurring: false };
  }
}

export async function deliverToInbox(store: CalendarStore, recipient: string, sender: string, uid: string, ics: string, now: Date): Promise<void> {
  const id = messageId(uid, sender);
  const object: StoredObject = {
    name: `${id}.ics`,
    // The store keeps one object per UID: the message's id stands in, as several senders write about one event.
    uid: id,
    etag: etagFor(ics),
    ics,
    lastModified: now.toISOString(),
    size: Buffer.byteLength(ics, 'utf8'),
    ...spanOfMessage(ics),
  };
  await store.putObject(storeKey(recipient, INBOX_SLUG), object);
}
