/** Reconciliation on DynamoDB Local: CRM changes made without the API reach the calendars. */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../lambda/crm/builtin/keys';
import { uidForCrmId } from '../../lambda/crm/mapping';
import type { CrmEvent } from '../../lambda/crm/types';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { runReconciliation } from '../../lambda/jobs/reconcile';
import { PAT, SAM, event, jobWorld, user, type JobWorld } from './world';

const ics = async (w: JobWorld, owner: string, e: CrmEvent) => {
  const name = await w.store.findNameByUid(owner, uidForCrmId(e.id));
  return name ? (await w.store.getObject(owner, name))!.ics : null;
};

describe('reconciliation', () => {
  let w: JobWorld;
  let early: CrmEvent;
  beforeAll(async () => {
    w = await jobWorld([user(PAT), user(SAM), user('off@zillum.com', { enabled: false })]);
    early = await w.save(event(PAT, '2020-01-01T10:00:00Z', '2020-01-01T11:00:00Z'));
  });
  afterAll(() => w.t.drop());

  it('starts at the end of the change feed: history is the initial export\'s, within its bounds', async () => {
    const first = await runReconciliation(w.deps);
    expect(first).toMatchObject({ ran: true, started: true, examined: 0, applied: 0 });
    expect(first.cursor).toBe(await w.crm.latestCursor());
    expect(await ics(w, PAT, early)).toBeNull();
  });

  it('applies a create, an edit and a delete written straight into the CRM table', async () => {
    const created = await w.save(event(PAT, '2026-12-01T10:00:00+01:00', '2026-12-01T11:00:00+01:00', { Event_Title: 'Imported kickoff' }));
    expect(await runReconciliation(w.deps)).toMatchObject({ ran: true, examined: 1, applied: 1 });
    expect(await ics(w, PAT, created)).toContain('SUMMARY:Imported kickoff');

    await w.save({ ...created, Event_Title: 'Imported kickoff (moved)', Venue: 'Room 4' });
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, PAT, created)).toContain('SUMMARY:Imported kickoff (moved)');

    await w.crm.deleteEvent(created.id);
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, PAT, created)).toBeNull();
    // Nothing new: nothing examined, and the deleted event stays deleted.
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 0, applied: 0 });
    expect(await ics(w, PAT, created)).toBeNull();
  });

  it("reads one page when the CRM says it was the feed's last (a hosted CRM's credits)", async () => {
    const created = await w.save(event(PAT, '2026-12-02T10:00:00+01:00', '2026-12-02T11:00:00+01:00', { Event_Title: 'One page' }));
    const real = w.deps.crm;
    let pages = 0;
    const crm = Object.assign(Object.create(real) as typeof real, {
      listChangesSince: async (cursor: string | null) => {
        pages++;
        return { ...(await real.listChangesSince(cursor)), more: false };
      },
    });
    expect(await runReconciliation({ ...w.deps, crm })).toMatchObject({ examined: 1, applied: 1 });
    expect(pages).toBe(1);
    expect(await ics(w, PAT, created)).toContain('SUMMARY:One page');
  });

  it('never delivers what the initial export leaves out: changes before enablement stay out until the event changes again', async () => {
    // Written an hour before CalDAV was enabled (09:00 UTC < ENABLED_AT 10:00), still in the feed.
    const clock = w.clock.now;
    w.clock.now = new Date('2026-11-25T09:00:00.000Z');
    const oldDates = await w.save(event(PAT, '2025-03-01T10:00:00Z', '2025-03-01T11:00:00Z', { Event_Title: 'Out of the window' }));
    w.clock.now = clock;
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 0 });
    expect(await ics(w, PAT, oldDates)).toBeNull();

    // Edited after enablement: now it syncs like any other change.
    await w.save({ ...oldDates, Event_Title: 'Out of the window (edited)' });
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, PAT, oldDates)).toContain('SUMMARY:Out of the window (edited)');
  });

  it('two runs at once: each change is applied once', async () => {
    const before = (await w.store.getCalendar(PAT)).seq;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await w.save(event(PAT, `2026-12-0${i + 2}T10:00:00+01:00`, `2026-12-0${i + 2}T11:00:00+01:00`)));
    const runs = await Promise.all([runReconciliation(w.deps), runReconciliation(w.deps)]);
    expect(runs.filter((r) => r.ran)).toHaveLength(1);
    expect(runs.find((r) => r.ran)).toMatchObject({ examined: 5, applied: 5 });
    const changes = (await w.store.changesSince(PAT, before))!;
    expect(changes).toHaveLength(5);
    expect(new Set(changes.map((c) => c.name)).size).toBe(5);
    for (const e of made) expect(await ics(w, PAT, e)).not.toBeNull();
  });

  it('a run left holding the lease (crashed) keeps others out until it runs out', async () => {
    const until = w.clock.now.getTime() + 60_000;
    expect(await w.jobs.claimReconcile({ holder: 'crashed-run', until }, w.clock.now)).not.toBeNull();
    const pending = await w.save(event(PAT, '2026-12-20T10:00:00+01:00', '2026-12-20T11:00:00+01:00'));
    expect(await runReconciliation(w.deps)).toMatchObject({ ran: false });
    w.clock.now = new Date(until + 1);
    expect(await runReconciliation(w.deps)).toMatchObject({ ran: true, applied: 1 });
    expect(await ics(w, PAT, pending)).not.toBeNull();
  });

  it('never resurrects an event deleted on the phone whose deletion has not reached the CRM yet', async () => {
    const e = await w.save(event(PAT, '2026-12-21T10:00:00+01:00', '2026-12-21T11:00:00+01:00'));
    await runReconciliation(w.deps);
    const name = (await w.store.findNameByUid(PAT, uidForCrmId(e.id)))!;
    // The phone's DELETE landed; the CRM was down, so the deletion waits in the outbox.
    await w.store.deleteObject(PAT, name);
    await w.outbox.record({ owner: PAT, name, uids: [uidForCrmId(e.id)], error: 'CrmUnavailable: down', at: w.clock.now.toISOString() });
    // Meanwhile an integration edits the event in the CRM.
    await w.save({ ...e, Description: 'edited by an integration' });
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 0, deferred: 1 });
    expect(await ics(w, PAT, e)).toBeNull();
  });

  it('then the scheduled pass replays the pending phone deletion first, then reconciles it as deleted', async () => {
    expect((await w.outbox.list(PAT)).length).toBe(1);
    const report = await runScheduledPass(w.deps);
    expect(report.retry).toMatchObject({ delivered: 1, failed: 0 });
    expect(await w.outbox.list(PAT)).toEqual([]);
    const [entry] = (await w.crm.listEvents(PAT)).filter((e) => e.Description === 'edited by an integration');
    expect(entry).toBeUndefined();
    expect(report.reconcile).toMatchObject({ ran: true, failed: 0 });
  });

  it('a page that fails is not skipped: the cursor stays and the next run applies it', async () => {
    const e = await w.save(event(PAT, '2026-12-24T10:00:00+01:00', '2026-12-24T11:00:00+01:00'));
    const down = new Error('calendar store down');
    const failing = { ...w.deps, listener: { ...w.deps.listener, eventSaved: async () => Promise.reject(down) } };
    const cursor = (await w.jobs.getReconcile()).cursor;
    expect(await runReconciliation(failing)).toMatchObject({ ran: true, failed: 1, stoppedBecause: 'Error: calendar store down', cursor });
    expect((await w.jobs.getReconcile()).cursor).toBe(cursor);
    expect(await ics(w, PAT, e)).toBeNull();
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1, failed: 0 });
    expect(await ics(w, PAT, e)).not.toBeNull();
  });

  it('a record hard-deleted from the CRM table still leaves the calendar (CRM-made UID)', async () => {
    const e = await w.save(event(PAT, '2026-12-26T10:00:00+01:00', '2026-12-26T11:00:00+01:00'));
    await runReconciliation(w.deps);
    expect(await ics(w, PAT, e)).not.toBeNull();
    // Changed, then the record removed outright: the feed names an id with no record behind it.
    await w.save({ ...e, Venue: 'Room 9' });
    await w.t.doc.send(new DeleteCommand({ TableName: w.t.tables.crm, Key: eventKey(e.id) }));
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, PAT, e)).toBeNull();
  });

  it('moves an event whose owner was changed in the CRM table, also to a user without CalDAV, whose own events stay out', async () => {
    const e = await w.save(event(PAT, '2026-12-22T10:00:00+01:00', '2026-12-22T11:00:00+01:00'));
    await runReconciliation(w.deps);
    expect(await ics(w, PAT, e)).not.toBeNull();
    await w.save({ ...e, Owner: { id: SAM, email: SAM, name: 'sam' } });
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, PAT, e)).toBeNull();
    expect(await ics(w, SAM, e)).not.toBeNull();

    // Handed to a user without CalDAV: it leaves Sam's calendar and lands in no calendar.
    await w.save({ ...(await w.crm.getEvent(e.id))!, Owner: { id: 'off@zillum.com', email: 'off@zillum.com', name: 'off' } });
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, SAM, e)).toBeNull();
    expect(await ics(w, 'off@zillum.com', e)).toBeNull();

    const offs = await w.save(event('off@zillum.com', '2026-12-23T10:00:00+01:00', '2026-12-23T11:00:00+01:00'));
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 0 });
    expect(await ics(w, 'off@zillum.com', offs)).toBeNull();
  });

  it('a phone DELETE racing a reconciliation: the CRM edit written before it does not bring the event back', async () => {
    const e = await w.save(event(PAT, '2026-12-28T10:00:00+01:00', '2026-12-28T11:00:00+01:00'));
    await runReconciliation(w.deps);
    const name = (await w.store.findNameByUid(PAT, uidForCrmId(e.id)))!;
    // An integration edits the event in the CRM (into the feed) ...
    await w.save({ ...e, Description: 'edited just before the phone deleted it' });
    // ... then the phone's DELETE lands; its push to the CRM is still in flight (no outbox entry).
    w.clock.now = new Date(w.clock.now.getTime() + 1000);
    await w.store.deleteObject(PAT, name);
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 0 });
    expect(await ics(w, PAT, e)).toBeNull();
    // A CRM change made after the deletion is a new state, and syncs.
    w.clock.now = new Date(w.clock.now.getTime() + 1000);
    await w.save({ ...(await w.crm.getEvent(e.id))!, Description: 'restored in the CRM' });
    expect(await runReconciliation(w.deps)).toMatchObject({ examined: 1, applied: 1 });
    expect(await ics(w, PAT, e)).toContain('restored in the CRM');
  });
});
