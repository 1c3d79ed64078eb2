/**
 * The CRM port on Zoho CRM's API v8 (Events, Leads, Contacts, users; Tasks in tasks.ts). Zoho holds the CRM-owned
 * fields; what it has no field for stays on our side (the CalDAV link: UID, name, the iCalendar
 * text with its extra alarms, overrides and X- properties, the reminder marks), in the
 * connector's table (state.ts). A phone's write reaches this connector outbox-first, never
 * in the request (sync/delivery.ts), so every call here may take Zoho's time.
 *
 * No duplicates: a create carries the object's identity in a unique custom field (`CalDAV UID`,
 * made when the connection is made, `ensureUidField`); a create retried after a timeout or a crash
 * before our bookkeeping meets Zoho's DUPLICATE_DATA naming the record it made, and updates it.
 */
import { icsToCrmEvent } from '../mapping';
import {
  CrmConflict,
  CrmNotFound,
  CrmUnavailable,
  CrmValidationError,
  eventFieldDefaults,
  type ChangeBatch,
  type CrmConnector,
  type CrmEvent,
  type CrmEventDraft,
  type CrmParticipant,
  type CrmUser,
  type EventRange,
  type PersonMatch,
  type UpsertOptions,
} from '../types';
import type { Priority } from './budget';
import type { ZohoConfig } from './config';
import { errorOf, records, type ZohoAnswer, type ZohoHttp } from './http';
import { EVENT_FIELDS, eventFromZoho, ownerOf, recordForZoho, type ZohoRecord } from './mapping';
import type { FieldsMeta, LinkState, ZohoState, ZohoUser } from './state';
import { readByIds } from './read-by-ids';
import { refuse, refuseOther, written } from './refusals';
import type { ZohoTasks } from './tasks';

export interface ZohoConnectorOptions {
  http: ZohoHttp;
  state: ZohoState;
  config: Pick<ZohoConfig, 'sendNotification'>;
  now?: () => Date;
}

/** How long what we learnt of the org stays true enough. */
const USERS_TTL_MS = 24 * 3600_000;
/** A user not found is looked for again after this (an admin may just have added them in Zoho). */
const USERS_RETRY_MS = 5 * 60_000;
const PERSON_TTL_MS = 24 * 3600_000;
/** Zoho's search index lags new records: an address nobody had is asked again sooner. */
const NOBODY_TTL_MS = 3600_000;
const META_TTL_MS = 24 * 3600_000;
/** Changes a little older than the last seen are read again: clocks differ, commits land out of order. */
export const SKEW_MS = 2 * 60_000;
export const UID_FIELD_LABEL = 'CalDAV UID';
const PAGE = 200;

/**
 * Where a reader of the change feed is: changes modified after `since` are read (Zoho's
 * If-Modified-Since), and `since` trails the newest change seen by SKEW_MS, because Zoho's clock
 * and ours differ and writes commit out of order; what was already handed out within that margin
 * (`seen`: id → Modified_Time; `gone`: id → deletion time) is not handed out again.
 */
interface Cursor {
  since: string;
  seen?: Record<string, string>;
  gone?: Record<string, string>;
  /** Zoho's page token of the list in progress. */
  token?: string;
}

/** The feed's beginning: everything Zoho holds. */
const BEGINNING: Cursor = { since: '1970-01-01T00:00:00.000Z' };
/** A cursor's `seen` entries are bounded; past this the margin's repeats are merely re-applied. */
const MAX_SEEN = 2000;

const parseCursor = (cursor: string | null, now: Date): Cursor => {
  if (!cursor) return BEGINNING;
  try {
    const c = JSON.parse(cursor) as Cursor;
    if (typeof c.since === 'string' && !Number.isNaN(Date.parse(c.since))) return c;
  } catch {
    // Fall through: an unreadable cursor starts from now, as a new reader would.
  }
  return { since: new Date(now.getTime() - SKEW_MS).toISOString() };
};

