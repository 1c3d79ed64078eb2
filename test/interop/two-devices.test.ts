/**
 * Two devices of one user, each with its own sync state, syncing the way iOS does: check the
 * ctag, sync-collection from the last token, multiget what changed, drop what was removed.
 * What one device writes, the other sees at its next sync, and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P, fixture, propfindBody, startInteropServer, type DavClient, type InteropServer } from '../helpers/server';

const TEMPLATE = fixture('interop', 'ios-event.ics');
const TEMPLATE_UID = '5F2E8A41-0C3B-4D7E-9A18-6B5C4D3E2F10';
const EMAIL = 'erik@example.com';

interface LocalCopy {
  etag: string;
  data: string;
}

/** A device's view of the calendar: the last ctag and token seen and its copies of the objects. */
class Device {
  ctag = '';
  token = '';
  readonly objects = new Map<string, LocalCopy>();
  requests = 0;

  constructor(readonly dav: DavClient) {}

  /** One sync pass; returns what changed locally, or null when the ctag said nothing did. */
  async sync(): Promise<{ changed: string[]; removed: string[] } | null> {
    const cal = this.dav.paths.calendar;
    const state = await this.dav.propfind(cal, propfindBody('<cs:getctag/>'));
    this.requests++;
    const ctag = state.ms.responses.get(cal)?.get(P.cs('getctag'))?.element.text ?? '';
    if (ctag === this.ctag) return null;

    const sync = await this.dav.syncCollection(this.token);
    this.requests++;
    expect(sync.status).toBe(207);
    const removed = [...sync.ms.statuses].filter(([, status]) => status === 404).map(([href]) => href);
    const changed = [...sync.ms.responses]
      .filter(([href, props]) => !removed.includes(href) && props.get(P.d('getetag'))?.element.text !== this.objects.get(href)?.etag)
      .map(([href]) => href);
    for (const href of removed) this.objects.delete(href);
    if (changed.length) {
      const got = await this.dav.multiget(changed);
      this.requests++;
      for (const href of changed) {
        const props = got.ms.responses.get(href)!;
        this.objects.set(href, {
          etag: props.get(P.d('getetag'))!.element.text,
          data: props.get(P.c('calendar-data'))!.element.text,
        });
      }
    }
    this.token = sync.ms.syncToken!;
    this.ctag = ctag;
    return { changed: changed.sort(), removed: removed.sort() };
  }

  /** Writes and, like iOS, keeps the ETag the server returned as its copy's version. */
  async put(name: string, ics: string): Promise<number> {
    const href = this.dav.paths.object(name);
    const known = this.objects.get(href);
    const res = await this.dav.put(href, ics, known ? { 'if-match': known.etag } : { 'if-none-match': '*' });
    const etag = res.headers.get('etag');
    if (res.status < 300 && etag) this.objects.set(href, { etag, data: ics.replace(/\r\n/g, '\n').trimEnd() });
    return res.status;
  }

  async delete(name: string): Promise<number> {
    const href = this.dav.paths.object(name);
    const res = await this.dav.delete(href, { 'if-match': this.objects.get(href)!.etag });
    if (res.status < 300) this.objects.delete(href);
    return res.status;
  }
}

let server: InteropServer;
let phone: Device;
let laptop: Device;
const event = (uid: string, summary: string) =>
  TEMPLATE.replaceAll(TEMPLATE_UID, uid).replace(/^SUMMARY:.*$/m, `SUMMARY:${summary}`);

beforeAll(async () => {
  server = await startInteropServer();
  const user = await server.addUser(EMAIL);
  phone = new Device(server.as(user));
  laptop = new Device(server.as(user));
});
afterAll(async () => {
  await server?.stop();
});

