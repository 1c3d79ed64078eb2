/**
 * Sends the callbacks: after each write, every live channel listening to that module and
 * operation gets one POST with the payload of Zoho's documented sample (v7 enable-notifications
 * doc, "Sample response received at the notification URL"): server_time, query_params, module,
 * resource_uri, ids, affected_fields, operation (`insert`/`update`/`delete`), channel_id, token.
 * One attempt per callback, no retries (Zoho documents none).
 */
import type { Change, Org } from '../org';
import { presentField } from '../present';
import type { Channel, Channels, WatchOp } from './channels';

export interface Delivery {
  channelId: string;
  url: string;
  payload: Record<string, unknown>;
  /** HTTP status of the listener's answer, or the error that stopped the call. */
  status?: number;
  error?: string;
}

export interface NotifierOptions {
  apiUrl: () => string;
  operations: 'insert-update-delete' | 'create-edit-delete';
  delayMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

const WATCH_OP: Record<Change['operation'], WatchOp> = { insert: 'create', update: 'edit', delete: 'delete' };

/** Field API names a field_selection condition names, however its groups nest. */
function conditionFields(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(conditionFields);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = typeof o.api_name === 'string' && !('group' in o) && !('module' in o) ? [o.api_name] : [];
  return [...own, ...Object.entries(o).filter(([k]) => k !== 'module').flatMap(([, v]) => conditionFields(v))];
}

export class Notifier {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly org: Org,
    private readonly channels: Channels,
    private readonly options: NotifierOptions,
  ) {
    org.onChange((change) => this.dispatch(change));
  }

  /** Resolves when every callback started so far has finished. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private dispatch(change: Change): void {
    const op = WATCH_OP[change.operation];
    for (const channel of this.channels.active()) {
      if (!channel.events.get(change.module)?.has(op)) continue;
      const ids = change.operation === 'update' ? this.passing(channel, change) : change.ids;
      if (ids.length === 0) continue;
      const payload = this.payload(channel, change, ids);
      const send = this.deliver(channel, payload);
      this.inFlight.add(send);
      void send.finally(() => this.inFlight.delete(send));
    }
  }

  /** For edits, a field_selection condition lets through only records whose named fields changed. */
  private passing(channel: Channel, change: Change): string[] {
    const named = conditionFields(channel.notificationCondition ?? []);
    if (named.length === 0) return change.ids;
    return change.ids.filter((id) => Object.keys(change.affected.get(id) ?? {}).some((f) => named.includes(f)));
  }

  private payload(channel: Channel, change: Change, ids: string[]): Record<string, unknown> {
    const words = this.options.operations === 'insert-update-delete' ? change.operation : WATCH_OP[change.operation];
    const url = new URL(channel.notifyUrl);
    const affected = channel.returnAffectedFieldValues
      ? ids.flatMap((id) => {
          const record = this.org.get(change.module, id);
          if (!record) return [];
          const fields = Object.keys(change.affected.get(id) ?? {});
          return [{ [id]: Object.fromEntries(fields.map((f) => [f, presentField(this.org, record, f)])) }];
        })
      : [];
    return {
      server_time: this.org.clock.now(),
      query_params: Object.fromEntries(url.searchParams),
      module: change.module,
      resource_uri: `${this.options.apiUrl()}/crm/v8/${change.module}`,
      ids,
      affected_fields: affected,
      operation: words,
      channel_id: channel.channelId,
      ...(channel.token !== null ? { token: channel.token } : {}),
    };
  }

  private async deliver(channel: Channel, payload: Record<string, unknown>): Promise<void> {
    const delivery: Delivery = { channelId: channel.channelId, url: channel.notifyUrl, payload };
    this.deliveries.push(delivery);
    if (this.options.delayMs > 0) await new Promise((r) => setTimeout(r, this.options.delayMs));
    try {
      const res = await fetch(channel.notifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=UTF-8' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      delivery.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      delivery.error = e instanceof Error ? e.message : String(e);
      this.options.log(`zoho-sim: callback to ${channel.notifyUrl} failed: ${delivery.error}`);
    }
  }
}
