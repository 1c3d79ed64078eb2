/**
 * The tasks half of the bridge as a part the App plugs in (app/task-parts.ts): the CalDAV
 * functions' App goes without it, so their bundles carry none of the task mapping (their budget
 * is 1 MB, test/lib/caldav-stack.test.ts). Without it a tasks-list change is recorded in the
 * outbox and delivered by whoever has it: the outbox worker, the scheduled replay, the local
 * server's in-process worker.
 */
import { listOfKey } from '../core/paths';
import type { CrmConnector, CrmTaskListener } from '../crm/types';
import type { CalendarStore, StoredObject, UserStore } from '../store/types';
import type { Logger } from '../platform/log';
import type { Outbox } from './outbox';
import type { PushResult } from './phone-to-crm';

export interface TaskWriterDeps {
  store: CalendarStore;
  crm: CrmConnector;
  users: Pick<UserStore, 'getUser'>;
  outbox?: Outbox;
  now?: () => Date;
  log?: Logger;
}

export interface TaskSync {
  pushTask(crm: CrmConnector, owner: string, obj: StoredObject): Promise<PushResult>;
  pushTaskDeletion(crm: CrmConnector, store: CalendarStore, owner: string, uid: string): Promise<PushResult>;
  pushTaskState(crm: CrmConnector, store: CalendarStore, owner: string, name: string, uids: string[]): Promise<void>;
  taskWriter(deps: TaskWriterDeps): CrmTaskListener;
}

/** The owner e-mail of a tasks list's store key (an outbox entry's `owner`), or null for any other key. */
export function tasksOwnerOf(key: string): string | null {
  const ref = listOfKey(key);
  return ref?.list === 'tasks' ? ref.email : null;
}
