/**
 * Phone -> CRM on the write path: the ObjectChangeHook that core calls after each committed PUT or
 * DELETE, for changes not already committed with it (crm-alongside.ts). The calendar write always
 * stands: when the CRM write fails, the href goes to the outbox for retryPending() and the client
 * still gets its success answer.
 */
import { errorText, silentLogger, type Logger } from '../platform/log';
import type { ObjectChangeHook } from '../core/types';
import type { CrmConnector } from '../crm/types';
import type { CalendarStore } from '../store/types';
import type { Outbox } from './outbox';
import { pushDeletion, pushObject } from './phone-to-crm';

export interface CrmChangeHookOptions {
  crm: CrmConnector;
  outbox: Outbox;
  /** Where a deletion looks for another object now holding the UID. */
  store: CalendarStore;
  now?: () => Date;
  log?: Logger;
}

export function crmChangeHook(opts: CrmChangeHookOptions): ObjectChangeHook {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? silentLogger;

  return async (change, alongside) => {
    // Committed with the calendar write already (crm-alongside.ts).
    if (alongside?.carried?.()) return;
    const { owner } = change;
    const { name, uid } = change.kind === 'put' ? change.object : change;
    try {
      if (change.kind === 'put') await pushObject(opts.crm, owner, change.object);
      else await pushDeletion(opts.crm, opts.store, owner, uid);
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
  };
}
