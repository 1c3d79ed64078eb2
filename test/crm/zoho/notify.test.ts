/**
 * Zoho's notification callback (lambda/crm/zoho/notify.ts) with its ports stood in for: which
 * module's records are read again and applied where, and what is ignored. End to end on the
 * simulator: test/interop/zoho.test.ts (events) and zoho-tasks.test.ts (tasks).
 */
import { describe, expect, it } from 'vitest';
import { onZohoNotification, type NotifyDeps } from '../../../lambda/crm/zoho/notify';
import { tokenHash } from '../../../lambda/crm/zoho/upkeep';
import type { ZohoState } from '../../../lambda/crm/zoho/state';
import type { ZohoTasks } from '../../../lambda/crm/zoho/tasks';
import type { CrmEvent, CrmTask } from '../../../lambda/crm/types';

const TOKEN = 'channel-token-0123456789';
const state = { channel: async () => ({ channelId: '42', tokenHash: tokenHash(TOKEN), expiresAt: '2030-01-01T00:00:00Z', notifyUrl: 'https://x.example/crm/zoho/notify' }) } as unknown as ZohoState;

function deps(withTasks: boolean) {
  const applied: Array<[string, string[], string[]]> = [];
  const read: Array<[string, string[]]> = [];
  const tasks = {
    changesFor: async (ids: string[]) => (read.push(['Tasks', ids]), { tasks: [{ id: ids[0] } as CrmTask], deletedIds: ids.slice(1) }),
  } as unknown as ZohoTasks;
  const d: NotifyDeps = {
    state,
    connector: {
      changesFor: async (ids: string[]) => (read.push(['Events', ids]), { events: [{ id: ids[0] } as CrmEvent], deletedIds: ids.slice(1) }),
      ...(withTasks && { tasks }),
    },
    apply: {
      events: async (events, deletedIds) => applied.push(['events', events.map((e) => e.id), deletedIds]),
      tasks: async (changed, deletedIds) => applied.push(['tasks', changed.map((t) => t.id), deletedIds]),
    },
  };
  return { d, applied, read };
}

const body = (module: string, ids: string[], token = TOKEN) => JSON.stringify({ channel_id: '42', token, module, operation: 'update', ids });

describe('a Zoho notification', () => {
  it('of Tasks is read again from Tasks and applied to the tasks lists', async () => {
    const { d, applied, read } = deps(true);
    const out = await onZohoNotification(body('Tasks', ['7', '8']), d);
    expect(out).toEqual({ status: 200, body: { read: 2, changed: 1, deleted: 1 } });
    expect(read).toEqual([['Tasks', ['7', '8']]]);
    expect(applied).toEqual([['tasks', ['7'], ['8']]]);
  });

  it('of Events goes to the calendars, as before', async () => {
    const { d, applied } = deps(true);
    expect((await onZohoNotification(body('Events', ['5']), d)).status).toBe(200);
    expect(applied).toEqual([['events', ['5'], []]]);
  });

  it('of Tasks where tasks do not sync, or of another module, is answered and ignored', async () => {
    const without = deps(false);
    expect(await onZohoNotification(body('Tasks', ['7']), without.d)).toEqual({ status: 200, body: { ignored: 'module Tasks' } });
    const other = deps(true);
    expect(await onZohoNotification(body('Deals', ['7']), other.d)).toEqual({ status: 200, body: { ignored: 'module Deals' } });
    expect([...without.applied, ...without.read, ...other.applied, ...other.read]).toEqual([]);
  });

  it('with a wrong token changes nothing, whatever its module', async () => {
    const { d, applied } = deps(true);
    expect((await onZohoNotification(body('Tasks', ['7'], 'guess'), d)).status).toBe(401);
    expect(applied).toEqual([]);
  });
});