/** The entries of `all` (id → time) newer than `floor`, at most MAX_SEEN of the newest. */
function within(all: Map<string, string>, floor: number): Record<string, string> {
  const kept = [...all].filter(([, t]) => Date.parse(t) > floor).sort((a, b) => Date.parse(b[1]) - Date.parse(a[1]));
  return Object.fromEntries(kept.slice(0, MAX_SEEN));
}

/** Zoho's If-Modified-Since takes ISO 8601 with an offset, without milliseconds. */
const zohoTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const isDuplicate = (answer: ZohoAnswer) => errorOf(answer.body)?.code === 'DUPLICATE_DATA';

export class ZohoConnector implements CrmConnector {
  private readonly http: ZohoHttp;
  private readonly state: ZohoState;
  private readonly now: () => Date;
  private users: { list: ZohoUser[]; at: number } | null = null;
  private usersAskedAt = 0;
  private meta: FieldsMeta | null = null;
  /** Phone deliveries set this for the calls they make; reads default to sync work. */
  readonly sendsInvitations: boolean;
  /** Zoho's Tasks module (tasks.ts attachZohoTasks), plugged in by the App that syncs tasks. */
  tasks?: ZohoTasks;

  constructor(private readonly opts: ZohoConnectorOptions) {
    this.http = opts.http;
    this.state = opts.state;
    this.now = opts.now ?? (() => new Date());
    this.sendsInvitations = opts.config.sendNotification;
  }

  /** What the Tasks module shares with the events: the API client, our state, the clock. */
  get ports(): { http: ZohoHttp; state: ZohoState; now: () => Date } {
    return { http: this.http, state: this.state, now: this.now };
  }

  // Users.

  /** The org's active users, from our copy; listed again when a day old (the scheduled pass does it first). */
  async orgUsers(force = false): Promise<ZohoUser[]> {
    const now = this.now().getTime();
    if (!force && this.users && now - this.users.at < USERS_TTL_MS) return this.users.list;
    if (!force) {
      const stored = await this.state.users();
      if (stored && now - Date.parse(stored.fetchedAt) < USERS_TTL_MS) {
        this.users = { list: stored.users, at: Date.parse(stored.fetchedAt) };
        return stored.users;
      }
    }
    const list: ZohoUser[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.http.call('GET', '/crm/v8/users', { query: { type: 'ActiveUsers', page, per_page: PAGE }, priority: 'sync' });
      const users = Array.isArray(answer.body?.users) ? (answer.body!.users as Record<string, unknown>[]) : [];
      for (const u of users) {
        if (typeof u.id !== 'string' || typeof u.email !== 'string') continue;
        list.push({ id: u.id, email: u.email.toLowerCase(), name: String(u.full_name ?? u.email), timeZone: String(u.time_zone ?? 'UTC'), active: String(u.status ?? 'active') === 'active' });
      }
      if (!(answer.body?.info as { more_records?: unknown } | undefined)?.more_records) break;
    }
    await this.state.saveUsers(list, new Date(now).toISOString());
    this.users = { list, at: now };
    return list;
  }

  async getUser(email: string): Promise<CrmUser | null> {
    const key = email.trim().toLowerCase();
    let found = (await this.orgUsers()).find((u) => u.email === key);
    // A user added in Zoho since the last listing: list again, but not on every miss.
    if (!found && this.now().getTime() - this.usersAskedAt > USERS_RETRY_MS) {
      this.usersAskedAt = this.now().getTime();
      found = (await this.orgUsers(true)).find((u) => u.email === key);
    }
    return found?.active ? { id: found.id, email: found.email, name: found.name, timeZone: found.timeZone } : null;
  }

  private async userById(id: string): Promise<ZohoUser | null> {
    return (await this.orgUsers()).find((u) => u.id === id) ?? null;
  }

  // Field metadata.

