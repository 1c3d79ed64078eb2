/**
 * The CalDAV side of the App: what the CalDAV handlers serve a request with (the door's
 * DavParts: stores, limits, the change hook, device activity) and nothing of the CRM API, the
 * console or the jobs, so that their bundles stay small and their containers start fast.
 * composeApp (app.ts) builds its App on this; a CalDAV Lambda container builds only this
 * (build-dav.ts).
 */
import type { DavConfig } from '../core/types';
import type { DavParts } from '../http/dav-handler';
import type { CalendarStore, ObjectImporter, UserStore } from '../store/types';
import { wireCrmSync, type CrmSync, type SyncWiring } from '../sync/wiring';
import type { ExternalDelivery, ImipSender, SchedulingDeps } from '../core/scheduling/ports';
import { schedulingWrites } from '../core/scheduling/writes';
import { ActivityRecorder, type ActivityStore } from '../accounts/activity';
import type { GuessStore } from '../accounts/guesses';
import { calendarUserCheck } from '../accounts/credentials';
import { logLine, type Logger } from '../platform/log';

export interface DavAppParts {
  config: DavConfig;
  now?: () => Date;
  log?: Logger;
  users: UserStore;
  store: CalendarStore & ObjectImporter;
  /**
   * The CRM the bridge syncs with and its outbox; absent = a plain CalDAV server. `delivery`: how
   * phone writes reach it (sync/crm-change-hook.ts), matching the store's transaction participant;
   * `inProcess`: outbox-first deliveries run in this process (absent: the outbox stream's trigger).
   */
  bridge?: Pick<SyncWiring, 'connector' | 'outbox' | 'delivery' | 'inProcess' | 'tasks'>;
  /** Where each user's devices' last requests are noted; absent = not noted. */
  activity?: ActivityStore;
  /** Where tries of chosen passwords are counted (accounts/guesses.ts); absent = not bounded. */
  guesses?: GuessStore;
  /**
   * How scheduling reaches attendees outside the deployment (lambda/imip/config.ts); absent =
   * nobody: colleagues are still scheduled with, everyone else's SCHEDULE-STATUS says not delivered.
   */
  scheduling?: { external: ExternalDelivery; imip: ImipSender | null };
}

/** The CalDAV side, with every field the App shares with it. */
export interface DavApp extends DavParts {
  store: CalendarStore & ObjectImporter;
  /** Implicit scheduling (RFC 6638): what core's PUT, DELETE and POST deliver with. */
  scheduling: SchedulingDeps;
}

/** The CalDAV side, and the bridge's CRM side (null without a CRM) for composeApp to build on. */
export function composeDavApp(parts: DavAppParts): { dav: DavApp; crm: CrmSync | null } {
  const now = parts.now ?? (() => new Date());
  const log = parts.log ?? logLine;
  const { store, users, config } = parts;
  // A reply changes the organizer's copy: the bridge hears of it as of a phone's write of it.
  let organizerCopyChanged: SchedulingDeps['organizerCopyChanged'];
  const scheduling: SchedulingDeps = {
    store,
    isCalendarUser: calendarUserCheck(users),
    imip: parts.scheduling?.imip ?? null,
    external: parts.scheduling?.external ?? 'off',
    organizerCopyChanged: (owner, object) => organizerCopyChanged?.(owner, object) ?? Promise.resolve(),
    now,
    log,
  };
  // What the CRM writes into an organizer's calendar schedules as a phone's PUT would.
  const wired = parts.bridge ? wireCrmSync({ store: schedulingWrites(scheduling, log), users, ...parts.bridge, now, log }) : null;
  organizerCopyChanged = wired ? (owner, object) => wired.onObjectChange({ kind: 'put', owner, object, carried: false }) : undefined;
  return {
    dav: {
      config,
      now,
      log,
      users,
      store,
      onObjectChange: wired?.onObjectChange,
      activity: parts.activity ? new ActivityRecorder(parts.activity) : null,
      guesses: parts.guesses,
      scheduling,
    },
    crm: wired?.crm ?? null,
  };
}
