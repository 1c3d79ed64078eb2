/**
 * The JSON APIs under /crm/v1 without transport: a request in, a response out, JSON bodies as
 * text. Two APIs share these: the admin API (lambda/admin-api, whatever the CRM) and the built-in
 * CRM's own REST API (lambda/crm/builtin/api). The Lambda handler and tests adapt to these;
 * nothing here knows API Gateway or AWS.
 */
import type { GuessStore } from '../accounts/guesses';
import type { AdminStore } from '../accounts/admins';
import type { UserStore } from '../store/types';

export interface ApiRequest {
  method: string;
  /** Decoded path, e.g. `/crm/v1/events/123`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /**
   * The client's address as the front door saw it: API Gateway's `requestContext.http.sourceIp`
   * (the connection's peer), the ALB's own X-Forwarded-For entry, the local server's socket peer.
   * Never a header a client could write.
   */
  sourceIp?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or '' for 204. */
  body: string;
}

/** The admin by token (no e-mail) or by a console session of an admin account, or a user. */
export type Caller = { kind: 'admin'; email?: string } | { kind: 'user'; email: string };

/** What identifying a caller needs (api/auth.ts). */
export interface AuthDeps {
  /** Users (the CalDAV users table): per-user Basic auth. */
  users: UserStore;
  /** Counts the tries of chosen passwords (accounts/guesses.ts); absent = not bounded. */
  guesses?: GuessStore;
  /** The admin bearer token (CRM_ADMIN_TOKEN); unset = no admin access by token. */
  adminToken?: string;
  /** Admin accounts and console sessions (cookie sign-in); absent = no session is accepted. */
  admins?: AdminStore;
  now?: () => Date;
}

export type RouteHandler = (req: ApiRequest, caller: Caller, param: string) => Promise<ApiResponse>;
/** A route whose URL is its credential (an onboarding link) or that checks its own (sign-in): no caller, any body type. */
export type OpenHandler = (req: ApiRequest, param: string) => Promise<ApiResponse>;

/** A resource under /crm/v1: its pattern (relative to the prefix, one capture at most) and its methods. */
export type Route = { pattern: RegExp } & ({ methods: Record<string, RouteHandler>; open?: never } | { open: Record<string, OpenHandler>; methods?: never });

/**
 * Something served outside /crm/v1 under /crm, with no caller identification of the router's: the
 * admin console's files (/crm/admin), a hosted CRM's webhook (/crm/zoho/notify, its own check).
 */
export interface Mount {
  matches(path: string): boolean;
  serve(req: ApiRequest): ApiResponse | Promise<ApiResponse>;
}

export type Logger = (level: 'info' | 'error', message: string, fields: Record<string, unknown>) => void;
