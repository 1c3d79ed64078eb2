/**
 * The storage port. Core protocol code depends on these interfaces only; adapters (memory,
 * DynamoDB) implement them and translate their own failures into the errors below.
 *
 * Every mutation of a calendar (put, delete) advances that calendar's sequence number by one and
 * appends `{seq, name, deleted}` (with the summary written, for a put) to its change log
 * atomically with the object write, so a sync token (a sequence number) can never skip a
 * change, and a listing known at one sequence number can be brought up to date from the log.
 */

export interface StoredObject {
  /** Resource name inside the calendar collection, e.g. `4E1B…-9A.ics` (decoded). */
  name: string;
  uid: string;
  /** Strong ETag, quoted (`"…"`). */
  etag: string;
  /** iCalendar text exactly as stored. */
  ics: string;
  /** ISO 8601 UTC timestamp of the last write. */
  lastModified: string;
  /** UTF-8 byte length of `ics`. */
  size: number;
  /**
   * Epoch-ms bounds covering every instance, for time-range prefiltering: `rangeStart` is the
   * earliest start, `rangeEnd` the latest end; null means unbounded (e.g. RRULE without UNTIL).
   */
  rangeStart: number | null;
  rangeEnd: number | null;
  recurring: boolean;
}

/** What listings answer from: everything but the text (and the UID). */
export type ObjectSummary = Pick<StoredObject, 'name' | 'etag' | 'lastModified' | 'size' | 'rangeStart' | 'rangeEnd'>;

export const summaryOf = ({ name, etag, lastModified, size, rangeStart, rangeEnd }: ObjectSummary): ObjectSummary => ({
  name,
  etag,
  lastModified,
  size,
  rangeStart,
  rangeEnd,
});

/** What a writer hands the store; `lastModified` and `size` are derived by the caller too. */
export type ObjectWrite = StoredObject;

export interface WriteCondition {
  /** The quoted ETag that must be current (If-Match), or '*' for "must exist". */
  ifMatch?: string;
  /** The object must not exist yet (If-None-Match: *). */
  ifNoneMatch?: boolean;
}

export interface CommitOptions {
  /**
   * The write may make its reads and checks at once but commits only once this resolves (a
   * request's credential check, http/read-ahead.ts); if it rejects, nothing is written and the
   * call rejects with its error.
   */
  commitAfter?: Promise<unknown>;
  /**
   * A client's write: the store's transaction participant, if it has one (the DynamoDB store's:
   * store/dynamodb/participant.ts), adds its part to the same transaction. Writes made on behalf
   * of the participant's own side leave it out, so nothing echoes back.
   */
  join?: boolean;
  /** Key reads the participant may make before `commitAfter` resolves; more wait for it. Default: no limit. */
  readsBeforeCommit?: number;
  /**
   * Epoch ms after which a write that lost a race to a concurrent writer starts no other round
   * and fails with WriteContention (a 503 with Retry-After): the request's own deadline, so that a
   * writer that keeps losing is told to come back instead of being cut off by the function's
   * timeout. Default: rounds are bounded by their number only.
   */
  giveUpBy?: number;
}

/** A write about to be made, as a participant sees it: a deletion's UID is known once the store has read the object. */
export type PendingWrite = { kind: 'put'; owner: string; object: StoredObject } | { kind: 'delete'; owner: string; name: string };

/** `carried`: the store's transaction participant committed its part of this change with it. */
export interface PutResult {
  created: boolean;
  seq: number;
  carried: boolean;
}

export interface DeleteResult {
  seq: number;
  /** The removed object's UID, which is what links it to the CRM, so callers need no read first. */
  uid: string;
  carried: boolean;
}

export interface ReadOptions {
  /**
   * A read may fetch a first bounded page at once but anything more only once this resolves (a
   * request's credential check, http/read-ahead.ts).
   */
  restAfter?: Promise<unknown>;
}

export interface Change {
  seq: number;
  name: string;
  deleted: boolean;
  /** For a put: the object as written then. Absent for deletions and for entries logged before summaries were. */
  summary?: ObjectSummary;
}

export interface CalendarMeta {
  /** Current sequence number: 0 for a calendar never written. Basis of ctag and sync-token. */
  seq: number;
  /** Dead properties set by PROPPATCH, keyed by Clark name, value is the XML text content. */
  props: Record<string, string>;
}

export interface CalendarStore {
  getCalendar(owner: string): Promise<CalendarMeta>;
  /** Sets and removes dead properties in one atomic write. Does not advance `seq`. */
  patchCalendarProps(owner: string, set: Record<string, string>, remove: string[]): Promise<void>;

  /**
   * `atSeq`: the calendar's sequence number as the caller read it in this request, so that an
   * adapter keeping listings (store/listing-cache.ts) can answer without reading it again.
   */
  listObjects(owner: string, atSeq?: number): Promise<ObjectSummary[]>;
  getObject(owner: string, name: string): Promise<StoredObject | null>;
  /** Objects that exist among `names`, in any order; missing names are simply absent. */
  getObjects(owner: string, names: string[]): Promise<StoredObject[]>;
  /**
   * A superset of the objects overlapping [start, end) (null = unbounded on that side); the
   * caller does the exact RFC 4791 matching. With both null, every object.
   */
  findInRange(owner: string, start: number | null, end: number | null, atSeq?: number): Promise<StoredObject[]>;
  /** Name of the object holding this UID, or null. */
  findNameByUid(owner: string, uid: string): Promise<string | null>;
  /**
   * When the last object holding this UID was deleted (ISO instant), or null when none was or
   * the UID is held again: lets a late CRM write tell a deletion it has not heard of from an
   * event that was never in the calendar, so it never brings a deleted event back.
   */
  uidDeletedAt(owner: string, uid: string): Promise<string | null>;

