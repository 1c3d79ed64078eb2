/**
 * Deleting a user: what CalDAV holds for them goes, in an order that never leaves a half-usable
 * account. The export is cancelled first (a running one stops at its next batch: it checks the
 * user), then the user record (every device is refused from that request on), then the calendar
 * and the tasks list (objects, UID guards, change log; sync tokens die with them, store/types.ts deleteCalendar), the
 * record of its devices and the CalDAV changes still waiting for the CRM. The CRM's own events
 * of the user stay: they are CRM records (with their Owner and CalDAV link) for the CRM admin to
 * reassign or delete; no sync writes them to a calendar again, because sync only writes for
 * users with CalDAV enabled.
 */
import type { UserDeletion } from '../admin-api/types';
import type { JobStore } from '../jobs/job-store';
import type { ActivityStore } from '../accounts/activity';
import type { CalendarStore, UserStore } from '../store/types';
import { INBOX_SLUG, TASKS_SLUG, storeKey } from '../core/paths';
import type { Outbox } from '../sync/outbox';

export interface DeletionParts {
  users: UserStore;
  /** The user's devices' last requests (the admin console's), removed with the user. */
  activity?: ActivityStore;
  store: CalendarStore;
  outbox?: Outbox;
  jobs?: JobStore;
  now: () => Date;
}

/** Null when there is no such user (nothing is touched then). */
export async function deleteUser(parts: DeletionParts, address: string): Promise<UserDeletion | null> {
  const email = address.toLowerCase();
  if (!(await parts.users.getUser(email))) return null;
  const exportCancelled = parts.jobs ? await parts.jobs.cancelExport(email, 'the user was deleted', parts.now()) : false;
  await parts.users.deleteUser(email);
  // The calendar and the tasks list count as the user's objects; their scheduling inbox goes too (core/paths.ts storeKey).
  const objects = (await parts.store.deleteCalendar(email)) + (await parts.store.deleteCalendar(storeKey(email, TASKS_SLUG)));
  await parts.store.deleteCalendar(storeKey(email, INBOX_SLUG));
  await parts.activity?.deleteUser(email);
  let pendingDropped = 0;
  for (const entry of parts.outbox ? await parts.outbox.list(email) : []) {
    if (await parts.outbox!.remove(entry, entry.rev)) pendingDropped++;
  }
  return { email, objects, pendingDropped, exportCancelled };
}
