/**
 * The Zoho connector's share of each scheduled pass: the org's users listed again once a day (who
 * may have CalDAV access), and the notification channel kept alive: created when ZOHO_NOTIFY_URL
 * is set, renewed two days before it expires (Zoho keeps a channel a week at most), replaced when
 * the URL changed or it watches other modules than wanted. With a live channel, Zoho tells us of
 * changes as they happen (events, and tasks where tasks sync), so the pass reads the change feeds
 * hourly instead of every time (API credits).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { CrmUnavailable, type CrmUpkeep } from '../types';
import type { ZohoConnector } from './connector';
import { errorOf, type ZohoHttp } from './http';
import type { ChannelState, ZohoState } from './state';

/** Zoho's longest channel. */
const CHANNEL_DAYS = 7;
const RENEW_BEFORE_MS = 2 * 86_400_000;
const USERS_EVERY_MS = 23 * 3600_000;
/** The feed is read this often when the channel is alive. */
export const RECONCILE_WITH_CHANNEL_MS = 60 * 60_000;
const OPERATIONS = ['create', 'edit', 'delete'];
/** What the channel watches: Events, and Tasks when the connector syncs them (tasks.ts). */
export const watchedEvents = (connector: Pick<ZohoConnector, 'tasks'>): string[] =>
  ['Events', ...(connector.tasks ? ['Tasks'] : [])].flatMap((module) => OPERATIONS.map((op) => `${module}.${op}`));
/** What a channel saved before the list was kept watches. */
const EVENTS_ONLY = watchedEvents({});

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Zoho's channel_expiry: ISO 8601 with an offset and no milliseconds (it refuses them). */
const expiryText = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export interface ZohoUpkeepOptions {
  http: ZohoHttp;
  state: ZohoState;
  connector: ZohoConnector;
  notifyUrl?: string;
  now?: () => Date;
}

export class ZohoUpkeep implements CrmUpkeep {
  private readonly now: () => Date;

  constructor(private readonly opts: ZohoUpkeepOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  async run(): Promise<Record<string, unknown>> {
    const report: Record<string, unknown> = {};
    const users = await this.opts.state.users();
    if (!users || this.now().getTime() - Date.parse(users.fetchedAt) > USERS_EVERY_MS) report.users = (await this.opts.connector.orgUsers(true)).length;
    // Credentials from the environment never went through the console's connect: the field is made here.
    if (!(await this.opts.connector.fieldsMeta()).uidField) report.uidField = await this.opts.connector.ensureUidField();
    if (this.opts.notifyUrl) report.channel = await this.keepChannel(this.opts.notifyUrl);
    await this.opts.state.notePass({ lastChannelRenewalAt: report.channel === 'renewed' || report.channel === 'created' ? this.now().toISOString() : undefined });
    return report;
  }

  async reconcileDue(lastRunAt: string | null): Promise<boolean> {
    if (!lastRunAt || !(await this.channelAlive())) return true;
    return this.now().getTime() - Date.parse(lastRunAt) >= RECONCILE_WITH_CHANNEL_MS;
  }

  async channelAlive(): Promise<boolean> {
    const channel = await this.opts.state.channel();
    return !!channel && !!this.opts.notifyUrl && channel.notifyUrl === this.opts.notifyUrl && Date.parse(channel.expiresAt) > this.now().getTime();
  }

  private async keepChannel(notifyUrl: string): Promise<'kept' | 'created' | 'renewed'> {
    const now = this.now().getTime();
    const channel = await this.opts.state.channel();
    const events = watchedEvents(this.opts.connector);
    const sameEvents = (channel?.events ?? EVENTS_ONLY).join() === events.join();
    if (channel && channel.notifyUrl === notifyUrl && sameEvents && Date.parse(channel.expiresAt) - now > RENEW_BEFORE_MS) return 'kept';
    const token = randomBytes(24).toString('base64url');
    const next: ChannelState = {
      // Zoho's channel ids are numbers ("long") in its older documentation: a random one.
      channelId: channel?.channelId ?? String(randomInt(10 ** 12, 2 ** 47)),
      tokenHash: tokenHash(token),
      expiresAt: new Date(now + CHANNEL_DAYS * 86_400_000 - 3600_000).toISOString(),
      notifyUrl,
      events,
    };
    const watch = { channel_id: next.channelId, events, channel_expiry: expiryText(Date.parse(next.expiresAt)), token, notify_url: notifyUrl };
    // A channel we have is replaced in place (PUT); a new one is enabled (POST).
    let answer = await this.opts.http.call(channel ? 'PUT' : 'POST', '/crm/v8/actions/watch', { body: { watch: [watch] }, priority: 'sync' });
    if (channel && answer.status >= 400) answer = await this.opts.http.call('POST', '/crm/v8/actions/watch', { body: { watch: [watch] }, priority: 'sync' });
    const items = Array.isArray(answer.body?.watch) ? (answer.body!.watch as Record<string, unknown>[]) : [];
    const error = errorOf(answer.body) ?? (items[0] && items[0].status === 'error' ? errorOf({ data: items }) : null);
    if (answer.status >= 400 || error) throw new CrmUnavailable(`Zoho did not set up the notification channel: ${error?.code ?? answer.status} ${error?.message ?? ''}`.trim());
    // Zoho may grant less than asked (an expiry it will not take falls back to an hour): trust its answer.
    const granted = ((items[0]?.details as { events?: Array<{ channel_expiry?: unknown }> } | undefined)?.events ?? []).map((e) => Date.parse(String(e.channel_expiry))).filter(Number.isFinite);
    if (granted.length) next.expiresAt = new Date(Math.min(...granted)).toISOString();
    await this.opts.state.saveChannel(next);
    return channel ? 'renewed' : 'created';
  }
}
