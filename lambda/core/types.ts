/**
 * Transport-free request/response shapes. Handlers translate API Gateway events into these and
 * back; everything under lambda/core works on them only (no Lambda, no DynamoDB).
 */
import type { Alongside, CalendarStore, StoredObject } from '../store/types';

export interface DavRequest {
  method: string;
  /** Decoded path, always starting with '/'; `%40` already turned into '@'. */
  path: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Raw body as UTF-8 text ('' when absent). */
  body: string;
}

export interface DavResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** The authenticated CRM user making the request. */
export interface Principal {
  /** CRM e-mail address, lower-cased: the account name and the calendar owner key. */
  email: string;
}

export interface DavConfig {
  /** Largest accepted calendar object in bytes (RFC 4791 max-resource-size). */
  maxResourceSize: number;
  /** How long change-log entries (and so sync tokens) stay valid, in seconds. */
  syncRetentionSeconds: number;
}

/**
 * A calendar object that a request changed, reported after the store committed it (as sabre/dav's
 * calendarObjectChange event): the CRM bridge listens here. The write stands whatever the hook does.
 */
export type ObjectChange =
  | { kind: 'put'; owner: string; object: StoredObject }
  | { kind: 'delete'; owner: string; name: string; uid: string };

/** A change about to be made: a deletion's UID is known only once the store has read the object. */
export type PendingChange = { kind: 'put'; owner: string; object: StoredObject } | { kind: 'delete'; owner: string; name: string };

/**
 * What a listener commits in the same transaction as an object write (the built-in CRM's side of
 * a phone's write): the store's CommitOptions.alongside, and how many keys its first round reads.
 */
export interface AlongsideWrite {
  /** Key reads of its first round: a request may make only so many before its credentials are checked. */
  readonly keys: number;
  readonly prepare: Alongside;
  /**
   * After the write committed: whether the operations of the last attempt made the listener's
   * whole change (false: it could not prepare them, and makes its change after the commit).
   */
  readonly carried?: () => boolean;
}

/** `alongside`: what writeAlongside gave for this change, so the listener knows what already committed. */
export type ObjectChangeHook = (change: ObjectChange, alongside?: AlongsideWrite) => Promise<void>;

/** Everything a core method needs besides the request. */
export interface DavContext {
  user: Principal;
  store: CalendarStore;
  config: DavConfig;
  now: () => Date;
  /** Called after every successful PUT or DELETE of a calendar object; absent = nobody listens. */
  onObjectChange?: ObjectChangeHook;
  /** Asked before a PUT or DELETE for changes to commit with it; absent or undefined = none. */
  writeAlongside?: (change: PendingChange) => AlongsideWrite | undefined;
}

/** Core's implementation of one HTTP method: pure, request in, response out (the HTTP method's name is `DavRequest.method`). */
export type CoreMethod = (req: DavRequest, ctx: DavContext) => Promise<DavResponse>;

export const DEFAULT_CONFIG: DavConfig = {
  // DynamoDB items stop at 400 KB; the rest of the item (keys, etag, ranges) fits in the margin.
  maxResourceSize: 384 * 1024,
  syncRetentionSeconds: 30 * 24 * 3600,
};
