/**
 * The sync bridge wired as in production, on memory parts: phone requests go through the core
 * methods with the bridge's change hook; "CRM API" writes go to the connector and then to the
 * listener, as the REST API does.
 */
import { readFileSync } from 'node:fs';
import { DavError } from '../../lambda/core/errors';
import { deleteMethod } from '../../lambda/core/methods/delete';
import { put } from '../../lambda/core/methods/put';
import { errorResponse } from '../../lambda/core/responses';
import { DEFAULT_CONFIG, type DavContext, type CoreMethod, type DavResponse } from '../../lambda/core/types';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import { eventFieldDefaults, type CrmEvent, type CrmEventDraft, type CrmUser } from '../../lambda/crm/types';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';
import { crmChangeHook } from '../../lambda/sync/crm-change-hook';
import { crmToCaldav } from '../../lambda/sync/crm-to-caldav';
import { MemoryOutbox } from '../../lambda/sync/outbox';
import { retryPending } from '../../lambda/sync/delivery';

export const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/crm/${name}`, import.meta.url), 'utf8');

export const OLIVIA: CrmUser = {
  id: 'u1',
  email: 'olivia@crm.example',
  name: 'Olivia Owner',
  timeZone: 'America/Los_Angeles',
};
export const UMA: CrmUser = { ...OLIVIA, id: 'u2', email: 'uma@crm.example', name: 'Uma User', timeZone: 'Europe/Berlin' };
/** A CRM user who never turned CalDAV on. */
export const NED: CrmUser = { ...OLIVIA, id: 'u3', email: 'ned@crm.example', name: 'Ned NoDav' };

export const NOW = new Date('2024-04-05T12:00:00Z');

export { lineDiff, lines } from '../crm/mapping/helpers';

export const path = (name: string, owner = OLIVIA.email) => `/calendars/${owner}/crm/${name}`;

export function makeWorld() {
  let clock = NOW.getTime();
  const now = () => new Date(clock);
  const inner = new MemoryCalendarStore();
  const crm = new MemoryCrmConnector({ now });
  const outbox = new MemoryOutbox();
  for (const u of [OLIVIA, UMA, NED]) crm.addUser(u);
  // CalDAV accounts: Ned is in the CRM but never turned CalDAV on.
  const users = new MemoryUserStore();
  for (const u of [OLIVIA, UMA]) void users.putUser({ email: u.email, passwordHash: '', enabled: true, createdAt: '2024-01-01T00:00:00Z', enabledAt: '2024-01-01T00:00:00Z' });
  crm.addPerson({ id: 'L1', module: 'Leads', First_Name: 'Larry', Last_Name: 'Lead', Email: 'larry@acme.example' });
  crm.addPerson({ id: 'C1', module: 'Contacts', First_Name: 'Carla', Last_Name: 'Contact', Email: 'carla@acme.example' });
  const onObjectChange = crmChangeHook({ store: inner, crm, outbox, now, delivery: 'after-commit' });
  const listener = crmToCaldav({ store: inner, users, crm, outbox, now });

  const ctx = (email: string): DavContext => ({ user: { email }, store: inner, config: DEFAULT_CONFIG, now, onObjectChange });
  async function call(method: CoreMethod, email: string, req: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<DavResponse> {
    try {
      return await method({ headers: {}, body: '', ...req }, ctx(email));
    } catch (err) {
      if (err instanceof DavError) return errorResponse(err);
      throw err;
    }
  }

  return {
    inner,
    users,
    crm,
    outbox,
    store: inner,
    listener,
    now,
    tick(ms = 60_000) {
      clock += ms;
    },
    phone: {
      put: (name: string, body: string, headers: Record<string, string> = {}, owner = OLIVIA.email) =>
        call(put, owner, { method: 'PUT', path: path(name, owner), body, headers: { 'content-type': 'text/calendar', ...headers } }),
      delete: (name: string, headers: Record<string, string> = {}, owner = OLIVIA.email) =>
        call(deleteMethod, owner, { method: 'DELETE', path: path(name, owner), headers }),
      get: (name: string, owner = OLIVIA.email) => inner.getObject(owner, name),
    },
    /** What the CRM REST API does: write, then tell the listener. */
    api: {
      async save(draft: CrmEventDraft): Promise<CrmEvent> {
        const before = draft.id ? await crm.getEvent(draft.id) : null;
        const after = await crm.upsertEvent(draft);
        await listener.eventSaved(after, before);
        return after;
      },
      async remove(id: string): Promise<void> {
        const before = (await crm.getEvent(id))!;
        await crm.deleteEvent(id);
        await listener.eventDeleted(before);
      },
    },
    retry: () => retryPending({ store: inner, crm, outbox, now }),
    /** The single live CRM event (fails the test when there is not exactly one). */
    async onlyEvent(owner = OLIVIA.email): Promise<CrmEvent> {
      const events = await crm.listEvents(owner);
      if (events.length !== 1) throw new Error(`expected one CRM event of ${owner}, found ${events.length}`);
      return events[0]!;
    },
  };
}

export type World = ReturnType<typeof makeWorld>;

/** A CRM-side draft of a new event owned by `owner`. */
export function draft(owner: CrmUser, fields: Partial<CrmEventDraft> = {}): CrmEventDraft {
  return {
    Event_Title: 'Pricing call',
    Start_DateTime: '2024-04-12T09:00:00-07:00',
    End_DateTime: '2024-04-12T09:30:00-07:00',
    ...eventFieldDefaults(),
    Owner: { id: owner.id, email: owner.email, name: owner.name },
    caldav: null,
    ...fields,
  };
}
