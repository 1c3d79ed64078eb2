/**
 * In-memory CalendarStore and UserStore: the reference semantics of the storage port, used by
 * unit tests of the protocol layer. The DynamoDB adapter passes the same contract suite.
 */
import { ImportTally, firstOfEach, indexed } from './import';
import {
  NotFound,
  checkCondition,
  summaryOf,
  UidConflict,
  type CalendarMeta,
  type CalendarStore,
  type CommitOptions,
  type DeleteResult,
  type PutResult,
  type Change,
  type ImportResult,
  type ObjectImporter,
  type ObjectSummary,
  type ObjectWrite,
  type StoredObject,
  type UserRecord,
  type UserStore,
  type WriteCondition,
} from './types';

interface Calendar {
  seq: number;
  props: Record<string, string>;
  objects: Map<string, StoredObject>;
  log: Change[];
  /** Entries with seq <= this have expired. */
  expiredThrough: number;
  /** Deleted UIDs not held again, with when. */
  deletedUids: Map<string, string>;
}

export class MemoryCalendarStore implements CalendarStore, ObjectImporter {
  private readonly calendars = new Map<string, Calendar>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private calendar(owner: string): Calendar {
    let cal = this.calendars.get(owner);
    if (!cal) {
      cal = { seq: 0, props: {}, objects: new Map(), log: [], expiredThrough: 0, deletedUids: new Map() };
      this.calendars.set(owner, cal);
    }
    return cal;
  }

  async getCalendar(owner: string): Promise<CalendarMeta> {
    const cal = this.calendar(owner);
    return { seq: cal.seq, props: { ...cal.props } };
  }

  async patchCalendarProps(owner: string, set: Record<string, string>, remove: string[]) {
    const cal = this.calendar(owner);
    Object.assign(cal.props, set);
    for (const name of remove) delete cal.props[name];
  }

  async listObjects(owner: string): Promise<ObjectSummary[]> {
    return [...this.calendar(owner).objects.values()].map(summaryOf);
  }

  async getObject(owner: string, name: string) {
    return this.calendar(owner).objects.get(name) ?? null;
  }

  async getObjects(owner: string, names: string[]) {
    const objects = this.calendar(owner).objects;
    return [...new Set(names)].flatMap((n) => objects.get(n) ?? []);
  }

  async findInRange(owner: string, start: number | null, end: number | null) {
    return [...this.calendar(owner).objects.values()].filter(
      (o) =>
        (start === null || o.rangeEnd === null || o.rangeEnd > start) &&
        (end === null || o.rangeStart === null || o.rangeStart < end),
    );
  }

  async findNameByUid(owner: string, uid: string) {
    return this.holderOf(this.calendar(owner), uid);
  }

  private holderOf(cal: Calendar, uid: string): string | null {
    for (const o of cal.objects.values()) if (o.uid === uid) return o.name;
    return null;
  }

  async uidDeletedAt(owner: string, uid: string) {
    return this.calendar(owner).deletedUids.get(uid) ?? null;
  }

  /** Nothing else lives in memory with the calendar: no participant joins, nothing is `carried`. */
  async putObject(owner: string, obj: ObjectWrite, cond: WriteCondition = {}, opts: CommitOptions = {}): Promise<PutResult> {
    // Waited for first: what follows runs without a pause, so check and write are atomic.
    await opts.commitAfter;
    const cal = this.calendar(owner);
    const existing = cal.objects.get(obj.name);
    checkCondition(existing, cond);
    const holder = this.holderOf(cal, obj.uid);
    if (holder !== null && holder !== obj.name) throw new UidConflict(holder);
    cal.objects.set(obj.name, { ...obj });
    cal.deletedUids.delete(obj.uid);
    const seq = this.append(cal, obj.name, obj);
    return { created: !existing, seq, carried: false };
  }

  async deleteObject(owner: string, name: string, cond: WriteCondition = {}, opts: CommitOptions = {}): Promise<DeleteResult> {
    await opts.commitAfter;
    const cal = this.calendar(owner);
    const existing = cal.objects.get(name);
    if (!existing) throw new NotFound(name);
    checkCondition(existing, cond);
    cal.objects.delete(name);
    cal.deletedUids.set(existing.uid, this.now().toISOString());
    return { seq: this.append(cal, name), uid: existing.uid, carried: false };
  }

  async changesSince(owner: string, since: number, atSeq?: number | Promise<number>): Promise<Change[] | null> {
    const cal = this.calendar(owner);
    const current = (await atSeq) ?? cal.seq;
    if (since > current || since < cal.expiredThrough) return null;
    return cal.log.filter((c) => c.seq > since && c.seq <= current);
  }

  /** No size limit here, so nothing is ever `tooLarge`; no await past the gate, so it is atomic. */
  async importObjects(owner: string, objects: ObjectWrite[], opts: Pick<CommitOptions, 'commitAfter'> = {}): Promise<ImportResult> {
    await opts.commitAfter;
    const cal = this.calendar(owner);
    const tally = new ImportTally(objects);
    const { kept, duplicates } = firstOfEach(indexed(objects));
    tally.mark(duplicates, 'skipped');
    const heldUids = new Set([...cal.objects.values()].map((o) => o.uid));
    for (const entry of kept) {
      if (cal.objects.has(entry.obj.name) || heldUids.has(entry.obj.uid) || cal.deletedUids.has(entry.obj.uid)) {
        tally.mark([entry], 'skipped');
        continue;
      }
      cal.objects.set(entry.obj.name, { ...entry.obj });
      this.append(cal, entry.obj.name, entry.obj);
      tally.mark([entry], 'created');
    }
    return tally.result(cal.seq);
  }

  async deleteCalendar(owner: string): Promise<number> {
    const cal = this.calendar(owner);
    const removed = cal.objects.size;
    cal.objects.clear();
    cal.deletedUids.clear();
    cal.props = {};
    cal.log = [];
    cal.seq += 1;
    cal.expiredThrough = cal.seq;
    return removed;
  }

  /** Test hook: simulates TTL expiry of change-log entries up to and including `seq`. */
  expireChangesThrough(owner: string, seq: number) {
    const cal = this.calendar(owner);
    cal.log = cal.log.filter((c) => c.seq > seq);
    cal.expiredThrough = Math.max(cal.expiredThrough, seq);
  }

  /** `written`: what a put stores; absent for a deletion. */
  private append(cal: Calendar, name: string, written?: ObjectSummary) {
    cal.seq += 1;
    cal.log.push({ seq: cal.seq, name, deleted: !written, ...(written ? { summary: summaryOf(written) } : {}) });
    return cal.seq;
  }
}

export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, UserRecord>();
  async getUser(email: string) {
    return this.users.get(email.toLowerCase()) ?? null;
  }
  async putUser(user: UserRecord) {
    const email = user.email.toLowerCase();
    this.users.set(email, { ...user, email });
  }
  async putUserIfOnboarding(user: UserRecord, tokenHash: string) {
    if (this.users.get(user.email.toLowerCase())?.onboarding?.tokenHash !== tokenHash) return false;
    await this.putUser(user);
    return true;
  }
  async listUsers() {
    return [...this.users.values()];
  }
  async deleteUser(email: string) {
    return this.users.delete(email.toLowerCase());
  }
}
