/** The crossing-changes policy of docs/sync.md, case by case. */
import { describe, expect, it } from 'vitest';
import { CrmConflict } from '../../lambda/crm/types';
import type { CalendarStore } from '../../lambda/store/types';
import { crmToCaldav } from '../../lambda/sync/crm-to-caldav';
import { storedObjectFor } from '../../lambda/sync/stored-object';
import { OLIVIA, fixture, lines, makeWorld } from './harness';

const NAME = '7F3A2C1E-5B8D-4E61-9C2A-3D4E5F6A7B8C.ics';

async function phoneMade() {
  const w = makeWorld();
  const ics = fixture('ios-event.ics');
  const put = await w.phone.put(NAME, ics, { 'if-none-match': '*' });
  return { w, ics, etag: put.headers.etag!, ev: await w.onlyEvent() };
}

describe('changes crossing in flight', () => {
  it('phone PUT with the ETag from before a CRM edit: 412, nothing changes on either side', async () => {
    const { w, ics, etag, ev } = await phoneMade();
    await w.api.save({ ...ev, Event_Title: 'From the CRM' });
    const stored = (await w.phone.get(NAME))!;
    const res = await w.phone.put(NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:From the phone'), { 'if-match': etag });
    expect(res.status).toBe(412);
    expect((await w.phone.get(NAME))!.etag).toBe(stored.etag);
    expect((await w.onlyEvent()).Event_Title).toBe('From the CRM');
  });

  it('CRM write based on a version from before a phone PUT: CrmConflict (the API answers 409), calendar untouched', async () => {
    const { w, ics, ev } = await phoneMade();
    w.tick();
    await w.phone.put(NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:From the phone'));
    const stored = (await w.phone.get(NAME))!;
    await expect(w.crm.upsertEvent({ ...ev, Event_Title: 'From the CRM' }, { ifModified: ev.Modified_Time })).rejects.toBeInstanceOf(CrmConflict);
    expect((await w.phone.get(NAME))!.etag).toBe(stored.etag);
  });

  it('a CRM notification overtaken by a phone PUT does not roll the phone back: the later writer wins', async () => {
    const { w, ics, ev } = await phoneMade();
    w.tick();
    const before = ev;
    const afterCrm = await w.crm.upsertEvent({ ...ev, Event_Title: 'From the CRM' });
    // The phone's PUT reaches the CRM before the CRM's listener call reaches the calendar.
    w.tick();
    await w.phone.put(NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:From the phone'));
    await w.listener.eventSaved(afterCrm, before);
    expect(lines((await w.phone.get(NAME))!.ics)).toContain('SUMMARY:From the phone');
    expect((await w.onlyEvent()).Event_Title).toBe('From the phone');
  });

  it('a phone write landing between the listener read and its write: If-Match fails, the listener re-reads and merges', async () => {
    const { w, ev } = await phoneMade();
    let raced = false;
    const racing: CalendarStore = Object.create(w.inner);
    racing.putObject = async (owner, obj, cond) => {
      if (!raced) {
        raced = true;
        // The phone adds a property the CRM does not own, right before our conditional write.
        const cur = (await w.inner.getObject(owner, obj.name))!;
        const phoneIcs = cur.ics.replace('TRANSP:OPAQUE\r\n', 'TRANSP:OPAQUE\r\nX-PHONE-EDIT:1\r\n');
        await w.inner.putObject(owner, storedObjectFor(obj.name, phoneIcs, w.now()));
      }
      return w.inner.putObject(owner, obj, cond);
    };
    const listener = crmToCaldav({ store: racing, users: w.users, crm: w.crm, now: w.now });
    const saved = await w.crm.upsertEvent({ ...ev, Event_Title: 'From the CRM' });
    await listener.eventSaved(saved, ev);
    const final = lines((await w.phone.get(NAME))!.ics);
    expect(raced).toBe(true);
    expect(final).toContain('X-PHONE-EDIT:1');
    expect(final).toContain('SUMMARY:From the CRM');
  });

  it('fields only one side owns never conflict: a CRM edit keeps what the phone added after the CRM last read', async () => {
    const { w, ics, ev } = await phoneMade();
    await w.phone.put(NAME, ics.replace('CATEGORIES:Work,Acme', 'CATEGORIES:Work,Acme,Renewal'));
    // The CRM client still holds the event it read before that PUT and edits the title only.
    const current = (await w.crm.getEvent(ev.id))!;
    await w.api.save({ ...current, Event_Title: 'Renamed in the CRM' });
    const final = lines((await w.phone.get(NAME))!.ics);
    expect(final).toContain('CATEGORIES:Work,Acme,Renewal');
    expect(final).toContain('SUMMARY:Renamed in the CRM');
  });

  it('a CRM edit made while the phone change waits in the outbox: the CRM fields win, the phone-only fields stay, the replay converges', async () => {
    const { w, ics, ev } = await phoneMade();
    w.crm.available = false;
    await w.phone.put(NAME, ics.replace('SUMMARY:Quarterly review with Acme', 'SUMMARY:Phone title').replace('CATEGORIES:Work,Acme', 'CATEGORIES:Phone'));
    w.crm.available = true;
    w.tick();
    await w.api.save({ ...ev, Event_Title: 'CRM title' });
    const merged = lines((await w.phone.get(NAME))!.ics);
    expect(merged).toContain('SUMMARY:CRM title');
    expect(merged).toContain('CATEGORIES:Phone');
    await w.retry();
    expect((await w.onlyEvent()).Event_Title).toBe('CRM title');
    expect((await w.onlyEvent()).caldav?.ics).toBe((await w.phone.get(NAME))!.ics);
    expect(await w.outbox.list(OLIVIA.email)).toEqual([]);
  });

  it('a CRM edit (or a reconciliation) arriving while a phone deletion waits in the outbox does not resurrect the event', async () => {
    const { w, ev } = await phoneMade();
    w.crm.available = false;
    expect((await w.phone.delete(NAME)).status).toBe(204);
    w.crm.available = true;
    await w.api.save({ ...ev, Event_Title: 'Edited in the CRM meanwhile' });
    expect(await w.inner.listObjects(OLIVIA.email)).toEqual([]);
    await w.retry();
    expect(await w.crm.listEvents(OLIVIA.email)).toEqual([]);
    expect(await w.inner.listObjects(OLIVIA.email)).toEqual([]);
  });
});
