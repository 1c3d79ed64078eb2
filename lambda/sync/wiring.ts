/**
 * Composition of the bridge: given the plain dependencies and a CRM connector, the CalDAV side
 * gets the CRM-syncing store and the CRM side gets the listener, the outbox status and the
 * replay, all sharing one undecorated store.
 */
import type { CrmConnector, CrmEventListener } from '../crm/types';
import type { CalendarStore } from '../store/types';
import { crmSyncingStore, type SyncLogger } from './crm-syncing-store';
import { crmToCaldav } from './crm-to-caldav';
import type { Outbox } from './outbox';
import { retryPending, type RetryReport } from './retry';
import { syncStatus, type SyncStatus } from './status';

export interface CrmSync {
  connector: CrmConnector;
  outbox: Outbox;
  /** For the CRM API: call after every event write. */
  listener: CrmEventListener;
  /** For /crm/v1/status and `crm-caldav sync status`. */
  status(owner?: string): Promise<SyncStatus>;
  /** For the scheduled job and `crm-caldav sync retry`. */
  retry(owner?: string): Promise<RetryReport>;
}

export interface SyncWiringOptions {
  now?: () => Date;
  log?: SyncLogger;
}

export function wireCrmSync(inner: CalendarStore, connector: CrmConnector, outbox: Outbox, opts: SyncWiringOptions = {}): { store: CalendarStore; crm: CrmSync } {
  const deps = { store: inner, crm: connector, outbox, now: opts.now, log: opts.log };
  return {
    store: crmSyncingStore(inner, { crm: connector, outbox, now: opts.now, log: opts.log }),
    crm: {
      connector,
      outbox,
      listener: crmToCaldav(deps),
      status: (owner) => syncStatus(outbox, owner),
      retry: (owner) => retryPending(deps, { owner }),
    },
  };
}
