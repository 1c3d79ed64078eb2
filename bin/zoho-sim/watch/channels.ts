/**
 * Notification channels (`/crm/v8/actions/watch`): what each channel listens to, until when,
 * and where to call. Expiry follows Zoho's docs: one hour when not given, at most one week, and a
 * requested expiry beyond a week falls back to the one-hour default (v7 enable-notifications
 * doc: "If it is not specified or set for more than a week, the default expiry time is for one
 * hour").
 */
import type { SimClock } from '../clock';
import type { IdSequence } from '../ids';
import { MODULES, type ModuleName } from '../schema';

export type WatchOp = 'create' | 'edit' | 'delete';
export const WATCH_OPS: WatchOp[] = ['create', 'edit', 'delete'];

export interface Channel {
  channelId: string;
  notifyUrl: string;
  token: string | null;
  events: Map<ModuleName, Set<WatchOp>>;
  expiresAt: number;
  returnAffectedFieldValues: boolean;
  notifyOnRelatedAction: boolean;
  notificationCondition: unknown[] | null;
}

export const HOUR_MS = 60 * 60_000;
export const WEEK_MS = 7 * 24 * HOUR_MS;

export class Channels {
  private readonly byId = new Map<string, Channel>();
  /** Zoho reports each module's id as the channel's `resource_id`. */
  readonly moduleIds: Record<ModuleName, string>;

  constructor(
    private readonly clock: SimClock,
    ids: IdSequence,
  ) {
    this.moduleIds = Object.fromEntries(MODULES.map((m) => [m, ids.id()])) as Record<ModuleName, string>;
  }

  /** Channels that have not expired (an expired one is gone, as far as Zoho is concerned). */
  active(): Channel[] {
    const now = this.clock.now();
    for (const [id, c] of this.byId) if (c.expiresAt <= now) this.byId.delete(id);
    return [...this.byId.values()];
  }

  get(channelId: string): Channel | undefined {
    return this.active().find((c) => c.channelId === channelId);
  }

  put(channel: Channel): void {
    if (channel.events.size === 0) this.byId.delete(channel.channelId);
    else this.byId.set(channel.channelId, channel);
  }

  remove(channelId: string): Channel | undefined {
    const c = this.get(channelId);
    this.byId.delete(channelId);
    return c;
  }

  /** The expiry Zoho grants for a requested one (undefined = not given). */
  expiryFor(requested: number | undefined): number {
    const now = this.clock.now();
    if (requested === undefined || requested - now > WEEK_MS) return now + HOUR_MS;
    return requested;
  }
}
