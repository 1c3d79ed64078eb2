/**
 * Outbox-first delivery, the mode of a CRM reached over the network: a memory CRM stands in for
 * it behind buildApp's `hostedCrm`, on DynamoDB Local, through the local server and real HTTP.
 * The phone's write and its outbox entry commit in one transaction and the phone gets its answer
 * without the CRM being asked; the in-process worker (or the scheduled replay) delivers later,
 * in order per event, exactly once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { hashPassword } from '../../lambda/accounts/passwords';
import type { App } from '../../lambda/app/app';
import { buildApp } from '../../lambda/app/build';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import type { CrmConnector, CrmEventDraft } from '../../lambda/crm/types';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { basic } from '../helpers/server';

const OWNER = { id: 'u-ana', email: 'ana@remote.example', name: 'Ana', timeZone: 'Europe/Berlin' };
const PASSWORD = 'ana-app-password-0123';
const ics = (uid: string, summary: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

/** A CRM whose every call waits while the gate is shut, as a CRM that does not answer; calls are counted. */
class GatedCrm {
  readonly crm = new MemoryCrmConnector();
  /** Titles written, in the order the CRM received them; `+` marks a create. */
  readonly writes: string[] = [];
  calls = 0;
  private open: Promise<void> = Promise.resolve();
  private release: () => void = () => {};

  shut(): void {
    this.open = new Promise((resolve) => (this.release = resolve));
  }
  reopen(): void {
    this.release();
    this.open = Promise.resolve();
  }

