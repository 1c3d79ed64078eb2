/**
 * Zoho's notification callback (POST /crm/zoho/notify): the channel's token checked in constant
 * time (a wrong one changes nothing), the records named re-read by id (a notification is only a
 * hint: the calendar must show what Zoho holds now), and applied like a reconciliation page:
 * Events to the calendars, Tasks to the tasks lists (when tasks sync). Our own writes coming back
 * are left out without a calendar write.
 *
 * Zoho's callback body is not in its published API description; what is read here is what its
 * integrations read: `channel_id`, `token`, `module`, `operation` (create, edit, delete), `ids`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ChangeAppliers } from '../types';
import type { ZohoConnector } from './connector';
import type { ZohoState } from './state';

export interface NotifyDeps {
  state: ZohoState;
  connector: Pick<ZohoConnector, 'changesFor' | 'tasks'>;
  /** Applies changes as the reconciliations do. */
  apply: ChangeAppliers;
}

export interface NotifyOutcome {
  status: 200 | 400 | 401;
  body: Record<string, unknown>;
}

/** Ids per notification that are read at once; Zoho sends at most a page of them. */
const MAX_IDS = 200;

const sameHash = (token: string, hash: string) => {
  const a = createHash('sha256').update(token).digest();
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
};

export async function onZohoNotification(text: string, deps: NotifyDeps): Promise<NotifyOutcome> {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return { status: 400, body: { error: 'the notification is not a JSON object' } };
  }
  const channel = await deps.state.channel();
  const token = typeof body.token === 'string' ? body.token : '';
  if (!channel || !token || !sameHash(token, channel.tokenHash) || String(body.channel_id ?? '') !== channel.channelId) {
    return { status: 401, body: { error: 'unknown channel or wrong token' } };
  }
  const module = String(body.module ?? 'Events');
  const tasks = deps.connector.tasks;
  if (module !== 'Events' && !(module === 'Tasks' && tasks)) return { status: 200, body: { ignored: `module ${module}` } };
  const ids = (Array.isArray(body.ids) ? body.ids : []).map(String).filter((id) => /^[0-9A-Za-z_-]{1,64}$/.test(id)).slice(0, MAX_IDS);
  if (ids.length === 0) return { status: 200, body: { applied: 0 } };
  if (module === 'Tasks' && tasks) {
    const changes = await tasks.changesFor(ids);
    await deps.apply.tasks(changes.tasks, changes.deletedIds);
    return { status: 200, body: { read: ids.length, changed: changes.tasks.length, deleted: changes.deletedIds.length } };
  }
  const changes = await deps.connector.changesFor(ids);
  await deps.apply.events(changes.events, changes.deletedIds);
  return { status: 200, body: { read: ids.length, changed: changes.events.length, deleted: changes.deletedIds.length } };
}