  async fieldsMeta(force = false): Promise<FieldsMeta> {
    const now = this.now().getTime();
    if (!force && this.meta && now - Date.parse(this.meta.fetchedAt) < META_TTL_MS) return this.meta;
    const stored = force ? null : await this.state.fieldsMeta();
    if (stored && now - Date.parse(stored.fetchedAt) < META_TTL_MS) return (this.meta = stored);
    const answer = await this.http.call('GET', '/crm/v8/settings/fields', { query: { module: 'Events' }, priority: 'sync' });
    const fields = Array.isArray(answer.body?.fields) ? (answer.body!.fields as Record<string, unknown>[]) : [];
    const remind = fields.find((f) => f.api_name === 'Remind_At');
    const uid = fields.find((f) => f.field_label === UID_FIELD_LABEL && f.custom_field !== false);
    this.meta = {
      remindAt: String(remind?.data_type ?? '').toUpperCase() === 'ALARM' || remind?.json_type === 'jsonobject' ? 'alarm' : 'reminders',
      uidField: typeof uid?.api_name === 'string' ? uid.api_name : null,
      fetchedAt: new Date(now).toISOString(),
    };
    await this.state.saveFieldsMeta(this.meta);
    return this.meta;
  }

  /** Makes the unique `CalDAV UID` field on Events when the org has none (at connect time); its API name. */
  async ensureUidField(): Promise<string> {
    const meta = await this.fieldsMeta(true);
    if (meta.uidField) return meta.uidField;
    const answer = await this.http.call('POST', '/crm/v8/settings/fields', {
      query: { module: 'Events' },
      body: { fields: [{ field_label: UID_FIELD_LABEL, data_type: 'text', length: 64, unique: { case_sensitive: true }, tooltip: { name: 'static_text', value: 'Set by crm-caldav: which CalDAV object this event is. Do not edit.' } }] },
      priority: 'phone',
    });
    const error = errorOf(answer.body) ?? (Array.isArray(answer.body?.fields) ? errorOf({ data: answer.body!.fields }) : null);
    if (answer.status >= 300 && error?.code !== 'DUPLICATE_DATA') throw new CrmUnavailable(`Zoho did not create the ${UID_FIELD_LABEL} field: ${error?.code ?? answer.status} ${error?.message ?? ''}`.trim());
    const field = (await this.fieldsMeta(true)).uidField;
    if (!field) throw new CrmUnavailable(`Zoho created the ${UID_FIELD_LABEL} field but does not list it`);
    return field;
  }

  // Events.

  /** The port's event for a Zoho record: owner with e-mail, our link, the link text's overrides, participants' e-mails. */
  private async toEvent(record: ZohoRecord, link?: LinkState | null): Promise<CrmEvent | null> {
    const zohoOwner = ownerOf(record);
    if (!zohoOwner) return null;
    const owner = zohoOwner.email ? zohoOwner : await this.userById(zohoOwner.id).then((u) => (u ? { id: u.id, name: u.name, email: u.email } : null));
    if (!owner?.email) return null;
    const id = String(record.id);
    const known = link === undefined ? await this.state.link(id) : link;
    const caldav = known?.caldav ?? null;
    // Zoho writes times in the zone of the user whose token wrote them: shown in the owner's.
    const zone = (await this.getUser(owner.email))?.timeZone ?? 'UTC';
    const event = eventFromZoho(record, { id: owner.id, email: owner.email, name: owner.name }, caldav, [], zone);
    event.Participants = await Promise.all(event.Participants.map((p) => this.withEmail(p)));
    // What Zoho cannot hold lives in our copy of the iCalendar: the overridden instances, and the
    // attendees' answers (Zoho's participant status is its own invitation state).
    if (caldav?.ics) {
      try {
        const ours = await icsToCrmEvent(caldav.ics, { owner: { id: owner.id, email: owner.email, name: owner.name, timeZone: zone }, lookup: async () => null });
        event.Recurrence_Exceptions = ours.Recurrence_Exceptions;
        const answers = new Map(ours.Participants.map((p) => [p.Email.toLowerCase(), p.status]));
        event.Participants = event.Participants.map((p) => (p.status || !answers.get(p.Email.toLowerCase()) ? p : { ...p, status: answers.get(p.Email.toLowerCase())! }));
      } catch {
        // An unreadable copy keeps neither; the next phone write brings them back.
      }
    }
    return event;
  }

