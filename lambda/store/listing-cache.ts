/**
 * A per-container cache in front of any CalendarStore: each calendar's listing, labelled with the
 * sequence number it is known at, and objects' text by ETag. A request that read the calendar's
 * counter (the one key read every listing already makes) passes that number as `atSeq`; the
 * listing is then answered from memory, brought up to date from the change log's summaries
 * when the calendar moved on, and read in full only when the log cannot say (expired, or
 * entries logged without summaries). calendar-query picks its candidates from the cached ranges
 * and reads only the texts it has not seen at that ETag. CalendarServer keeps a response cache
 * for the same reason; ours is smaller because the counter already says what changed.
 *
 * Why it stays correct with other writers (other Lambda containers): a cached listing holds,
 * for every name, a state at least as new as its label (it was read after the counter, or
 * patched from the log). Replaying the log from the label to `atSeq` sets every name changed in
 * between to its state at `atSeq`, and leaves the others, unchanged since the label, as they
 * are. A response may so show a write newer than its token, never miss one older: a client
 * hears of such a write again at its next sync, which RFC 6578 allows.
 */
import {
  summaryOf,
  type CalendarMeta,
  type CalendarStore,
  type Change,
  type CommitOptions,
  type DeleteResult,
  type PutResult,
  type ImportResult,
  type ObjectImporter,
  type ObjectSummary,
  type ObjectWrite,
  type ReadOptions,
  type StoredObject,
  type WriteCondition,
} from './types';

export interface ListingCacheLimits {
  /** Summaries kept over all calendars; least recently used calendars go first. */
  maxSummaries?: number;
  /** UTF-8 bytes of object text kept; least recently used objects go first. */
  maxTextBytes?: number;
}

/** ~200 bytes a summary: about 20 MB for the listings, plus the texts' bound. */
const DEFAULT_MAX_SUMMARIES = 100_000;
const DEFAULT_MAX_TEXT_BYTES = 32 * 1024 * 1024;

interface Listing {
  seq: number;
  byName: Map<string, ObjectSummary>;
}

type Inner = CalendarStore & ObjectImporter;

export class ListingCache implements CalendarStore, ObjectImporter {
  private readonly listings = new LruMap<string, Listing>();
  private summaries = 0;
  private readonly texts = new LruMap<string, StoredObject>();
  private textBytes = 0;
  private readonly maxSummaries: number;
  private readonly maxTextBytes: number;

  constructor(
    private readonly inner: Inner,
    limits: ListingCacheLimits = {},
  ) {
    this.maxSummaries = limits.maxSummaries ?? DEFAULT_MAX_SUMMARIES;
    this.maxTextBytes = limits.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  }

  async listObjects(owner: string, atSeq?: number): Promise<ObjectSummary[]> {
    const listing = atSeq === undefined ? null : await this.listingAt(owner, atSeq);
    return listing ? [...listing.byName.values()] : this.inner.listObjects(owner);
  }

  async findInRange(owner: string, start: number | null, end: number | null, atSeq?: number): Promise<StoredObject[]> {
    // A cold listing comes from the summaries (a tenth of the objects' weight); then only the
    // candidates' texts are read.
    const listing = atSeq === undefined ? null : await this.listingAt(owner, atSeq);
    if (!listing) return this.inner.findInRange(owner, start, end);
    const wanted = [...listing.byName.values()].filter((s) => overlaps(s, start, end));
    const found: StoredObject[] = [];
    const missing: string[] = [];
    for (const summary of wanted) {
      const text = this.texts.get(textKey(owner, summary.name, summary.etag));
      if (text) found.push(text);
      else missing.push(summary.name);
    }
    if (missing.length && readsWholeCheaper(missing.map((name) => listing.byName.get(name)!), listing)) {
      // Most of the calendar, in small items: one Query of all objects costs fewer read units.
      const objects = await this.inner.findInRange(owner, start, end);
      for (const object of objects) this.rememberText(owner, object);
      return objects;
    }
    if (missing.length) {
      // Read now, these may be newer than the listing: still a state no older than `atSeq`.
      for (const object of await this.inner.getObjects(owner, missing)) {
        this.rememberText(owner, object);
        found.push(object);
      }
    }
    return found;
  }

  getCalendar(owner: string): Promise<CalendarMeta> {
    return this.inner.getCalendar(owner);
  }

  patchCalendarProps(owner: string, set: Record<string, string>, remove: string[]): Promise<void> {
    return this.inner.patchCalendarProps(owner, set, remove);
  }

  getObject(owner: string, name: string): Promise<StoredObject | null> {
    return this.inner.getObject(owner, name);
  }

  getObjects(owner: string, names: string[]): Promise<StoredObject[]> {
    return this.inner.getObjects(owner, names);
  }

  findNameByUid(owner: string, uid: string): Promise<string | null> {
    return this.inner.findNameByUid(owner, uid);
  }

  uidDeletedAt(owner: string, uid: string): Promise<string | null> {
    return this.inner.uidDeletedAt(owner, uid);
  }

  changesSince(owner: string, since: number, atSeq?: number | Promise<number>, opts?: ReadOptions): Promise<Change[] | null> {
    return this.inner.changesSince(owner, since, atSeq, opts);
  }

  async deleteCalendar(owner: string): Promise<number> {
    const cached = this.listings.peek(owner);
    if (cached) {
      this.summaries -= cached.byName.size;
      this.listings.delete(owner);
    }
    return this.inner.deleteCalendar(owner);
  }

