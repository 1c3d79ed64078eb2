/**
 * A CalendarStore that also writes every CalDAV change to the CRM before the request completes.
 * The calendar write comes first and always stands: when the CRM write fails, the href is put in
 * the outbox for retryPending() and the client still gets its success answer. Core never knows.
 */
import type { CrmConnector } from '../crm/types';
import type { CalendarStore, ObjectWrite, WriteCondition } from '../store/types';
import type { Outbox } from './outbox';
import { pushDeletion, pushObject } from './phone-to-crm';

export type SyncLogger = (level: 'info' | 'error', message: string, fields: Record<string, unknown>) => void;

export interface CrmSyncingStoreOptions {
  crm: CrmConnector;
  outbox: Outbox;
  now?: () => Date;
  log?: SyncLogger;
}

export const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export function crmSyncingStore(inner: CalendarStore, opts: CrmSyncingStoreOptions): CalendarStore {
  const now = opts.now ?? (() => new Date());
  const log: SyncLogger = opts.log ?? (() => {});

  async function deliver(owner: string, name: string, uid: string, push: () => Promise<unknown>) {
    try {
      await push();
    } catch (err) {
      const error = errorText(err);
      try {
        await opts.outbox.record({ owner, name, uid, error, at: now().toISOString() });
        log('info', 'CRM write deferred to the outbox', { owner, name, uid, error });
      } catch (outboxErr) {
        // The object is stored and the client will be told so; only the CRM copy lags. Loud,
        // because nothing but a later write to this href will carry the change over.
        log('error', 'CRM write failed and the outbox refused it', { owner, name, uid, error, outboxError: errorText(outboxErr) });
      }
    }
  }

  return {
    getCalendar: (owner) => inner.getCalendar(owner),
    patchCalendarProps: (owner, set, remove) => inner.patchCalendarProps(owner, set, remove),
    listObjects: (owner) => inner.listObjects(owner),
    getObject: (owner, name) => inner.getObject(owner, name),
    getObjects: (owner, names) => inner.getObjects(owner, names),
    findInRange: (owner, start, end) => inner.findInRange(owner, start, end),
    findNameByUid: (owner, uid) => inner.findNameByUid(owner, uid),
    changesSince: (owner, since) => inner.changesSince(owner, since),

    async putObject(owner: string, obj: ObjectWrite, cond?: WriteCondition) {
      const result = await inner.putObject(owner, obj, cond);
      await deliver(owner, obj.name, obj.uid, () => pushObject(opts.crm, owner, obj));
      return result;
    },

    async deleteObject(owner: string, name: string, cond?: WriteCondition) {
      // The UID is what links to the CRM; the object is gone after the delete.
      const before = await inner.getObject(owner, name);
      const result = await inner.deleteObject(owner, name, cond);
      if (before) await deliver(owner, name, before.uid, () => pushDeletion(opts.crm, inner, owner, before.uid));
      return result;
    },
  };
}