  /**
   * Creates or replaces an object. Throws PreconditionFailed when `cond` does not hold and
   * UidConflict when another object of this calendar already holds `obj.uid`.
   */
  putObject(owner: string, obj: ObjectWrite, cond?: WriteCondition, opts?: CommitOptions): Promise<PutResult>;
  /** Throws NotFound when absent and PreconditionFailed when `cond.ifMatch` does not hold. */
  deleteObject(owner: string, name: string, cond?: WriteCondition, opts?: CommitOptions): Promise<DeleteResult>;

  /**
   * Change-log entries with seq > `since`, ascending, up to the current sequence number or to
   * `atSeq` (the number the caller reads in this request; then not read again). A promise of it
   * lets the log be read while the caller's counter read is still in flight. Null when the log
   * can no longer answer (entries expired after the retention, or `since` is from the future):
   * the token is invalid.
   */
  changesSince(owner: string, since: number, atSeq?: number | Promise<number>, opts?: ReadOptions): Promise<Change[] | null>;

  /**
   * Removes every object and the whole change log (a user deleted). The sequence number moves
   * on by one with no entry, so every sync token handed out for this calendar is invalid from
   * then on, even if the calendar is used again. Returns the number of objects removed.
   */
  deleteCalendar(owner: string): Promise<number>;
}

/** A user's zone when none is set: floating times read as UTC. */
export const DEFAULT_TIME_ZONE = 'UTC';

export interface UserRecord {
  /** Lower-cased CRM e-mail. */
  email: string;
  /** `scrypt$N$r$p$saltB64$hashB64`. */
  passwordHash: string;
  enabled: boolean;
  createdAt: string;
  /** When CalDAV access was (last) enabled. */
  enabledAt?: string;
  name?: string;
  timeZone?: string;
  /** A pending one-time onboarding link (lambda/onboarding): only its token's hash is kept. */
  onboarding?: { tokenHash: string; expiresAt: string };
}

export interface UserStore {
  getUser(email: string): Promise<UserRecord | null>;
  putUser(user: UserRecord): Promise<void>;
  /**
   * Writes `user` only if the stored record still holds the onboarding link `tokenHash`: what
   * makes a link single-use when two devices open it at once. False when it did not.
   */
  putUserIfOnboarding(user: UserRecord, tokenHash: string): Promise<boolean>;
  listUsers(): Promise<UserRecord[]>;
  /** False when there was no such user. */
  deleteUser(email: string): Promise<boolean>;
}

export class StoreError extends Error {}
export class PreconditionFailed extends StoreError {
  override name = 'PreconditionFailed';
}
/**
 * The store-side check of a WriteCondition against the object as read (null/undefined: absent),
 * shared by every adapter so they cannot drift.
 */
export function checkCondition(existing: { etag: string } | null | undefined, cond: WriteCondition): void {
  if (cond.ifNoneMatch && existing) throw new PreconditionFailed('object exists');
  if (cond.ifMatch === '*') {
    if (!existing) throw new PreconditionFailed('object does not exist');
  } else if (cond.ifMatch !== undefined && existing?.etag !== cond.ifMatch) {
    throw new PreconditionFailed('etag mismatch');
  }
}

export class NotFound extends StoreError {
  override name = 'NotFound';
}
export class UidConflict extends StoreError {
  override name = 'UidConflict';
  constructor(readonly existingName: string) {
    super(`UID already used by ${existingName}`);
  }
}

/** The object cannot be stored at this size by this backend; nothing was written. */
export class ObjectTooLarge extends StoreError {
  override name = 'ObjectTooLarge';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`calendar object needs ${bytes} bytes, more than the store's ${limit}-byte limit`);
  }
}

/** A write kept losing races against concurrent writers of the same calendar; safe to retry. */
export class WriteContention extends StoreError {
  override name = 'WriteContention';
}

export interface ImportResult {
  /** Names created by this call, in input order. */
  created: string[];
  /** Names skipped because their UID (under any name) or their name was already in the calendar. */
  skipped: string[];
  /** Names refused because the item would exceed the backend's size limit (nothing written for them). */
  tooLarge: string[];
  /** The calendar's sequence number after the call (unchanged when nothing was created). */
  seq: number;
}

/** Bulk creation for the initial export: idempotent, never overwrites. */
export interface ObjectImporter {
  /**
   * Creates each object whose resource name and UID are both free in `owner`'s calendar; others are
   * skipped untouched. Importing the same objects again creates nothing. Each created object gets its
   * own change-log entry (its own seq), exactly as putObject would, atomically with the counter.
   */
  importObjects(owner: string, objects: ObjectWrite[], opts?: Pick<CommitOptions, 'commitAfter'>): Promise<ImportResult>;
  /**
   * For storage that keeps a listing index beside the objects (DynamoDB's summary items): builds
   * it for a calendar written before the index existed. True when the calendar is indexed (or
   * empty), false when a write raced the build (the next call tries again). Absent: nothing to do.
   */
  summarize?(owner: string): Promise<boolean>;
}
