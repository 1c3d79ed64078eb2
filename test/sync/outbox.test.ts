import { describe, expect, it } from 'vitest';
import { CrmValidationError } from '../../lambda/crm/types';
import { formatStatus, syncStatus } from '../../lambda/sync/status';
import { OLIVIA, fixture, makeWorld } from './harness';

const NAME = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C.ics';

describe('CRM outage during phone writes', () => {
  it('the PUT succeeds, the outbox holds it, status shows it, and retryPending delivers it once', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    w.crm.available = false;
    const res = await w.phone.put(NAME, ics, { 'if-none-match': '*' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBeDefined();
    expect((await w.phone.get(NAME))?.ics).toBe(ics);

    const status = await syncStatus(w.outbox);
    expect(status).toMatchObject({ pending: 1, oldestPendingSince: '2024-04-05T12:00:00.000Z' });
    expect(status.users).toEqual([
      { owner: OLIVIA.email, pending: 1, oldestPendingSince: '2024-04-05T12:00:00.000Z', attempts: 1, lastError: { at: '2024-04-05T12:00:00.000Z', name: NAME, message: expect.stringContaining('CrmUnavailable') } },
    ]);
    expect(formatStatus(status)[0]).toContain('1 calendar object(s) waiting');

    // Still down: the replay fails, counts the attempt and keeps the entry.
    w.tick();
    expect(await w.retry()).toEqual({ delivered: 0, failed: 1, superseded: 0 });
    expect((await syncStatus(w.outbox)).users[0]).toMatchObject({ attempts: 2, lastError: { at: '2024-04-05T12:01:00.000Z' } });

    w.crm.available = true;
    expect(await w.retry()).toEqual({ delivered: 1, failed: 0, superseded: 0 });
    const ev = await w.onlyEvent();
    expect(ev).toMatchObject({ Event_Title: 'Quarterly review with Acme', Remind_At: 15, caldav: { name: NAME, ics } });
    expect(w.crm.calls.filter((c) => c === 'upsertEvent')).toHaveLength(1);
    expect(await w.retry()).toEqual({ delivered: 0, failed: 0, superseded: 0 });
    expect(formatStatus(await syncStatus(w.outbox))).toEqual(['Nothing pending: every CalDAV change has reached the CRM.']);
  });

  it('several failed writes to one href coalesce: one entry, the latest state delivered in one write', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    w.crm.available = false;
    await w.phone.put(NAME, ics);
    w.tick();
    await w.phone.put(NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:v2'));
    w.tick();
    await w.phone.put(NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:v3'));
    const [entry] = await w.outbox.list();
    expect(entry).toMatchObject({ attempts: 3, pendingSince: '2024-04-05T12:00:00.000Z', lastFailedAt: '2024-04-05T12:02:00.000Z' });
    expect(await w.outbox.list()).toHaveLength(1);
    w.crm.available = true;
    await w.retry();
    expect((await w.onlyEvent()).Event_Title).toBe('v3');
    expect(w.crm.calls.filter((c) => c === 'upsertEvent')).toHaveLength(1);
  });

  it('create then delete while the CRM is down: the replay leaves the CRM without the event', async () => {
    const w = makeWorld();
    await w.phone.put('gone.ics', fixture('ios-event.ics'));
    expect(await w.onlyEvent()).toBeDefined();
    w.crm.available = false;
    expect((await w.phone.delete('gone.ics')).status).toBe(204);
    w.crm.available = true;
    expect(await w.retry()).toMatchObject({ delivered: 1 });
    expect(await w.crm.listEvents(OLIVIA.email)).toEqual([]);
  });

  it('an href re-used with another UID while down: the old UID’s CRM event goes, the new one arrives', async () => {
    const w = makeWorld();
    const ics = fixture('ios-event.ics');
    await w.phone.put('x.ics', ics);
    const old = await w.onlyEvent();
    w.crm.available = false;
    await w.phone.delete('x.ics');
    await w.phone.put('x.ics', ics.replace(/UID:7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C/, 'UID:NEW-UID'));
    w.crm.available = true;
    await w.retry();
    const now = await w.onlyEvent();
    expect(now.id).not.toBe(old.id);
    expect(now.caldav?.uid).toBe('NEW-UID');
  });

  it('a write re-dirtying an entry during its replay keeps the entry for the next run', async () => {
    const w = makeWorld();
    w.crm.available = false;
    await w.phone.put(NAME, fixture('ios-event.ics'));
    w.crm.available = true;
    const [entry] = await w.outbox.list();
    await w.outbox.record({ owner: OLIVIA.email, name: NAME, uids: ['x'], error: 'again', at: w.now().toISOString() });
    expect(await w.outbox.remove(entry!, entry!.rev)).toBe(false);
    expect(await w.outbox.list()).toHaveLength(1);
  });

  it('CRM and outbox both down: the PUT still succeeds and the object is stored', async () => {
    const w = makeWorld();
    w.crm.available = false;
    w.outbox.available = false;
    expect((await w.phone.put(NAME, fixture('ios-event.ics'))).status).toBe(201);
    expect(await w.phone.get(NAME)).not.toBeNull();
  });

  it('a permanent CRM refusal stays pending and visible with the field named', async () => {
    const w = makeWorld();
    // A CRM-side validation error: retrying cannot help until the CRM (or the event) changes.
    const upsert = w.crm.upsertEvent.bind(w.crm);
    w.crm.upsertEvent = async () => {
      throw new CrmValidationError('Venue', 'too long');
    };
    expect((await w.phone.put(NAME, fixture('ios-event.ics'))).status).toBe(201);
    expect((await syncStatus(w.outbox)).users[0]?.lastError?.message).toBe('CrmValidationError: Venue: too long');
    w.crm.upsertEvent = upsert;
    expect(await w.retry()).toMatchObject({ delivered: 1 });
  });
});
