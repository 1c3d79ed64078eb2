/**
 * What is waiting for the CRM, per user: served by `crm-caldav sync status` and the CRM API's
 * /crm/v1/status. Plain JSON-ready data. A user's tasks-list changes (outbox key `<email>#tasks`)
 * count as theirs, named `tasks/<name>`.
 */
import type { Outbox, OutboxEntry } from './outbox';
import { tasksOwnerOf } from './task-sync';

export interface UserSyncStatus {
  owner: string;
  pending: number;
  /** ISO instant of the oldest change still pending. */
  oldestPendingSince: string;
  /** The latest failed delivery; null while none has failed (a change on its way). */
  lastError: { at: string; name: string; message: string } | null;
  attempts: number;
}

export interface SyncStatus {
  pending: number;
  oldestPendingSince: string | null;
  users: UserSyncStatus[];
}

export async function syncStatus(outbox: Outbox, owner?: string): Promise<SyncStatus> {
  const entries = (owner === undefined ? await outbox.list() : [...(await outbox.list(owner)), ...(await outbox.list(`${owner}#tasks`))])
    .map((e) => {
      const tasksOwner = tasksOwnerOf(e.owner);
      return tasksOwner ? { ...e, owner: tasksOwner, name: `tasks/${e.name}` } : e;
    })
    .sort((a, b) => a.pendingSince.localeCompare(b.pendingSince));
  const byOwner = new Map<string, OutboxEntry[]>();
  for (const e of entries) byOwner.set(e.owner, [...(byOwner.get(e.owner) ?? []), e]);
  const users = [...byOwner].map(([who, list]): UserSyncStatus => {
    const failed = list.filter((e) => e.lastFailedAt !== null);
    const latest = failed.length ? failed.reduce((a, b) => (b.lastFailedAt! > a.lastFailedAt! ? b : a)) : null;
    return {
      owner: who,
      pending: list.length,
      oldestPendingSince: list.reduce((min, e) => (e.pendingSince < min ? e.pendingSince : min), list[0]!.pendingSince),
      lastError: latest ? { at: latest.lastFailedAt!, name: latest.name, message: latest.lastError ?? '' } : null,
      attempts: list.reduce((n, e) => n + e.attempts, 0),
    };
  });
  users.sort((a, b) => a.owner.localeCompare(b.owner));
  return {
    pending: entries.length,
    oldestPendingSince: entries[0]?.pendingSince ?? null,
    users,
  };
}

/** Human-readable lines for the CLI. */
export function formatStatus(s: SyncStatus): string[] {
  if (s.pending === 0) return ['Nothing pending: every CalDAV change has reached the CRM.'];
  return [
    `${s.pending} calendar object(s) waiting for the CRM, the oldest since ${s.oldestPendingSince}.`,
    ...s.users.map(
      (u) => `${u.owner}\t${u.pending} pending since ${u.oldestPendingSince}\t${u.attempts} failed attempt(s)${u.lastError ? `\tlast error ${u.lastError.at} on ${u.lastError.name}: ${u.lastError.message}` : ''}`,
    ),
  ];
}