describe('two devices of one user', () => {
  const href = (name: string) => phone.dav.paths.object(name);

  it('both start from an empty calendar', async () => {
    expect(await phone.sync()).toEqual({ changed: [], removed: [] });
    expect(await laptop.sync()).toEqual({ changed: [], removed: [] });
    expect(await laptop.sync()).toBeNull();
  });

  it('a create on the phone reaches the laptop at its next sync, as the phone sent it', async () => {
    expect(await phone.put('meeting.ics', event('meeting', 'Kick-off'))).toBe(201);
    expect(await laptop.sync()).toEqual({ changed: [href('meeting.ics')], removed: [] });
    expect(laptop.objects.get(href('meeting.ics'))).toEqual(phone.objects.get(href('meeting.ics')));
    // The phone's own write comes back to it with the ETag it already holds: nothing to fetch.
    expect(await phone.sync()).toEqual({ changed: [], removed: [] });
    expect(await laptop.sync()).toBeNull();
  });

  it('an edit on the phone reaches the laptop', async () => {
    expect(await phone.put('meeting.ics', event('meeting', 'Kick-off (moved)'))).toBe(204);
    expect(await laptop.sync()).toEqual({ changed: [href('meeting.ics')], removed: [] });
    expect(laptop.objects.get(href('meeting.ics'))?.data).toContain('SUMMARY:Kick-off (moved)');
    expect(laptop.objects.get(href('meeting.ics'))).toEqual(phone.objects.get(href('meeting.ics')));
  });

  it('an edit on the laptop reaches the phone', async () => {
    await phone.sync();
    expect(await laptop.put('meeting.ics', event('meeting', 'Kick-off (agenda added)'))).toBe(204);
    expect(await phone.sync()).toEqual({ changed: [href('meeting.ics')], removed: [] });
    expect(phone.objects.get(href('meeting.ics'))?.data).toContain('agenda added');
  });

  it('concurrent edits: the second device gets 412 and, after syncing, holds the winner', async () => {
    await laptop.sync();
    expect(await phone.put('meeting.ics', event('meeting', 'Phone wins'))).toBe(204);
    expect(await laptop.put('meeting.ics', event('meeting', 'Laptop too late'))).toBe(412);
    expect(await laptop.sync()).toEqual({ changed: [href('meeting.ics')], removed: [] });
    expect(laptop.objects.get(href('meeting.ics'))?.data).toContain('Phone wins');
    expect(await laptop.put('meeting.ics', event('meeting', 'Laptop retried'))).toBe(204);
    await phone.sync();
    expect(phone.objects.get(href('meeting.ics'))?.data).toContain('Laptop retried');
  });

  it('several changes between syncs collapse to one entry per event', async () => {
    await laptop.sync();
    expect(await phone.put('a.ics', event('a', 'A'))).toBe(201);
    expect(await phone.put('b.ics', event('b', 'B'))).toBe(201);
    expect(await phone.put('a.ics', event('a', 'A edited'))).toBe(204);
    expect(await phone.put('temp.ics', event('temp', 'Temporary'))).toBe(201);
    expect(await phone.delete('temp.ics')).toBe(204);
    const result = await laptop.sync();
    expect(result?.changed).toEqual([href('a.ics'), href('b.ics')].sort());
    // Created and deleted between two syncs: reported as removed, and the laptop never had it.
    expect(result?.removed).toEqual([href('temp.ics')]);
    expect(laptop.objects.get(href('a.ics'))?.data).toContain('A edited');
  });

  it('a delete on the laptop disappears from the phone', async () => {
    await phone.sync();
    expect(await laptop.delete('meeting.ics')).toBe(204);
    expect(await phone.sync()).toEqual({ changed: [], removed: [href('meeting.ics')] });
    expect([...phone.objects.keys()].sort()).toEqual([href('a.ics'), href('b.ics')].sort());
    expect([...laptop.objects.keys()].sort()).toEqual([...phone.objects.keys()].sort());
  });

  it('a third device starting from scratch gets exactly the current state', async () => {
    const tablet = new Device(phone.dav);
    await tablet.sync();
    await phone.sync();
    expect(new Map([...tablet.objects].map(([h, o]) => [h, o.etag]))).toEqual(new Map([...phone.objects].map(([h, o]) => [h, o.etag])));
  });
});
