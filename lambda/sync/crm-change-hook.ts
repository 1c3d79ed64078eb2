/**
 * Phone -> CRM on the write path: the ObjectChangeHook core calls after each committed PUT or
 * DELETE. How the change reaches the CRM depends on the CRM:
 *
 * - `in-transaction` (the built-in CRM): its part committed with the calendar write (the store's
 *   participant, `carried`); only a change it could not prepare is pushed here, after the commit.
 * - `outbox-first` (a CRM elsewhere, reached over the network): the outbox entry committed with the
 *   calendar write (the outbox is the participant), the answer goes back at once and a worker
 *   delivers (`kick`); without a transaction (a store with no participant) the entry is recorded here.
 * - `after-commit` (no participant at all): pushed here, after the commit.
 *
 * Tasks-list changes (`list: 'tasks'`) take the same ways to the CRM's Tasks (sync/tasks.ts); the
 * built-in CRM does not carry them in its transaction, so they are pushed here after the commit.
 *
 * The calendar write always stands: when a push fails, the href goes to the outbox for the replay
 * and the client still gets its success answer.
 */
import { errorText, silentLogger, type Logger } from '../platform/log';
import type { ObjectChange, ObjectChangeHook } from '../core/types';
import type { CrmConnector } from '../crm/types';
import type { CalendarStore } from '../store/types';
import type { Outbox } from './outbox';
import type { OutboxKicker } from './outbox-worker';
import { listKey } from '../core/paths';
import { pushDeletion, pushObject } from './phone-to-crm';
import type { TaskSync } from './task-sync';

export type CrmDelivery = 'in-transaction' | 'outbox-first' | 'after-commit';

export interface CrmChangeHookOptions {
  crm: CrmConnector;
  outbox: Outbox;
  /** Where a deletion looks for another object now holding the UID. */
  store: CalendarStore;
  delivery: CrmDelivery;
  /** Starts a delivery of an outbox-first change; absent = the stream trigger or the replay delivers. */
  worker?: OutboxKicker;
  /** The tasks half (task-sync.ts); without it tasks-list changes go to the outbox. */
  tasks?: TaskSync;
  now?: () => Date;
  log?: Logger;
}

/** The outbox key: the calendar's owner, or for the tasks list its store key (`<email>#tasks`, which delivery.ts reads back). */
const keyOf = (change: ObjectChange) => ({
  owner: change.list === 'tasks' ? listKey({ email: change.owner, list: 'tasks' }) : change.owner,
  name: change.kind === 'put' ? change.object.name : change.name,
});
const uidOf = (change: ObjectChange) => (change.kind === 'put' ? change.object.uid : change.uid);

export function crmChangeHook(opts: CrmChangeHookOptions): ObjectChangeHook {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? silentLogger;

  async function record(change: ObjectChange, error?: string): Promise<boolean> {
    const { owner, name } = keyOf(change);
    try {
      await opts.outbox.record({ owner, name, uids: [uidOf(change)], at: now().toISOString(), ...(error !== undefined ? { error } : {}) });
      return true;
    } catch (outboxErr) {
      // The object is stored and the client will be told so; only the CRM copy lags. Loud,
      // because nothing but a later write to this href will carry the change over.
      log('error', 'CRM change could not be queued: the outbox refused it', { owner, name, uid: uidOf(change), error, outboxError: errorText(outboxErr) });
      return false;
    }
  }

  return async (change) => {
    if (opts.delivery === 'outbox-first') {
      if (change.carried || (await record(change))) opts.worker?.kick(keyOf(change));
      return;
    }
    // Committed with the calendar write already (the built-in CRM's part).
    if (change.carried) return;
    if (change.list === 'tasks' && !opts.tasks) {
      // The outbox's deliverers carry the tasks half (the CalDAV functions do not): they push it.
      if (await record(change)) opts.worker?.kick(keyOf(change));
      return;
    }
    try {
      if (change.list === 'tasks') {
        if (change.kind === 'put') await opts.tasks!.pushTask(opts.crm, change.owner, change.object);
        else await opts.tasks!.pushTaskDeletion(opts.crm, opts.store, change.owner, change.uid);
      } else if (change.kind === 'put') await pushObject(opts.crm, change.owner, change.object);
      else await pushDeletion(opts.crm, opts.store, change.owner, change.uid);
    } catch (err) {
      const error = errorText(err);
      if (await record(change, error)) log('info', 'CRM write deferred to the outbox', { ...keyOf(change), uid: uidOf(change), error });
    }
  };
}