  /** Zoho may list a lead, contact or user by id only: its e-mail from the record. */
  private async withEmail(p: CrmParticipant): Promise<CrmParticipant> {
    if (p.Email || p.type === 'email') return p;
    if (p.type === 'user') return { ...p, Email: (await this.userById(p.participant))?.email ?? '' };
    const answer = await this.http.call('GET', `/crm/v8/${p.type === 'lead' ? 'Leads' : 'Contacts'}/${encodeURIComponent(p.participant)}`, { query: { fields: 'Email' }, priority: 'sync' });
    return { ...p, Email: String(records(answer)[0]?.Email ?? '') };
  }

  async getEvent(id: string): Promise<CrmEvent | null> {
    return this.read(id, 'sync');
  }

  /** Null when Zoho has no such record and we never linked it; a deleted linked one comes back as `Deleted`. */
  private async read(id: string, priority: Priority): Promise<CrmEvent | null> {
    const answer = await this.http.call('GET', `/crm/v8/Events/${encodeURIComponent(id)}`, { priority });
    if (answer.status === 204 || answer.status === 404 || errorOf(answer.body)?.code === 'INVALID_DATA') return this.tombstone(id);
    refuseOther(answer, `GET Events/${id}`, 'event');
    const record = records(answer)[0];
    return record ? this.toEvent(record) : this.tombstone(id);
  }

  /**
   * A deleted event we linked: enough of it (owner, link) for the calendar to let go of its
   * object, modified when it was deleted (or found gone: that is when we learnt of it).
   */
  private async tombstone(id: string, known?: LinkState | null): Promise<CrmEvent | null> {
    const link = known === undefined ? await this.state.link(id) : known;
    if (!link) return null;
    let at = link.deletedAt;
    if (!at) {
      at = this.now().toISOString();
      await this.state.buryLink(id, link, at);
    }
    return {
      id,
      Event_Title: '',
      Start_DateTime: at,
      End_DateTime: at,
      ...eventFieldDefaults(),
      Owner: { id: '', email: link.owner, name: link.owner },
      Created_Time: at,
      Modified_Time: at,
      Deleted: true,
      caldav: link.caldav ?? null,
    };
  }

  /**
   * What happened to these events (a notification's ids): the ones Zoho still has, read in
   * batches of 100, and the ones it does not, as deleted. Our own writes coming back change
   * nothing on the phone: the listener finds the calendar already holds them.
   */
  async changesFor(ids: string[]): Promise<Pick<ChangeBatch, 'events' | 'deletedIds'>> {
    const events = await this.getEvents(ids);
    const found = new Set(events.map((e) => e.id));
    return { events, deletedIds: ids.filter((id) => !found.has(id)) };
  }

  /** The records Zoho has, and the deleted ones we linked as `Deleted` (the port's soft deletion). */
  async getEvents(ids: string[]): Promise<CrmEvent[]> {
    return readByIds(ids, { http: this.http, state: this.state, module: 'Events', fields: EVENT_FIELDS, kind: 'event', toRecord: (r, link) => this.toEvent(r, link), tombstone: (id, link) => this.tombstone(id, link) });
  }

  async findEventByUid(ownerEmail: string, uid: string): Promise<CrmEvent | null> {
    const id = await this.state.idByUid(ownerEmail, uid);
    if (!id) return null;
    const event = await this.read(id, 'phone');
    return event && event.caldav?.uid === uid && event.Owner.email === ownerEmail.toLowerCase() ? event : null;
  }

