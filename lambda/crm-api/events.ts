/**
 * /crm/v1/events and /crm/v1/events/{id}. A user works on the events they own; the admin on
 * everyone's. Every successful write is followed by the listener (CRM → CalDAV); a listener
 * failure is logged, not returned: the CRM write stands and reconciliation catches CalDAV up.
 *
 * Writes are conditional even without If-Match: the connector is given the Modified_Time just
 * read, so `before` handed to the listener is exactly the state that was replaced. A race
 * lost without If-Match is retried on a fresh read; with If-Match it is the client's 409.
 */
import { logLine } from '../platform/log';
import type { CrmEvent, CrmEventListener } from '../crm/types';
import { invalid, json, notFound, ApiError } from '../api/errors';
import { eventDraftFrom, type EventInputMode } from './event-input';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import type { CrmApiDeps } from './types';
import { instantParam, parseJsonObject } from '../api/validate';
import { checkIfMatch, etagOf, exactVersion, ifMatchOf, untilNotRaced } from './versions';

const ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** What clients see: the record without the stored iCalendar (CalDAV's business). */
export function eventJson(e: CrmEvent) {
  const { caldav, ...rest } = e;
  return { ...rest, caldav: caldav ? { uid: caldav.uid, ...(caldav.name ? { name: caldav.name } : {}) } : null };
}

const one = (status: number, e: CrmEvent, extra: Record<string, string> = {}): ApiResponse =>
  json(status, { data: eventJson(e) }, { etag: etagOf(e.Modified_Time), ...extra });

const owns = (caller: Caller, e: CrmEvent) => caller.kind === 'admin' || e.Owner.email.toLowerCase() === caller.email;

export class EventRoutes {
  constructor(private readonly deps: CrmApiDeps) {}

  private get listener(): CrmEventListener | undefined {
    return this.deps.listener;
  }

  private async notify(what: string, run: (l: CrmEventListener) => Promise<unknown>, id: string): Promise<void> {
    if (!this.listener) return;
    try {
      await run(this.listener);
    } catch (err) {
      const log = this.deps.log ?? logLine;
      log('error', 'CRM event listener failed', { what, id, error: err instanceof Error ? { name: err.name, message: err.message } : String(err) });
    }
  }

  /** A live event the caller may see, or 404 (another user's event is not revealed). */
  private async visible(caller: Caller, id: string): Promise<CrmEvent> {
    if (!ID.test(id)) throw notFound(`No event ${id}`);
    const e = await this.deps.crm.getEvent(id);
    if (!e || e.Deleted || !owns(caller, e)) throw notFound(`No event ${id}`);
    return e;
  }

  async list(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    for (const key of Object.keys(req.query)) {
      if (!['owner', 'from', 'to', 'modified_since'].includes(key)) throw invalid(key, `unknown parameter ${key}`);
    }
    const from = instantParam(req.query.from, 'from');
    const to = instantParam(req.query.to, 'to');
    const since = instantParam(req.query.modified_since, 'modified_since');
    if (from && to && from > to) throw invalid('to', 'to is before from');
    if (since && (from || to)) throw invalid('modified_since', 'modified_since cannot be combined with from/to');
    const owners = await this.owners(req.query.owner, caller);
    const lists = await Promise.all(
      owners.map((o) => (since ? this.deps.crm.listEventsModifiedSince(o, since) : this.deps.crm.listEvents(o, { from, to }))),
    );
    const events = lists.flat().sort((a, b) => a.Start_DateTime.localeCompare(b.Start_DateTime) || a.id.localeCompare(b.id));
    return json(200, { data: events.map(eventJson), info: { count: events.length } });
  }

  private async owners(owner: string | undefined, caller: Caller): Promise<string[]> {
    if (caller.kind === 'user') {
      if (owner !== undefined && owner.toLowerCase() !== caller.email) throw new ApiError(403, 'FORBIDDEN', 'Users list their own events only');
      return [caller.email];
    }
    if (owner !== undefined) return [owner.toLowerCase()];
    return (await this.deps.users.listUsers()).map((u) => u.email.toLowerCase());
  }

  async get(caller: Caller, id: string): Promise<ApiResponse> {
    return one(200, await this.visible(caller, id));
  }

  /** POST /events (new id) or POST /events/{id} (the client's id: a retried create cannot duplicate). */
  async create(req: ApiRequest, caller: Caller, id?: string): Promise<ApiResponse> {
    if (id !== undefined && !ID.test(id)) throw invalid('id', 'ids are 1-128 characters of A-Z a-z 0-9 . _ ~ -');
    const body = parseJsonObject(req.body);
    if (id !== undefined && (await this.deps.crm.getEvent(id))) throw new ApiError(409, 'CONFLICT', `Event ${id} already exists`);
    const { draft } = await eventDraftFrom(body, 'create', { caller, crm: this.deps.crm, current: null, id, now: this.now() });
    if (caller.kind === 'user' && draft.Owner.email !== caller.email) throw new ApiError(403, 'FORBIDDEN', 'Users create events they own');
    // The existence check and the create are two calls: the port has no create-only write.
    const after = await this.deps.crm.upsertEvent(draft);
    await this.notify('create', (l) => l.eventSaved(after, null), after.id);
    return one(201, after, { location: `/crm/v1/events/${encodeURIComponent(after.id)}` });
  }

  async update(req: ApiRequest, caller: Caller, id: string, mode: Exclude<EventInputMode, 'create'>): Promise<ApiResponse> {
    const body = parseJsonObject(req.body);
    const wanted = ifMatchOf(req.headers);
    return untilNotRaced(wanted, 'event', async () => {
      const before = await this.visible(caller, id);
      checkIfMatch(wanted, before);
      const { draft } = await eventDraftFrom(body, mode, { caller, crm: this.deps.crm, current: before, now: this.now() });
      const after = await this.deps.crm.upsertEvent(draft, { ifModified: exactVersion(wanted) ?? before.Modified_Time });
      await this.notify('update', (l) => l.eventSaved(after, before), id);
      return one(200, after);
    });
  }

  async remove(req: ApiRequest, caller: Caller, id: string): Promise<ApiResponse> {
    const wanted = ifMatchOf(req.headers);
    return untilNotRaced(wanted, 'event', async () => {
      const before = await this.visible(caller, id);
      checkIfMatch(wanted, before);
      await this.deps.crm.deleteEvent(id, { ifModified: exactVersion(wanted) ?? before.Modified_Time });
      await this.notify('delete', (l) => l.eventDeleted(before), id);
      return json(204, null);
    });
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

