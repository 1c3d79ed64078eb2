/**
 * The tasks half of the bridge is a part (sync/task-sync.ts): an App without it (the CalDAV
 * functions') leaves a tasks-list change in the outbox under the list's store key, and a delivery
 * without it leaves that entry for a deliverer that has it; one with it delivers the entry.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import { MemoryCalendarStore } from '../../lambda/store/memory';
import { crmChangeHook } from '../../lambda/sync/crm-change-hook';
import { deliver } from '../../lambda/sync/delivery';
import { MemoryOutbox } from '../../lambda/sync/outbox';
import { syncStatus } from '../../lambda/sync/status';
import { TASK_SYNC } from '../../lambda/sync/tasks';
import type { StoredObject } from '../../lambda/store/types';

const OWNER = 'olivia@crm.example';
const object: StoredObject = { name: 't1.ics', uid: 't1', etag: '"1"', ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', lastModified: '2025-01-01T00:00:00.000Z', size: 30 } as StoredObject;

describe('the tasks half as a part', () => {
  it('without it, a tasks-list change waits in the outbox under <email>#tasks; a delivery without it leaves the entry', async () => {
    const crm = new MemoryCrmConnector();
    const outbox = new MemoryOutbox();
    const store = new MemoryCalendarStore();
    const hook = crmChangeHook({ crm, outbox, store, delivery: 'in-transaction' });
    await hook({ kind: 'put', owner: OWNER, list: 'tasks', object, carried: false });
    expect((await outbox.list()).map((e) => [e.owner, e.name, e.uids])).toEqual([[`${OWNER}#tasks`, 't1.ics', ['t1']]]);
    expect(crm.calls).toEqual([]);
    const key = { owner: `${OWNER}#tasks`, name: 't1.ics' };
    expect(await deliver({ store, crm, outbox }, key)).toBe('not-claimed');
    expect(await outbox.list()).toHaveLength(1);
    // The user's sync status counts it as theirs.
    const status = await syncStatus(outbox, OWNER);
    expect(status).toMatchObject({ pending: 1, users: [{ owner: OWNER, pending: 1 }] });
    expect((await syncStatus(outbox)).users.map((u) => u.owner)).toEqual([OWNER]);
    // A deliverer with the tasks half takes it (this CRM has no Tasks module: nothing to write).
    expect(await deliver({ store, crm, outbox, tasks: TASK_SYNC }, key)).toBe('delivered');
    expect(await outbox.list()).toEqual([]);
  });
});