  /**
   * The owner's events overlapping the range (recurring ones whose series started before its
   * end). Zoho cannot filter a list by owner: the org's events are listed, 200 a call, past
   * 2,000 with page tokens, and kept here when they are the owner's.
   */
  async listEvents(ownerEmail: string, range: EventRange = {}): Promise<CrmEvent[]> {
    const owner = await this.getUser(ownerEmail);
    if (!owner) return [];
    const from = range.from === undefined ? -Infinity : Date.parse(range.from);
    const to = range.to === undefined ? Infinity : Date.parse(range.to);
    const mine: ZohoRecord[] = [];
    for (let page = 1, token: string | undefined; ; page++) {
      const answer = await this.http.call('GET', '/crm/v8/Events', { query: { fields: EVENT_FIELDS.join(','), per_page: PAGE, sort_by: 'id', sort_order: 'asc', ...(token ? { page_token: token } : { page }) }, priority: 'bulk' });
      if (answer.status === 204) break;
      refuseOther(answer, 'GET Events', 'event');
      for (const r of records(answer)) {
        if (ownerOf(r)?.id !== owner.id) continue;
        const start = Date.parse(String(r.Start_DateTime ?? ''));
        const end = Date.parse(String(r.End_DateTime ?? r.Start_DateTime ?? ''));
        const recurring = !!(r.Recurring_Activity as { RRULE?: unknown } | null)?.RRULE;
        if (start < to && (recurring || end >= from)) mine.push(r);
      }
      const info = answer.body?.info as { more_records?: unknown; next_page_token?: unknown } | undefined;
      if (!info?.more_records) break;
      // Zoho lists the first 2,000 by page number, what follows by page token only.
      token = typeof info.next_page_token === 'string' ? info.next_page_token : undefined;
      if (!token && page * PAGE >= 2000) throw new CrmUnavailable('Zoho listed 2,000 events and gave no page token for the rest');
    }
    const links = await this.state.links(mine.map((r) => String(r.id)));
    const out: CrmEvent[] = [];
    for (const r of mine) {
      const e = await this.toEvent(r, links.get(String(r.id)) ?? null);
      if (e) out.push(e);
    }
    return out;
  }

  /**
   * Changes after the cursor: events modified since (If-Modified-Since, oldest first, a page per
   * call) and events deleted since. The cursor trails the newest change by SKEW_MS, so a change
   * is read more than once; applying one again writes nothing.
   */
  async listChangesSince(cursor: string | null): Promise<ChangeBatch> {
    const c = parseCursor(cursor, this.now());
    const since = zohoTime(Date.parse(c.since));
    const seen = new Map(Object.entries(c.seen ?? {}));
    const gone = new Map(Object.entries(c.gone ?? {}));
    const [changed, deleted] = await Promise.all([
      this.http.call('GET', '/crm/v8/Events', {
        query: { fields: EVENT_FIELDS.join(','), per_page: PAGE, sort_by: 'Modified_Time', sort_order: 'asc', ...(c.token ? { page_token: c.token } : {}) },
        headers: { 'If-Modified-Since': since },
        priority: 'sync',
      }),
      c.token ? Promise.resolve({ status: 204, body: null }) : this.http.call('GET', '/crm/v8/Events/deleted', { query: { type: 'all', per_page: PAGE }, headers: { 'If-Modified-Since': since }, priority: 'sync' }),
    ]);
    // What this reader was handed before, unchanged, within the margin: not again.
    const changedRecords = (changed.status === 200 ? records(changed) : []).filter((r) => seen.get(String(r.id)) !== String(r.Modified_Time));
    const deletedRecords = (deleted.status === 200 ? records(deleted) : []).filter((r) => !gone.has(String(r.id)));
    if (changed.status >= 400) refuseOther(changed, 'GET Events (changes)', 'event');
    const links = await this.state.links(changedRecords.map((r) => String(r.id)));
    const events: CrmEvent[] = [];
    for (const r of changedRecords) {
      const e = await this.toEvent(r, links.get(String(r.id)) ?? null);
      if (e) events.push(e);
    }
    const info = changed.body?.info as { more_records?: unknown; next_page_token?: unknown } | undefined;
    const newest = Math.max(
      Date.parse(c.since) + SKEW_MS,
      ...changedRecords.map((r) => Date.parse(String(r.Modified_Time))).filter(Number.isFinite),
      ...deletedRecords.map((r) => Date.parse(String(r.deleted_time))).filter(Number.isFinite),
    );
    for (const r of changedRecords) seen.set(String(r.id), String(r.Modified_Time));
    for (const r of deletedRecords) gone.set(String(r.id), String(r.deleted_time ?? c.since));
    const more = info?.more_records && typeof info.next_page_token === 'string';
    const moreDeleted = (deleted.body?.info as { more_records?: unknown } | undefined)?.more_records === true;
    const floor = more ? Date.parse(c.since) : newest - SKEW_MS;
    const next: Cursor = { since: new Date(floor).toISOString(), seen: within(seen, floor), gone: within(gone, floor), ...(more ? { token: String(info!.next_page_token) } : {}) };
    return { events, deletedIds: deletedRecords.map((r) => String(r.id)), nextCursor: JSON.stringify(next), more: !!more || moreDeleted };
  }

