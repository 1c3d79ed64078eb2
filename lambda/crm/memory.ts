/**
 * In-memory CrmConnector: the reference semantics of the CRM port for unit tests of the sync
 * bridge. `available = false` makes every call throw CrmUnavailable, as a CRM outage would.
 */
import {
  CrmConflict,
  CrmNotFound,
  CrmUnavailable,
  type ChangeBatch,
  type CrmConnector,
  type CrmEvent,
  type CrmEventDraft,
  type CrmPerson,
  type CrmUser,
  type EventRange,
  type PersonMatch,
  type UpsertOptions,
} from './types';

const clone = <T>(v: T): T => structuredClone(v);

/** Epoch ms of a Start/End value; all-day dates count from midnight UTC (good enough for tests). */
const instant = (v: string) => Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);

export class MemoryCrmConnector implements CrmConnector {
  /** Set to false to simulate an outage. */
  available = true;
  /** Calls that reached the CRM while available, by method name. */
  readonly calls: string[] = [];

  private readonly users = new Map<string, CrmUser>();
  private readonly people: CrmPerson[] = [];
  private readonly events = new Map<string, CrmEvent>();
  /** Change feed: (counter, event id); a cursor is the last counter seen. */
  private readonly feed: Array<{ n: number; id: string }> = [];
  private counter = 0;
  private clock: () => Date;

  constructor(opts: { now?: () => Date } = {}) {
    this.clock = opts.now ?? (() => new Date());
  }

  addUser(user: CrmUser): CrmUser {
    this.users.set(user.email.toLowerCase(), { ...user, email: user.email.toLowerCase() });
    return user;
  }

  addPerson(person: CrmPerson): CrmPerson {
    this.people.push(clone(person));
    return person;
  }

  /** Every stored event, soft-deleted ones included (test inspection). */
  allEvents(): CrmEvent[] {
    return [...this.events.values()].map(clone);
  }

  private enter(method: string): void {
    if (!this.available) throw new CrmUnavailable(`CRM unavailable (${method})`);
    this.calls.push(method);
  }

  /** Modified_Time strictly increases per write, so optimistic checks see every change. */
  private stamp(previous?: string): string {
    let t = this.clock().getTime();
    if (previous && Date.parse(previous) >= t) t = Date.parse(previous) + 1;
    return new Date(t).toISOString();
  }

  async listEvents(ownerEmail: string, range: EventRange = {}): Promise<CrmEvent[]> {
    this.enter('listEvents');
    const owner = ownerEmail.toLowerCase();
    return [...this.events.values()]
      .filter((e) => !e.Deleted && e.Owner.email.toLowerCase() === owner)
      .filter((e) => (range.to === undefined || instant(e.Start_DateTime) < Date.parse(range.to)) && (range.from === undefined || e.Recurring_Activity !== null || instant(e.End_DateTime) >= Date.parse(range.from)))
      .map(clone);
  }

  async listChangesSince(cursor: string | null): Promise<ChangeBatch> {
    this.enter('listChangesSince');
    const after = cursor === null ? 0 : Number(cursor);
    const latest = new Map<string, number>();
    for (const { n, id } of this.feed) if (n > after) latest.set(id, n);
    const events: CrmEvent[] = [];
    const deletedIds: string[] = [];
    for (const id of latest.keys()) {
      const e = this.events.get(id);
      if (!e || e.Deleted) deletedIds.push(id);
      else events.push(clone(e));
    }
    return { events, deletedIds, nextCursor: String(this.counter) };
  }

  async latestCursor(): Promise<string> {
    this.enter('latestCursor');
    return String(this.counter);
  }

  async getEvent(id: string): Promise<CrmEvent | null> {
    this.enter('getEvent');
    const e = this.events.get(id);
    return e ? clone(e) : null;
  }

  async getEvents(ids: string[]): Promise<CrmEvent[]> {
    this.enter('getEvents');
    return ids.flatMap((id) => {
      const e = this.events.get(id);
      return e ? [clone(e)] : [];
    });
  }

  async findEventByUid(ownerEmail: string, uid: string): Promise<CrmEvent | null> {
    this.enter('findEventByUid');
    const owner = ownerEmail.toLowerCase();
    for (const e of this.events.values()) {
      if (!e.Deleted && e.caldav?.uid === uid && e.Owner.email.toLowerCase() === owner) return clone(e);
    }
    return null;
  }

  async upsertEvent(draft: CrmEventDraft, opts: UpsertOptions = {}): Promise<CrmEvent> {
    this.enter('upsertEvent');
    const current = draft.id ? this.events.get(draft.id) : undefined;
    if (opts.ifModified !== undefined && current?.Modified_Time !== opts.ifModified) {
      throw new CrmConflict(`event ${draft.id ?? '(new)'} changed since ${opts.ifModified}`, current && clone(current));
    }
    const id = draft.id ?? `ev${++this.counter}`;
    const now = this.stamp(current?.Modified_Time);
    const event: CrmEvent = {
      ...clone(draft),
      id,
      Created_Time: current?.Created_Time ?? draft.Created_Time ?? now,
      Modified_Time: now,
      Deleted: draft.Deleted ?? false,
      caldav: draft.caldav ? clone(draft.caldav) : null,
    };
    this.events.set(id, event);
    this.feed.push({ n: ++this.counter, id });
    return clone(event);
  }

  async deleteEvent(id: string, opts: UpsertOptions = {}): Promise<void> {
    this.enter('deleteEvent');
    const current = this.events.get(id);
    if (!current || current.Deleted) throw new CrmNotFound(`no event ${id}`);
    if (opts.ifModified !== undefined && current.Modified_Time !== opts.ifModified) {
      throw new CrmConflict(`event ${id} changed since ${opts.ifModified}`, clone(current));
    }
    this.events.set(id, { ...current, Deleted: true, Modified_Time: this.stamp(current.Modified_Time) });
    this.feed.push({ n: ++this.counter, id });
  }

  async findPersonByEmail(email: string): Promise<PersonMatch | null> {
    this.enter('findPersonByEmail');
    const key = email.toLowerCase();
    const has = (p: CrmPerson) => [p.Email, p.Secondary_Email].some((e) => e?.toLowerCase() === key);
    for (const module of ['Leads', 'Contacts'] as const) {
      const p = this.people.find((x) => x.module === module && has(x));
      if (p) {
        const name = p.Full_Name ?? [p.First_Name, p.Last_Name].filter(Boolean).join(' ');
        return { type: module === 'Leads' ? 'lead' : 'contact', id: p.id, email: p.Email ?? email, name };
      }
    }
    const u = this.users.get(key);
    return u ? { type: 'user', id: u.id, email: u.email, name: u.name } : null;
  }

  async getUser(email: string): Promise<CrmUser | null> {
    this.enter('getUser');
    const u = this.users.get(email.toLowerCase());
    return u ? clone(u) : null;
  }
}
