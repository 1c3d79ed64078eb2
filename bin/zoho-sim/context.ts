/** What every API handler receives: the org, who is calling, and the simulator's shared parts. */
import type { Channels } from './watch/channels';
import type { Org } from './org';
import type { ResolvedOptions } from './options';
import type { PageTokens } from './paging';
import type { SimUser } from './users';

/** A `$send_notification: true` write: Zoho would have e-mailed these participants. */
export interface Invitation {
  eventId: string;
  at: number;
  participants: Array<{ type: string; participant: string; Email: string | null }>;
}

export interface ApiContext {
  org: Org;
  options: ResolvedOptions;
  /** The user the access token belongs to. */
  user: SimUser;
  scopes: readonly string[];
  /** The caller's time zone: every date-time in an answer is written in it. */
  timeZone: string;
  /** Base URL of the API server (`api_domain`). */
  apiUrl: string;
  pageTokens: PageTokens;
  channels: Channels;
  invitations: Invitation[];
}
