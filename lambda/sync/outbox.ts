/**
 * The outbox: CalDAV writes the CRM has not accepted yet. One entry per calendar object (owner +
 * resource name), not per write: an entry says "this href is dirty", and a replay pushes the
 * object's state at replay time, so any number of failed writes to one href coalesce into one
 * idempotent delivery of the latest state.
 */

export interface OutboxKey {
  owner: string;
  /** Resource name in the owner's calendar. */
  name: string;
}

export interface OutboxEntry extends OutboxKey {
  /**
   * Every UID this href held in the failed writes: a replay deletes the CRM events of the ones
   * the href no longer holds (deleted, or replaced by an object with another UID).
   */
  uids: string[];
  /** Bumped by every record(); a replay removes the entry only if nothing was recorded since. */
  rev: number;
  /** ISO instants: first failure still pending, last failure (write or replay). */
  firstFailedAt: string;
  lastFailedAt: string;
  /** Failed deliveries so far, the original write included. */
  attempts: number;
  lastError: string;
}

export interface OutboxFailure extends OutboxKey {
  uid: string;
  error: string;
  at: string;
}

export interface Outbox {
  /** Marks the href dirty (creating or updating its entry) and bumps `rev`. */
  record(failure: OutboxFailure): Promise<void>;
  /** Pending entries, oldest first; of one owner when given. */
  list(owner?: string): Promise<OutboxEntry[]>;
  /** Removes the entry if its rev is still `rev`; returns false when it changed meanwhile. */
  remove(key: OutboxKey, rev: number): Promise<boolean>;
  /** A replay failed: counts the attempt and keeps the error, unless the entry is gone. */
  noteFailure(key: OutboxKey, error: string, at: string): Promise<void>;
}

export const byAge = (a: OutboxEntry, b: OutboxEntry) =>
  a.firstFailedAt.localeCompare(b.firstFailedAt) || a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name);

export class MemoryOutbox implements Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  /** Set to false to make every call fail (the outbox's own storage down). */
  available = true;

  private static id = (k: OutboxKey) => `${k.owner.toLowerCase()}\n${k.name}`;

  private check() {
    if (!this.available) throw new Error('outbox storage unavailable');
  }

  async record(f: OutboxFailure): Promise<void> {
    this.check();
    const id = MemoryOutbox.id(f);
    const e = this.entries.get(id);
    this.entries.set(id, {
      owner: f.owner.toLowerCase(),
      name: f.name,
      uids: e ? [...new Set([...e.uids, f.uid])] : [f.uid],
      rev: (e?.rev ?? 0) + 1,
      firstFailedAt: e?.firstFailedAt ?? f.at,
      lastFailedAt: f.at,
      attempts: (e?.attempts ?? 0) + 1,
      lastError: f.error,
    });
  }

  async list(owner?: string): Promise<OutboxEntry[]> {
    this.check();
    return [...this.entries.values()]
      .filter((e) => owner === undefined || e.owner === owner.toLowerCase())
      .map((e) => ({ ...e, uids: [...e.uids] }))
      .sort(byAge);
  }

  async remove(key: OutboxKey, rev: number): Promise<boolean> {
    this.check();
    const id = MemoryOutbox.id(key);
    if (this.entries.get(id)?.rev !== rev) return false;
    this.entries.delete(id);
    return true;
  }

  async noteFailure(key: OutboxKey, error: string, at: string): Promise<void> {
    this.check();
    const e = this.entries.get(MemoryOutbox.id(key));
    if (e) Object.assign(e, { attempts: e.attempts + 1, lastError: error, lastFailedAt: at });
  }
}