  importObjects(owner: string, objects: ObjectWrite[], opts?: Pick<CommitOptions, 'commitAfter'>): Promise<ImportResult> {
    return this.inner.importObjects(owner, objects, opts);
  }

  async summarize(owner: string): Promise<boolean> {
    return (await this.inner.summarize?.(owner)) ?? true;
  }

  /** A write of this container's own moves the listing along when it is the only change since. */
  async putObject(owner: string, obj: ObjectWrite, cond?: WriteCondition, opts?: CommitOptions): Promise<PutResult> {
    const result = await this.inner.putObject(owner, obj, cond, opts);
    this.advance(owner, result.seq, { seq: result.seq, name: obj.name, deleted: false, summary: summaryOf(obj) });
    this.rememberText(owner, obj);
    return result;
  }

  async deleteObject(owner: string, name: string, cond?: WriteCondition, opts?: CommitOptions): Promise<DeleteResult> {
    const result = await this.inner.deleteObject(owner, name, cond, opts);
    this.advance(owner, result.seq, { seq: result.seq, name, deleted: true });
    return result;
  }

  /** The listing at `atSeq` or newer per name; null when the caller's number is older than ours. */
  private async listingAt(owner: string, atSeq: number): Promise<Listing | null> {
    const cached = this.listings.get(owner);
    if (cached && cached.seq === atSeq) return cached;
    if (cached && cached.seq > atSeq) return null; // a request that read the counter before another's write
    if (cached) {
      const log = await this.inner.changesSince(owner, cached.seq, atSeq);
      if (log && log.every((c) => c.deleted || c.summary)) {
        // Another request may have moved it on meanwhile: then it is already at `atSeq` or newer.
        if (cached.seq < atSeq) {
          const counted = this.listings.peek(owner) === cached;
          const before = cached.byName.size;
          for (const change of log) apply(cached, change);
          cached.seq = atSeq;
          if (counted) this.summaries += cached.byName.size - before;
          this.trim();
        }
        return cached;
      }
    }
    const objects = await this.inner.listObjects(owner);
    const listing: Listing = { seq: atSeq, byName: new Map(objects.map((o) => [o.name, summaryOf(o)])) };
    this.replace(owner, listing);
    return listing;
  }

  private advance(owner: string, seq: number, change: Change): void {
    const cached = this.listings.peek(owner);
    if (!cached || cached.seq !== seq - 1) return;
    const before = cached.byName.size;
    apply(cached, change);
    cached.seq = seq;
    this.summaries += cached.byName.size - before;
    this.trim();
  }

  private replace(owner: string, listing: Listing): void {
    const old = this.listings.peek(owner);
    if (old) this.summaries -= old.byName.size;
    this.listings.set(owner, listing);
    this.summaries += listing.byName.size;
    this.trim();
  }

  private trim(): void {
    while (this.summaries > this.maxSummaries) {
      const oldest = this.listings.shift();
      if (!oldest) break;
      this.summaries -= oldest.byName.size;
    }
  }

  private rememberText(owner: string, object: StoredObject): void {
    if (object.size > this.maxTextBytes) return;
    const key = textKey(owner, object.name, object.etag);
    if (this.texts.peek(key)) return;
    this.texts.set(key, object);
    this.textBytes += object.size;
    while (this.textBytes > this.maxTextBytes) {
      const oldest = this.texts.shift();
      if (!oldest) break;
      this.textBytes -= oldest.size;
    }
  }
}

function apply(listing: Listing, change: Change): void {
  if (change.deleted) listing.byName.delete(change.name);
  else if (change.summary) listing.byName.set(change.name, change.summary);
}

/** What an object item weighs beside its text (keys, ETag, UID, times, ranges), roughly. */
const ITEM_OVERHEAD_BYTES = 300;
const READ_UNIT_BYTES = 4096;

/**
 * Whether reading every object (one Query: its items' bytes together, in 4 KB units) costs
 * fewer read units than fetching `wanted` by key (each item at least one unit). A month of a
 * calendar holding a few months of small events is read whole; of a year's, by key.
 */
function readsWholeCheaper(wanted: ObjectSummary[], listing: Listing): boolean {
  const units = (bytes: number) => Math.ceil(bytes / READ_UNIT_BYTES);
  const byKey = wanted.reduce((n, s) => n + units(s.size + ITEM_OVERHEAD_BYTES), 0);
  let all = 0;
  for (const s of listing.byName.values()) all += s.size + ITEM_OVERHEAD_BYTES;
  return units(all) < byKey;
}

/** The store's own range prefilter, on a summary: null bounds are unbounded. */
function overlaps(s: ObjectSummary, start: number | null, end: number | null): boolean {
  if (start !== null && s.rangeEnd !== null && s.rangeEnd <= start) return false;
  if (end !== null && s.rangeStart !== null && s.rangeStart >= end) return false;
  return true;
}

/** Owner and name too: an ETag is a hash of the text, and the same text may sit in two calendars. */
const textKey = (owner: string, name: string, etag: string): string => `${owner}\n${name}\n${etag}`;

/** A Map in least-recently-used order: `get` refreshes, `peek` does not, `shift` drops the oldest. */
class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
  }

  /** Removes and returns the least recently used value. */
  shift(): V | undefined {
    const first = this.map.entries().next();
    if (first.done) return undefined;
    this.map.delete(first.value[0]);
    return first.value[1];
  }
}