  /** Now, less the margin, with what changed within it marked seen: only later changes follow. */
  async latestCursor(): Promise<string> {
    let cursor: string = JSON.stringify({ since: new Date(this.now().getTime() - SKEW_MS).toISOString() } satisfies Cursor);
    // Read the margin's changes once, handing nothing out: to a new reader they are history.
    for (let i = 0; i < 20; i++) {
      const batch = await this.listChangesSince(cursor);
      if (batch.events.length === 0 && batch.deletedIds.length === 0) break;
      cursor = batch.nextCursor;
    }
    return cursor;
  }

  async upsertEvent(draft: CrmEventDraft, opts: UpsertOptions = {}): Promise<CrmEvent> {
    const [owner, known] = await Promise.all([this.getUser(draft.Owner.email), this.fieldsMeta()]);
    if (!owner) throw new CrmValidationError('Owner', `${draft.Owner.email} is not an active Zoho user`);
    // No create without the identity field that makes a retried create find its first attempt.
    const meta = known.uidField || draft.id ? known : { ...known, uidField: await this.ensureUidField() };
    const record = recordForZoho(draft, draft.id ? null : owner.id, { meta, timeZone: owner.timeZone, sendNotification: this.opts.config.sendNotification });
    let id = draft.id;
    let previous = id ? await this.state.link(id) : null;
    let modified: string;
    if (id) {
      await this.afterOurLastWrite(previous);
      modified = await this.update(id, record, opts.ifModified);
    } else {
      const answer = await this.http.call('POST', '/crm/v8/Events', { body: { data: [record], trigger: [] }, priority: 'phone' });
      if (isDuplicate(answer)) {
        // Our own create, made by an earlier attempt whose answer or bookkeeping was lost.
        const details = errorOf(answer.body)!.details as { duplicate_record?: { id?: unknown }; id?: unknown } | undefined;
        id = String(details?.duplicate_record?.id ?? details?.id ?? '');
        if (!id) throw new CrmUnavailable('Zoho reported a duplicate without naming the record');
        previous = await this.state.link(id);
        await this.afterOurLastWrite(previous);
        modified = await this.update(id, record, undefined);
      } else {
        const done = written(answer, 'POST Events', 'event', this.now());
        id = done.id;
        modified = done.modified;
      }
    }
    await this.state.saveLink(id, { owner: owner.email, ...(draft.caldav ? { caldav: draft.caldav } : {}), zohoModified: modified, writtenAt: this.now().getTime() }, previous);
    const created = draft.Created_Time ?? modified;
    return { ...draft, id, Owner: { id: owner.id, email: owner.email, name: owner.name }, Created_Time: created, Modified_Time: modified, Deleted: false, caldav: draft.caldav ?? null } as CrmEvent;
  }

