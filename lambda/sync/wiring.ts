/**
 * Composition of the bridge: given the store and a CRM connector, the CalDAV side gets the change
 * hook core calls after each write, and the CRM side gets the listener, the outbox status and the
 * replay, all on the same store.
 */
import type { CrmConnector } from '../crm/types';
import type { CalendarStore, UserStore } from '../store/types';
import type { Logger } from '../platform/log';
import type { AlongsideWrite, ObjectChangeHook, PendingChange } from '../core/types';
import { crmAlongside, type AtomicCrm } from './crm-alongside';
import { crmChangeHook } from './crm-change-hook';
import { crmToCaldav, type CaldavWriter } from './crm-to-caldav';
import type { Outbox } from './outbox';
import { retryPending, type RetryReport } from './retry';
import { syncStatus, type SyncStatus } from './status';

export interface CrmSync {
  connector: CrmConnector;
  outbox: Outbox;
  /** For the CRM API (after every event write) and the scheduled jobs. */
  listener: CaldavWriter;
  /** For /crm/v1/status and `crm-caldav sync status`. */
  status(owner?: string): Promise<SyncStatus>;
  /** For the scheduled job and `crm-caldav sync retry`. */
  retry(owner?: string): Promise<RetryReport>;
}

export interface SyncWiringOptions {
  now?: () => Date;
  log?: Logger;
  /** The connector when it can join the calendar's transaction (the built-in CRM on the store's DynamoDB). */
  atomic?: AtomicCrm;
}

export interface WiredSync {
  onObjectChange: ObjectChangeHook;
  writeAlongside?: (change: PendingChange) => AlongsideWrite | undefined;
  crm: CrmSync;
}

export function wireCrmSync(store: CalendarStore, users: Pick<UserStore, 'getUser'>, connector: CrmConnector, outbox: Outbox, opts: SyncWiringOptions = {}): WiredSync {
  const deps = { store, users, crm: connector, outbox, now: opts.now, log: opts.log };
  return {
    onObjectChange: crmChangeHook(deps),
    writeAlongside: opts.atomic && crmAlongside(opts.atomic, opts.log),
    crm: {
      connector,
      outbox,
      listener: crmToCaldav(deps),
      status: (owner) => syncStatus(outbox, owner),
      retry: (owner) => retryPending(deps, { owner }),
    },
  };
}
