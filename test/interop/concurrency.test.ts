/**
 * Concurrent writers on one calendar through HTTP, on DynamoDB: parallel creates and racing
 * conditional updates, then one sync from the token taken before. Each change must appear exactly
 * once, none may be lost, and the token handed out must be the calendar's counter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCtag, formatSyncToken } from '../../lambda/core/sync-token';
import { P, fixture, propfindBody, startInteropServer, type DavClient, type DavReply, type InteropServer } from '../helpers/server';

const TEMPLATE = fixture('interop', 'ios-event.ics');
const TEMPLATE_UID = '5F2E8A41-0C3B-4D7E-9A18-6B5C4D3E2F10';
const EMAIL = 'dana@example.com';
const WRITERS = 20;
const RACERS = 6;

let server: InteropServer;
let a: DavClient;

beforeAll(async () => {
  server = await startInteropServer();
  a = server.as(await server.addUser(EMAIL));
});
afterAll(async () => {
  await server?.stop();
});

const eventFor = (uid: string, summary: string) =>
  TEMPLATE.replaceAll(TEMPLATE_UID, uid).replace(/^SUMMARY:.*$/m, `SUMMARY:${summary}`);

/**
 * A 503 with Retry-After is the server's documented answer when it gave up on write contention;
 * a client retries it, so the writers here do too. The precondition is re-sent unchanged.
 */
async function putRetrying(path: string, ics: string, headers: Record<string, string>): Promise<DavReply> {
  for (let attempt = 0; ; attempt++) {
    const res = await a.put(path, ics, headers);
    if (res.status !== 503 || attempt >= 5) return res;
    expect(res.headers.get('retry-after')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
}

async function calendarState() {
  const reply = await a.propfind(a.paths.calendar, propfindBody('<cs:getctag/><d:sync-token/>'));
  expect(reply.status).toBe(207);
  const props = reply.ms.responses.get(a.paths.calendar)!;
  return { ctag: props.get(P.cs('getctag'))!.element.text, syncToken: props.get(P.d('sync-token'))!.element.text };
}

describe('concurrent writers on one calendar', () => {
  it(`${WRITERS} parallel creates and ${RACERS} racing updates: one winner, each change synced exactly once, nothing lost`, async () => {
    const shared = a.paths.object('shared.ics');
    const first = await a.put(shared, eventFor('shared', 'v0'), { 'if-none-match': '*' });
    expect(first.status).toBe(201);
    const baseEtag = first.headers.get('etag')!;
    const { syncToken: before } = await calendarState();
    const seqBefore = (await server.store.getCalendar(EMAIL)).seq;

    const creates = Array.from({ length: WRITERS }, (_, i) => ({
      path: a.paths.object(`parallel-${String(i).padStart(2, '0')}.ics`),
      ics: eventFor(`parallel-${i}`, `Parallel ${i}`),
    }));
    const updates = Array.from({ length: RACERS }, (_, i) => eventFor('shared', `racer ${i}`));
    const [createReplies, updateReplies] = await Promise.all([
      Promise.all(creates.map((c) => putRetrying(c.path, c.ics, { 'if-none-match': '*' }))),
      Promise.all(updates.map((ics) => putRetrying(shared, ics, { 'if-match': baseEtag }))),
    ]);

    expect(createReplies.map((r) => r.status)).toEqual(creates.map(() => 201));
    const statuses = updateReplies.map((r) => r.status).sort();
    expect(statuses).toEqual([204, ...Array<number>(RACERS - 1).fill(412)]);
    const winner = updateReplies.findIndex((r) => r.status === 204);

    // Every change is in the log exactly once, with no gap in the sequence.
    const seqAfter = (await server.store.getCalendar(EMAIL)).seq;
    expect(seqAfter - seqBefore).toBe(WRITERS + 1);
    const log = (await server.store.changesSince(EMAIL, seqBefore))!;
    expect(log.map((c) => c.seq)).toEqual(Array.from({ length: WRITERS + 1 }, (_, i) => seqBefore + 1 + i));
    expect(new Set(log.map((c) => c.name)).size).toBe(WRITERS + 1);

    // One sync from the old token lists each changed href once, with the ETag its writer got.
    const sync = await a.syncCollection(before);
    expect(sync.status).toBe(207);
    const expected = new Map(creates.map((c, i) => [c.path, createReplies[i].headers.get('etag')]));
    expected.set(shared, updateReplies[winner].headers.get('etag'));
    const listed = new Map([...sync.ms.responses].map(([href, props]) => [href, props.get(P.d('getetag'))?.element.text]));
    expect(listed).toEqual(expected);
    expect((sync.text.match(/<d:response>/g) ?? []).length).toBe(WRITERS + 1);

    // The token handed out is the counter, and so are the ctag and sync-token now.
    expect(sync.ms.syncToken).toBe(formatSyncToken(EMAIL, seqAfter));
    expect(await calendarState()).toEqual({ ctag: formatCtag(seqAfter), syncToken: formatSyncToken(EMAIL, seqAfter) });

    // No update lost: every GET returns exactly what its writer sent.
    const gets = await Promise.all(creates.map((c) => a.get(c.path)));
    gets.forEach((g, i) => {
      expect(g.text).toBe(creates[i].ics);
      expect(g.headers.get('etag')).toBe(expected.get(creates[i].path));
    });
    expect((await a.get(shared)).text).toBe(updates[winner]);

    const again = await a.syncCollection(sync.ms.syncToken!);
    expect(again.ms.responses.size).toBe(0);
  });

  it('racing creates of one new name: exactly one 201, the rest 412, one log entry', async () => {
    const path = a.paths.object('contested.ics');
    const seqBefore = (await server.store.getCalendar(EMAIL)).seq;
    const bodies = Array.from({ length: RACERS }, (_, i) => eventFor('contested', `creator ${i}`));
    const replies = await Promise.all(bodies.map((ics) => putRetrying(path, ics, { 'if-none-match': '*' })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, ...Array<number>(RACERS - 1).fill(412)]);
    const winner = replies.findIndex((r) => r.status === 201);
    expect((await a.get(path)).text).toBe(bodies[winner]);
    expect((await server.store.changesSince(EMAIL, seqBefore))!.map((c) => c.name)).toEqual(['contested.ics']);
  });

  it('parallel deletes and edits of different events all land, and one sync reports each once', async () => {
    const { syncToken: before } = await calendarState();
    const targets = Array.from({ length: 10 }, (_, i) => a.paths.object(`parallel-${String(i).padStart(2, '0')}.ics`));
    const etags = await Promise.all(targets.map(async (t) => (await a.get(t)).headers.get('etag')!));
    const replies = await Promise.all(
      targets.map((t, i) =>
        i % 2 === 0
          ? a.delete(t, { 'if-match': etags[i] })
          : putRetrying(t, eventFor(`parallel-${i}`, `Edited ${i}`), { 'if-match': etags[i] }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(targets.map(() => 204));
    const sync = await a.syncCollection(before);
    targets.forEach((t, i) => {
      if (i % 2 === 0) expect(sync.ms.statuses.get(t)).toBe(404);
      else expect(sync.ms.responses.get(t)?.get(P.d('getetag'))?.element.text).toBe(replies[i].headers.get('etag'));
    });
    expect(sync.ms.responses.size).toBe(targets.length);
  });
});
