/**
 * The outbox: CalDAV writes the CRM has not received yet. One entry per calendar object (owner +
 * resource name), not per write: an entry says "this href is dirty", and a delivery pushes the
 * object's state at delivery time, so any number of writes to one href coalesce into one
 * idempotent delivery of the latest state.
 *
 * Entries come from two places: a CRM that cannot join the calendar's transaction gets one for
 * every phone write, committed with it (outbox-first, sync/outbox-dynamodb.ts participant), and a
 * CRM write that failed after the commit leaves one for the replay. A delivery holds the entry's
 * lease while it pushes, so two workers (the in-process one, the stream trigger, the scheduled
 * replay) never push the same href at once: deliveries of one event happen one after another.
 */

export interface OutboxKey {
  owner: string;
  /** Resource name in the owner's calendar. */
  name: string;
}

export interface OutboxEntry extends OutboxKey {
  /**
   * Every UID this href held in the writes waiting: a delivery deletes the CRM events of the ones
   * the href no longer holds (deleted, or replaced by an object with another UID).
   */
  uids: string[];
  /** Bumped by every record(); a delivery removes the entry only if nothing was recorded since. */
  rev: number;
  /** ISO instant of the oldest write still waiting. */
  pendingSince: string;
  /** Failed deliveries so far (a write whose CRM call failed counts as one). */
  attempts: number;
  /** The last failed delivery (ISO) and its error; null while none failed. */
  lastFailedAt: string | null;
  lastError: string | null;
}

export interface OutboxChange extends OutboxKey {
  /** The UIDs the write touched: the one written, and one it replaced or removed. */
  uids: string[];
  at: string;
  /** Set when the write's CRM call already failed (counted as an attempt). */
  error?: string;
}

/** A delivery's hold on an entry: who holds it and until when (epoch ms). */
export interface Lease {
  holder: string;
  until: number;
}

export interface Outbox {
  /** Marks the href dirty (creating or updating its entry) and bumps `rev`. */
  record(change: OutboxChange): Promise<void>;
  /** Pending entries, oldest first; of one owner when given. */
  list(owner?: string): Promise<OutboxEntry[]>;
  /**
   * Takes the entry's lease for a delivery: the entry as it is now, or null when there is none or
   * another holder's lease runs until after `now` (epoch ms).
   */
  claim(key: OutboxKey, lease: Lease, now: number): Promise<OutboxEntry | null>;
  /** Delivered: removes the entry if its rev is still `rev`; false (and the lease let go) when it changed meanwhile. */
  remove(key: OutboxKey, rev: number, holder?: string): Promise<boolean>;
  /** A delivery failed: counts the attempt, keeps the error and lets the lease go, unless the entry is gone. */
  noteFailure(key: OutboxKey, error: string, at: string, holder?: string): Promise<void>;
}

export const byAge = (a: OutboxEntry, b: OutboxEntry) =>
  a.pendingSince.localeCompare(b.pendingSince) || a.owner.localeCompare(b.owner) || a.name.localeCompare(b.name);

/** Errors are kept short: the console shows them, and an item has a size limit. */
export const MAX_ERROR_CHARS = 1000;

interface MemoryEntry extends OutboxEntry {
  lease?: Lease;
}

export class MemoryOutbox implements Outbox {
  private readonly entries = new Map<string, MemoryEntry>();
  /** Set to false to make every call fail (the outbox's own storage down). */
  available = true;

  private static id = (k: OutboxKey) => `${k.owner.toLowerCase()}\n${k.name}`;

  private check() {
    if (!this.available) throw new Error('outbox storage unavailable');
  }

  private static view({ lease: _lease, ...entry }: MemoryEntry): OutboxEntry {
    return { ...entry, uids: [...entry.uids] };
  }

  async record(c: OutboxChange): Promise<void> {
    this.check();
    const id = MemoryOutbox.id(c);
    const e = this.entries.get(id);
    const failed = c.error !== undefined;
    this.entries.set(id, {
      owner: c.owner.toLowerCase(),
      name: c.name,
      uids: [...new Set([...(e?.uids ?? []), ...c.uids])].sort(),
      rev: (e?.rev ?? 0) + 1,
      pendingSince: e?.pendingSince ?? c.at,
      attempts: (e?.attempts ?? 0) + (failed ? 1 : 0),
      lastFailedAt: failed ? c.at : (e?.lastFailedAt ?? null),
      lastError: failed ? c.error!.slice(0, MAX_ERROR_CHARS) : (e?.lastError ?? null),
      ...(e?.lease ? { lease: e.lease } : {}),
    });
  }

  async list(owner?: string): Promise<OutboxEntry[]> {
    this.check();
    return [...this.entries.values()]
      .filter((e) => owner === undefined || e.owner === owner.toLowerCase())
      .map(MemoryOutbox.view)
      .sort(byAge);
  }

  async claim(key: OutboxKey, lease: Lease, now: number): Promise<OutboxEntry | null> {
    this.check();
    const e = this.entries.get(MemoryOutbox.id(key));
    if (!e || (e.lease && e.lease.holder !== lease.holder && e.lease.until > now)) return null;
    e.lease = lease;
    return MemoryOutbox.view(e);
  }

  async remove(key: OutboxKey, rev: number, holder?: string): Promise<boolean> {
    this.check();
    const id = MemoryOutbox.id(key);
    const e = this.entries.get(id);
    if (e?.rev !== rev) {
      if (e && holder !== undefined && e.lease?.holder === holder) delete e.lease;
      return false;
    }
    this.entries.delete(id);
    return true;
  }

  async noteFailure(key: OutboxKey, error: string, at: string, holder?: string): Promise<void> {
    this.check();
    const e = this.entries.get(MemoryOutbox.id(key));
    if (!e) return;
    Object.assign(e, { attempts: e.attempts + 1, lastError: error.slice(0, MAX_ERROR_CHARS), lastFailedAt: at });
    if (holder !== undefined && e.lease?.holder === holder) delete e.lease;
  }
}
