/**
 * Composition of the bridge: given the store and a CRM connector, the CalDAV side gets the change
 * hook core calls after each write, and the CRM side gets the listener, the outbox status, the
 * delivery of one entry (the stream trigger's) and the replay, all on the same store.
 */
import type { CrmConnector } from '../crm/types';
import type { CalendarStore, UserStore } from '../store/types';
import type { Logger } from '../platform/log';
import type { ObjectChangeHook } from '../core/types';
import { crmChangeHook, type CrmDelivery } from './crm-change-hook';
import { crmToCaldav, type CaldavWriter } from './crm-to-caldav';
import { deliver, retryPending, type DeliveryOutcome, type RetryReport } from './delivery';
import type { Outbox, OutboxKey } from './outbox';
import { InProcessOutboxWorker } from './outbox-worker';
import { syncStatus, type SyncStatus } from './status';
import type { TaskSync } from './task-sync';

export interface CrmSync {
  connector: CrmConnector;
  outbox: Outbox;
  /** How phone writes reach this CRM (crm-change-hook.ts). */
  delivery: CrmDelivery;
  /** For the CRM API (after every event write) and the scheduled jobs. */
  listener: CaldavWriter;
  /** For /crm/v1/status and `crm-caldav sync status`. */
  status(owner?: string): Promise<SyncStatus>;
  /** One entry's delivery (the outbox stream's trigger on AWS). */
  deliver(key: OutboxKey): Promise<DeliveryOutcome>;
  /** For the scheduled job and `crm-caldav sync retry`. */
  retry(owner?: string): Promise<RetryReport>;
  /** The in-process worker's deliveries have all ended (tests, shutdown); resolves at once without one. */
  idle(): Promise<void>;
}

export interface SyncWiring {
  store: CalendarStore;
  /** Our users: whose calendars CRM events go to. */
  users: Pick<UserStore, 'getUser'>;
  connector: CrmConnector;
  outbox: Outbox;
  delivery: CrmDelivery;
  /**
   * Outbox-first only: deliver in this process right after each write (the local server), with
   * these waits between failed tries; absent = the outbox stream's trigger delivers (AWS).
   */
  inProcess?: { retryDelaysMs?: number[] };
  /** The tasks half (task-sync.ts); absent in the CalDAV functions, whose tasks-list changes wait in the outbox. */
  tasks?: TaskSync;
  now?: () => Date;
  log?: Logger;
}

export interface WiredSync {
  onObjectChange: ObjectChangeHook;
  crm: CrmSync;
}

export function wireCrmSync(w: SyncWiring): WiredSync {
  const deps = { store: w.store, users: w.users, crm: w.connector, outbox: w.outbox, now: w.now, log: w.log, tasks: w.tasks };
  const worker = w.delivery === 'outbox-first' && w.inProcess ? new InProcessOutboxWorker((key) => deliver(deps, key), { ...w.inProcess, log: w.log }) : undefined;
  return {
    onObjectChange: crmChangeHook({ ...deps, delivery: w.delivery, worker }),
    crm: {
      connector: w.connector,
      outbox: w.outbox,
      delivery: w.delivery,
      listener: crmToCaldav(deps),
      status: (owner) => syncStatus(w.outbox, owner),
      deliver: (key) => deliver(deps, key),
      retry: (owner) => retryPending(deps, { owner }),
      idle: async () => worker?.idle(),
    },
  };
}
