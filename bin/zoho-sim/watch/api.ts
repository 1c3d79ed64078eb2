/**
 * POST/PUT/PATCH/GET/DELETE /crm/v8/actions/watch (`notifications/notifications.yaml` and its
 * operations' examples). POST subscribes (or re-subscribes a known channel_id, adding events and
 * renewing it), PUT replaces a channel, PATCH changes given keys (`_delete_events: true` removes
 * the listed events), DELETE ?channel_ids= unsubscribes.
 */
import type { ApiContext } from '../context';
import { fail, zohoError, type ZohoErrorBody } from '../errors';
import { empty, isRecord, json, jsonBody, type SimRequest, type SimResponse } from '../http';
import { pageParams, slicePage } from '../paging';
import { writeStatus } from '../records-write';
import { moduleNamed, type ModuleName } from '../schema';
import { formatDateTime } from '../time';
import { WATCH_OPS, type Channel, type WatchOp } from './channels';

const MAX_CHANNELS = 50;
const MAX_EVENTS = 50;
const MAX_TOKEN = 50;
const EXPIRY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const SUBSCRIBED = 'Successfully subscribed for actions-watch of the given module';

type Mode = 'create' | 'replace' | 'patch';
type Item = Record<string, unknown> & { status: string; code: string };

class Refusal {
  constructor(readonly error: ZohoErrorBody) {}
}

function parseEvents(value: unknown, path: string): Map<ModuleName, Set<WatchOp>> {
  const bad = () => new Refusal(zohoError('INVALID_DATA', 'invalid data', { api_name: 'events', json_path: path }));
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_EVENTS) throw bad();
  const events = new Map<ModuleName, Set<WatchOp>>();
  for (const e of value) {
    const [name, op] = typeof e === 'string' ? e.split('.') : [];
    const module = name ? moduleNamed(name) : undefined;
    if (!module || !op || !(op === 'all' || (WATCH_OPS as string[]).includes(op))) throw bad();
    const set = events.get(module) ?? new Set<WatchOp>();
    for (const o of op === 'all' ? WATCH_OPS : [op as WatchOp]) set.add(o);
    events.set(module, set);
  }
  return events;
}

