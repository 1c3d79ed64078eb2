/**
 * The URL space, in one place:
 *
 *   /                                   root (current-user-principal lives here too)
 *   /principals/                        principal collection
 *   /principals/<email>/                a user's principal
 *   /calendars/<email>/                 calendar home
 *   /calendars/<email>/crm/             THE calendar: the user's CRM calendar, the only one
 *   /calendars/<email>/crm/<name>       a calendar object
 *   /calendars/<email>/tasks/           the tasks list (VTODO only): the user's CRM tasks
 *   /calendars/<email>/tasks/<name>     a task
 *   /calendars/<email>/inbox/           the scheduling inbox (RFC 6638 §2.2): iTIP messages received
 *   /calendars/<email>/inbox/<name>     one message
 *   /calendars/<email>/outbox/          the scheduling outbox (RFC 6638 §2.1): free-busy POSTs
 *
 * E-mail addresses appear raw ('@') in hrefs we write and are accepted percent-encoded.
 */

export const CALENDAR_SLUG = 'crm';
export const TASKS_SLUG = 'tasks';
export const INBOX_SLUG = 'inbox';
export const OUTBOX_SLUG = 'outbox';

/**
 * The two collections of a user that sync with the CRM: the calendar (VEVENT, the CRM's events)
 * and the tasks list (VTODO, the CRM's tasks). Everything else about them is alike: objects,
 * ctag, sync token, change log, listing.
 */
export type ListKind = 'events' | 'tasks';

/** One user's calendar or tasks list. */
export interface ListRef {
  email: string;
  list: ListKind;
}

/**
 * The store's key of a collection of a user's: the CRM calendar is keyed by the e-mail itself
 * (as it always was), every other collection by `<email>#<slug>`, which no e-mail can be.
 */
export const storeKey = (email: string, slug: string = CALENDAR_SLUG) => (slug === CALENDAR_SLUG ? email : `${email}#${slug}`);

export const slugOf = (list: ListKind) => (list === 'tasks' ? TASKS_SLUG : CALENDAR_SLUG);

/** The store's key of a user's calendar or tasks list. */
export const listKey = ({ email, list }: ListRef) => storeKey(email, slugOf(list));

/** Which user's calendar or tasks list a store key names; null for any other collection (the inbox). */
export function listOfKey(key: string): ListRef | null {
  // A slug follows the address's domain, which holds no '#'.
  const at = key.lastIndexOf('#');
  if (at < key.lastIndexOf('@')) return { email: key, list: 'events' };
  return key.slice(at + 1) === TASKS_SLUG ? { email: key.slice(0, at), list: 'tasks' } : null;
}

export type DavNode =
  | { kind: 'root' }
  | { kind: 'principals' }
  | { kind: 'principal'; email: string }
  | { kind: 'home'; email: string }
  /** The CRM calendar, or the tasks list. */
  | { kind: 'calendar'; email: string; list: ListKind }
  | { kind: 'object'; email: string; list: ListKind; name: string }
  | { kind: 'inbox'; email: string }
  | { kind: 'inbox-item'; email: string; name: string }
  | { kind: 'outbox'; email: string }
  /** Anything below a home that is not one of its collections (e.g. a device-local calendar). */
  | { kind: 'foreign-collection'; email: string; segments: string[] }
  | { kind: 'unknown' };

export const hrefs = {
  root: () => '/',
  principals: () => '/principals/',
  principal: (email: string) => `/principals/${encodeSegment(email)}/`,
  home: (email: string) => `/calendars/${encodeSegment(email)}/`,
  calendar: (email: string, list: ListKind = 'events') => `/calendars/${encodeSegment(email)}/${slugOf(list)}/`,
  object: (email: string, name: string, list: ListKind = 'events') =>
    `/calendars/${encodeSegment(email)}/${slugOf(list)}/${encodeSegment(name)}`,
  tasks: (email: string) => `/calendars/${encodeSegment(email)}/${TASKS_SLUG}/`,
  inbox: (email: string) => `/calendars/${encodeSegment(email)}/${INBOX_SLUG}/`,
  inboxItem: (email: string, name: string) => `/calendars/${encodeSegment(email)}/${INBOX_SLUG}/${encodeSegment(name)}`,
  outbox: (email: string) => `/calendars/${encodeSegment(email)}/${OUTBOX_SLUG}/`,
};

/** Percent-encodes a path segment but keeps '@' readable (RFC 3986 allows it in segments). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%40/g, '@');
}

/** Decodes each segment; returns null for undecodable input (bad percent escapes). */
export function decodePath(rawPath: string): string | null {
  try {
    return rawPath
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch {
    return null;
  }
}

/**
 * Turns an href from a request body (absolute URL or path, encoded or not) into a decoded path.
 */
export function hrefToPath(href: string): string | null {
  let path = href.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length) || '/';
  return decodePath(path);
}

/** Resolves a decoded path to the node it names. E-mail segments are lower-cased. */
export function resolvePath(path: string): DavNode {
  const segments = path.split('/').filter((s) => s !== '');
  const [top, email, ...rest] = segments;
  if (segments.length === 0) return { kind: 'root' };
  if (top === 'principals') {
    if (email === undefined) return { kind: 'principals' };
    return rest.length === 0 ? { kind: 'principal', email: email.toLowerCase() } : { kind: 'unknown' };
  }
  if (top === 'calendars' && email !== undefined) {
    const owner = email.toLowerCase();
    if (rest.length === 0) return { kind: 'home', email: owner };
    if (rest[0] === INBOX_SLUG && rest.length <= 2) return rest.length === 1 ? { kind: 'inbox', email: owner } : { kind: 'inbox-item', email: owner, name: rest[1] };
    if (rest[0] === OUTBOX_SLUG && rest.length === 1) return { kind: 'outbox', email: owner };
    const list: ListKind | null = rest[0] === CALENDAR_SLUG ? 'events' : rest[0] === TASKS_SLUG ? 'tasks' : null;
    if (list === null) return { kind: 'foreign-collection', email: owner, segments: rest };
    if (rest.length === 1) return { kind: 'calendar', email: owner, list };
    if (rest.length === 2) return { kind: 'object', email: owner, list, name: rest[1] };
    return { kind: 'unknown' };
  }
  return { kind: 'unknown' };
}

/** The e-mail owning a node, for access checks; null for shared nodes (root, principals). */
export function ownerOf(node: DavNode): string | null {
  return 'email' in node ? node.email : null;
}

/** Where a stored object of a node lives: the calendar's and tasks list's objects, the inbox's messages. */
export function objectLocation(node: DavNode): { key: string; name: string } | null {
  if (node.kind === 'object') return { key: listKey(node), name: node.name };
  if (node.kind === 'inbox-item') return { key: storeKey(node.email, INBOX_SLUG), name: node.name };
  return null;
}
