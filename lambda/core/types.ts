/**
 * Transport-free request/response shapes. Handlers translate API Gateway events into these and
 * back; everything under lambda/core works on them only (no Lambda, no DynamoDB).
 */
import type { CalendarStore, StoredObject } from '../store/types';
import type { SchedulingDeps } from './scheduling/ports';
import type { ListKind } from './paths';

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
 * A calendar object that a client's request changed, reported after the store committed it (as
 * sabre/dav's calendarObjectChange event): the App's listener (the sync bridge) hears it. The write stands whatever
 * the hook does. `carried`: the store's transaction participant committed its part of this change
 * with it (store/types.ts PutResult), so a listener that is that participant has nothing left to do.
 * `list`: which of the owner's collections it is in, the calendar (absent: 'events') or the tasks list.
 */
export type ObjectChange =
  | { kind: 'put'; owner: string; list?: ListKind; object: StoredObject; carried: boolean }
  | { kind: 'delete'; owner: string; list?: ListKind; name: string; uid: string; carried: boolean };

export type ObjectChangeHook = (change: ObjectChange) => Promise<void>;

/** Everything a core method needs besides the request. */
export interface DavContext {
  user: Principal;
  store: CalendarStore;
  config: DavConfig;
  now: () => Date;
  /** Called after every successful PUT or DELETE of a calendar object; absent = nobody listens. */
  onObjectChange?: ObjectChangeHook;
  /** Implicit scheduling (RFC 6638, core/scheduling); absent = none (writes are stored as sent). */
  scheduling?: SchedulingDeps;
}

/** Core's implementation of one HTTP method: pure, request in, response out (the HTTP method's name is `DavRequest.method`). */
export type CoreMethod = (req: DavRequest, ctx: DavContext) => Promise<DavResponse>;

export const DEFAULT_CONFIG: DavConfig = {
  // DynamoDB items stop at 400 KB; the rest of the item (keys, etag, ranges) fits in the margin.
  maxResourceSize: 384 * 1024,
  syncRetentionSeconds: 30 * 24 * 3600,
};