  connector(): CrmConnector {
    return new Proxy(this.crm, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          this.calls++;
          await this.open;
          if (prop === 'upsertEvent') {
            const draft = args[0] as CrmEventDraft;
            this.writes.push(`${draft.id ? '' : '+'}${draft.Event_Title}`);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}

let t: TestTables;
let gated: GatedCrm;
let app: App;
let server: LocalServer;

async function send(method: 'PUT' | 'DELETE', name: string, body = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}calendars/${OWNER.email}/crm/${name}`, {
    method,
    headers: { authorization: basic(OWNER.email, PASSWORD), ...(body ? { 'content-type': 'text/calendar' } : {}), ...headers },
    body: body || undefined,
  });
  return { status: res.status, etag: res.headers.get('etag') };
}

const events = () => gated.crm.allEvents().filter((e) => !e.Deleted);

beforeAll(async () => {
  t = await freshTables();
  gated = new GatedCrm();
  gated.crm.addUser(OWNER);
  app = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: t.doc, tables: t.tables, hostedCrm: gated.connector(), retryDelaysMs: [20, 40] });
  await app.users.putUser({ email: OWNER.email, passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), enabled: true, createdAt: '2026-12-01T00:00:00.000Z', enabledAt: '2026-12-01T00:00:00.000Z' });
  server = await startLocalServer({ port: 0, app });
});

afterEach(async () => {
  gated.reopen();
  gated.crm.available = true;
  await app.crm!.idle();
});

afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

describe('outbox-first delivery to a CRM elsewhere', () => {
  it('is what the App wires for a hosted CRM: the outbox joins the calendar transaction', () => {
    expect(app.crm?.delivery).toBe('outbox-first');
  });

  it('the phone gets its answer while the CRM does not answer; the entry committed with the write; the change arrives after', async () => {
    gated.shut();
    const callsBefore = gated.calls;
    const created = await send('PUT', 'a.ics', ics('A', 'while the CRM sleeps'));
    expect(created.status).toBe(201);
    // The request asked the CRM nothing it waited for, and the entry is there already.
    expect(await app.crm!.outbox.list(OWNER.email)).toEqual([expect.objectContaining({ name: 'a.ics', uids: ['A'], attempts: 0, lastError: null })]);
    expect(events()).toEqual([]);
    gated.reopen();
    await app.crm!.idle();
    expect(gated.calls).toBeGreaterThan(callsBefore);
    expect(events().map((e) => [e.Event_Title, e.caldav?.name])).toEqual([['while the CRM sleeps', 'a.ics']]);
    expect(await app.crm!.outbox.list(OWNER.email)).toEqual([]);
  });

  it('edits made while the CRM sleeps arrive in order, the event created once', async () => {
    gated.shut();
    gated.writes.length = 0;
    let etag = (await send('PUT', 'b.ics', ics('B', 'v1'))).etag!;
    for (const v of ['v2', 'v3', 'v4']) etag = (await send('PUT', 'b.ics', ics('B', v), { 'if-match': etag })).etag!;
    gated.reopen();
    await app.crm!.idle();
    expect(events().filter((e) => e.caldav?.uid === 'B').map((e) => e.Event_Title)).toEqual(['v4']);
    // One create, and no write older than one before it.
    expect(gated.writes.filter((w) => w.startsWith('+'))).toHaveLength(1);
    const order = gated.writes.map((w) => Number(w.replace(/^\+?v/, '')));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(order.at(-1)).toBe(4);
  });

  it('a create and a delete both waiting leave the CRM without the event; a delete of a delivered event deletes it', async () => {
    gated.shut();
    expect((await send('PUT', 'c.ics', ics('C', 'short-lived'))).status).toBe(201);
    expect((await send('DELETE', 'c.ics')).status).toBe(204);
    gated.reopen();
    await app.crm!.idle();
    expect(events().some((e) => e.caldav?.uid === 'C')).toBe(false);

    expect((await send('PUT', 'd.ics', ics('D', 'to go'))).status).toBe(201);
    await app.crm!.idle();
    expect(events().some((e) => e.caldav?.uid === 'D')).toBe(true);
    expect((await send('DELETE', 'd.ics')).status).toBe(204);
    await app.crm!.idle();
    expect(events().some((e) => e.caldav?.uid === 'D')).toBe(false);
  });

  it('a CRM that refuses stays pending with its error after the in-process retries; the scheduled replay delivers once it is back', async () => {
    gated.crm.available = false;
    expect((await send('PUT', 'e.ics', ics('E', 'during the outage'))).status).toBe(201);
    await app.crm!.idle();
    const status = await app.crm!.status(OWNER.email);
    expect(status.users[0]).toMatchObject({ pending: 1, attempts: 3, lastError: { name: 'e.ics', message: expect.stringContaining('CrmUnavailable') } });
    gated.crm.available = true;
    expect(await app.crm!.retry(OWNER.email)).toEqual({ delivered: 1, failed: 0, superseded: 0 });
    expect(events().filter((e) => e.caldav?.uid === 'E').map((e) => e.Event_Title)).toEqual(['during the outage']);
  });

  it('deliveries racing each other (worker, replay, another container) make one event', async () => {
    gated.shut();
    expect((await send('PUT', 'f.ics', ics('F', 'raced'))).status).toBe(201);
    const other = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: t.doc, tables: t.tables, hostedCrm: gated.connector() });
    const racing = [app.crm!.retry(OWNER.email), other.crm!.deliver({ owner: OWNER.email, name: 'f.ics' }), other.crm!.retry()];
    gated.reopen();
    await Promise.all([...racing, app.crm!.idle()]);
    await app.crm!.retry(OWNER.email);
    expect(events().filter((e) => e.caldav?.uid === 'F')).toHaveLength(1);
    expect(await app.crm!.outbox.list(OWNER.email)).toEqual([]);
  });

  it('the entry and the calendar write are one transaction: without the outbox table nothing is stored', async () => {
    const broken = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: t.doc, tables: { ...t.tables, outbox: `${t.tables.outbox}-missing` }, hostedCrm: gated.connector() });
    const before = await app.store.getCalendar(OWNER.email);
    const brokenServer = await startLocalServer({ port: 0, app: broken });
    try {
      const res = await fetch(`${brokenServer.url}calendars/${OWNER.email}/crm/g.ics`, {
        method: 'PUT',
        headers: { authorization: basic(OWNER.email, PASSWORD), 'content-type': 'text/calendar' },
        body: ics('G', 'cannot be queued'),
      });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      await brokenServer.stop();
    }
    expect(await app.store.getObject(OWNER.email, 'g.ics')).toBeNull();
    expect((await app.store.getCalendar(OWNER.email)).seq).toBe(before.seq);
  });
});