  /**
   * Zoho versions records by the second: a second write within the second of our last would get
   * the same Modified_Time, and an edit made in between could not be told from ours. So our
   * writes of one event are a second apart (the outbox delivers them one at a time anyway).
   */
  private async afterOurLastWrite(link: LinkState | null): Promise<void> {
    const wait = link?.writtenAt === undefined ? 0 : link.writtenAt + 1000 - this.now().getTime();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1000)));
  }

  private async update(id: string, record: ZohoRecord, ifModified: string | undefined): Promise<string> {
    const { Owner: _owner, ...fields } = record;
    const answer = await this.http.call('PUT', `/crm/v8/Events/${encodeURIComponent(id)}`, {
      body: { data: [{ ...fields, id }], trigger: [] },
      headers: ifModified ? { 'If-Unmodified-Since': zohoTime(Date.parse(ifModified)) } : undefined,
      priority: 'phone',
    });
    try {
      return written(answer, `PUT Events/${id}`, 'event', this.now()).modified;
    } catch (err) {
      // The caller re-decides on the record as it is now.
      if (err instanceof CrmConflict) throw new CrmConflict(err.message, (await this.read(id, 'phone')) ?? undefined);
      throw err;
    }
  }

  /**
   * Zoho's DELETE takes no version: with `ifModified` the record is read first and a newer one
   * refused (a race between that read and the delete remains, and is Zoho's to close).
   */
  async deleteEvent(id: string, opts: UpsertOptions = {}): Promise<void> {
    const known = await this.state.link(id);
    if (known?.deletedAt) throw new CrmNotFound(`event ${id} is deleted`);
    // The tombstone needs the owner: from our link, the caller's record, or Zoho's.
    const current = opts.ifModified !== undefined || !known ? (opts.current && opts.ifModified === undefined ? opts.current : await this.read(id, 'phone')) : null;
    if (opts.ifModified !== undefined) {
      if (!current || current.Deleted) throw new CrmNotFound(`Zoho has no event ${id}`);
      if (Date.parse(current.Modified_Time) !== Date.parse(opts.ifModified)) throw new CrmConflict(`DELETE Events/${id}: the event changed in Zoho meanwhile`, current);
    }
    const link: LinkState | null = known ?? (current && !current.Deleted ? { owner: current.Owner.email } : null);
    await this.afterOurLastWrite(known);
    const answer = await this.http.call('DELETE', '/crm/v8/Events', { query: { ids: id, wf_trigger: 'false' }, priority: 'phone' });
    const error = errorOf(answer.body);
    if (error?.code === 'INVALID_DATA' || answer.status === 204) {
      if (link) await this.state.buryLink(id, link, this.now().toISOString());
      throw new CrmNotFound(`Zoho has no event ${id}`);
    }
    if (error) refuse(error, answer.status, `DELETE Events/${id}`, 'event');
    if (link) await this.state.buryLink(id, link, this.now().toISOString());
  }

  // People.

  /** A lead wins over a contact, a contact over a user; the answer (nobody included) is kept a while. */
  async findPersonByEmail(email: string): Promise<PersonMatch | null> {
    const key = email.trim().toLowerCase();
    const now = this.now().getTime();
    const cached = await this.state.person(key);
    if (cached && now - Date.parse(cached.fetchedAt) < (cached.match ? PERSON_TTL_MS : NOBODY_TTL_MS)) return cached.match;
    let match: PersonMatch | null = null;
    for (const [module, type] of [['Leads', 'lead'], ['Contacts', 'contact']] as const) {
      const answer = await this.http.call('GET', `/crm/v8/${module}/search`, { query: { email: key, fields: 'Email,Secondary_Email,First_Name,Last_Name,Full_Name' }, priority: 'phone' });
      if (answer.status === 204) continue;
      refuseOther(answer, `${module} search`, 'event');
      // Zoho's e-mail search matches parts of addresses too: only an exact one counts.
      const hit = records(answer).find((r) => [r.Email, r.Secondary_Email].some((e) => typeof e === 'string' && e.toLowerCase() === key));
      if (hit) {
        const name = String(hit.Full_Name ?? [hit.First_Name, hit.Last_Name].filter(Boolean).join(' '));
        match = { type, id: String(hit.id), email: key, ...(name ? { name } : {}) };
        break;
      }
    }
    if (!match) {
      const user = (await this.orgUsers()).find((u) => u.email === key && u.active);
      if (user) match = { type: 'user', id: user.id, email: key, name: user.name };
    }
    await this.state.savePerson(key, match, new Date(now).toISOString());
    return match;
  }
}