function parseChannel(spec: unknown, index: number, mode: Mode, ctx: ApiContext, fallbackId?: string): Channel {
  const path = (key: string) => `$.watch[${index}].${key}`;
  const missing = (key: string) => new Refusal(zohoError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: key, json_path: path(key) }));
  const invalid = (key: string) => new Refusal(zohoError('INVALID_DATA', 'invalid data', { api_name: key, json_path: path(key) }));
  if (!isRecord(spec)) throw new Refusal(zohoError('INVALID_DATA', 'invalid data', { json_path: `$.watch[${index}]` }));
  const rawId = spec.channel_id ?? fallbackId;
  if (rawId === undefined || rawId === null) throw missing('channel_id');
  const channelId = String(rawId);
  if (!/^\d{1,19}$/.test(channelId)) throw invalid('channel_id');
  const existing = ctx.channels.get(channelId);
  if (mode === 'patch' && !existing) throw new Refusal(zohoError('NOT_SUBSCRIBED', 'not subscribed for actions-watch of the given channel', { channel_id: channelId }));
  const base: Channel | undefined = mode === 'replace' ? undefined : existing;

  const notifyUrl = spec.notify_url ?? base?.notifyUrl;
  if (notifyUrl === undefined) throw missing('notify_url');
  if (typeof notifyUrl !== 'string' || notifyUrl.length > 255 || !/^https?:\/\//.test(notifyUrl)) throw invalid('notify_url');
  try {
    new URL(notifyUrl);
  } catch {
    throw invalid('notify_url');
  }

  let events = new Map(base?.events);
  if (spec.events === undefined) {
    if (!base) throw missing('events');
  } else {
    const given = parseEvents(spec.events, path('events'));
    if (mode === 'patch' && spec._delete_events === true) {
      for (const [m, ops] of given) {
        const left = new Set([...(events.get(m) ?? [])].filter((o) => !ops.has(o)));
        if (left.size > 0) events.set(m, left);
        else events.delete(m);
      }
    } else if (mode === 'replace') events = given;
    else for (const [m, ops] of given) events.set(m, new Set([...(events.get(m) ?? []), ...ops]));
  }

  let requested: number | undefined;
  if (spec.channel_expiry !== undefined && spec.channel_expiry !== null) {
    const v = spec.channel_expiry;
    if (typeof v !== 'string' || !EXPIRY.test(v) || Date.parse(v) <= ctx.org.clock.now()) throw invalid('channel_expiry');
    requested = Date.parse(v);
  }
  const expiresAt = requested === undefined && mode === 'patch' && base ? base.expiresAt : ctx.channels.expiryFor(requested);

  const token = spec.token === undefined ? (base?.token ?? null) : spec.token;
  if (token !== null && (typeof token !== 'string' || token.length > MAX_TOKEN)) throw invalid('token');
  const flag = (key: string, fallback: boolean) => {
    const v = spec[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw invalid(key);
    return v;
  };
  const condition = spec.notification_condition === undefined ? (base?.notificationCondition ?? null) : spec.notification_condition;
  if (condition !== null && (!Array.isArray(condition) || condition.length > 2)) throw invalid('notification_condition');
  return {
    channelId,
    notifyUrl,
    token,
    events,
    expiresAt,
    returnAffectedFieldValues: flag('return_affected_field_values', base?.returnAffectedFieldValues ?? false),
    notifyOnRelatedAction: flag('notify_on_related_action', base?.notifyOnRelatedAction ?? true),
    notificationCondition: condition as unknown[] | null,
  };
}

function resources(ctx: ApiContext, c: Channel, modules: Iterable<ModuleName> = c.events.keys()) {
  return [...modules].map((m) => ({
    channel_expiry: formatDateTime(c.expiresAt, ctx.timeZone),
    resource_uri: `${ctx.apiUrl}/crm/v8/${m}`,
    resource_id: ctx.channels.moduleIds[m],
    resource_name: m,
    channel_id: c.channelId,
  }));
}

function channelSpecs(body: unknown, mode: Mode): unknown[] {
  if (mode === 'patch' && isRecord(body) && !Array.isArray(body.watch)) return [body];
  const list = isRecord(body) ? body.watch : undefined;
  if (!Array.isArray(list) || list.length === 0) throw fail(400, 'MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'watch', json_path: '$.watch' });
  if (list.length > MAX_CHANNELS) throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { limit: MAX_CHANNELS, api_name: 'watch' });
  return list;
}

export function subscribe(req: SimRequest, ctx: ApiContext, mode: Mode): SimResponse {
  const specs = channelSpecs(jsonBody(req), mode);
  const items: Item[] = specs.map((spec, i) => {
    try {
      const channel = parseChannel(spec, i, mode, ctx, mode === 'patch' ? (req.query.get('channel_id') ?? undefined) : undefined);
      ctx.channels.put(channel);
      const message = mode === 'patch' ? 'Successfully updated the subscribe details' : SUBSCRIBED;
      return { code: 'SUCCESS', details: { events: resources(ctx, channel) }, message, status: 'success' };
    } catch (e) {
      if (e instanceof Refusal) return e.error;
      throw e;
    }
  });
  const status = writeStatus(items, mode === 'create' ? 201 : 200);
  if (status === 400 && items.length === 1) return json(400, items[0]);
  return json(status, { watch: items });
}

export function listChannels(req: SimRequest, ctx: ApiContext): SimResponse {
  const module = req.query.get('module');
  const channelId = req.query.get('channel_id');
  const entries = ctx.channels
    .active()
    .filter((c) => channelId === null || c.channelId === channelId)
    .flatMap((c) =>
      [...c.events]
        .filter(([m]) => module === null || m.toLowerCase() === module.toLowerCase())
        .map(([m, ops]) => ({
          notify_on_related_action: c.notifyOnRelatedAction,
          channel_expiry: formatDateTime(c.expiresAt, ctx.timeZone),
          return_affected_field_values: c.returnAffectedFieldValues,
          resource_uri: `${ctx.apiUrl}/crm/v8/${m}`,
          resource_id: ctx.channels.moduleIds[m],
          notify_url: c.notifyUrl,
          resource_name: m,
          fields: null,
          notification_condition: c.notificationCondition,
          channel_id: c.channelId,
          events: [...ops].map((o) => `${m}.${o}`),
          token: c.token,
        })),
    );
  const { items, info } = slicePage(entries, pageParams(req.query));
  if (items.length === 0) return empty(204);
  return json(200, { watch: items, info });
}

export function unsubscribe(req: SimRequest, ctx: ApiContext): SimResponse {
  const raw = req.query.get('channel_ids');
  if (!raw) throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'channel_ids' });
  const items: Item[] = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((id): Item[] => {
      const channel = ctx.channels.remove(id);
      if (!channel) return [zohoError('NOT_SUBSCRIBED', 'not subscribed for actions-watch of the given channel', { channel_id: id })];
      return [...channel.events.keys()].map((m) => ({
        code: 'SUCCESS',
        details: { resource_uri: `${ctx.apiUrl}/crm/v8/${m}`, resource_id: ctx.channels.moduleIds[m], channel_id: channel.channelId },
        message: 'Successfully un-subscribed from actions-watch',
        status: 'success' as const,
      }));
    });
  return json(writeStatus(items, 200), { watch: items });
}
