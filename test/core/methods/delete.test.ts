import { describe, expect, it } from 'vitest';
import { deleteMethod } from '../../../lambda/core/methods/delete';
import { get } from '../../../lambda/core/methods/get';
import { ALICE, BOB, call, makeCtx, seedObject } from './harness';
import { eventIcs, objectPath, putIcs } from './object-helpers';

const del = (ctx: ReturnType<typeof makeCtx>, path: string, headers: Record<string, string> = {}) =>
  call(deleteMethod, ctx, { method: 'DELETE', path, headers });

describe('DELETE of a calendar object', () => {
  it('deletes with 204 and records the removal for sync', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, ALICE, 'e1.ics');
    expect((await del(ctx, objectPath('e1.ics'))).status).toBe(204);
    expect((await call(get, ctx, { method: 'GET', path: objectPath('e1.ics') })).status).toBe(404);
    expect(await ctx.store.changesSince(ALICE, 1)).toEqual([{ seq: 2, name: 'e1.ics', deleted: true }]);
  });

  it('honours If-Match with the ETag PUT returned', async () => {
    const ctx = makeCtx();
    const { headers } = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    expect((await del(ctx, objectPath('e1.ics'), { 'if-match': headers.etag })).status).toBe(204);
  });

  it('answers 412 to a stale If-Match and keeps the object', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, ALICE, 'e1.ics');
    expect((await del(ctx, objectPath('e1.ics'), { 'if-match': '"stale"' })).status).toBe(412);
    expect(await ctx.store.getObject(ALICE, 'e1.ics')).not.toBeNull();
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(1);
  });

  it('answers 404 for a missing object, with or without If-Match', async () => {
    const ctx = makeCtx();
    expect((await del(ctx, objectPath('nope.ics'))).status).toBe(404);
    expect((await del(ctx, objectPath('nope.ics'), { 'if-match': '"x"' })).status).toBe(404);
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(0);
  });

  it('maps a store-level precondition failure (a racing write) to 412', async () => {
    const ctx = makeCtx();
    const obj = await seedObject(ctx, ALICE, 'e1.ics');
    const getObject = ctx.store.getObject.bind(ctx.store);
    ctx.store.getObject = async (owner, name) => {
      const current = await getObject(owner, name);
      await ctx.store.putObject(ALICE, { ...obj, etag: '"raced"' });
      return current;
    };
    // A tag list is evaluated by core on its own read first.
    expect((await del(ctx, objectPath('e1.ics'), { 'if-match': `"older", ${obj.etag}` })).status).toBe(412);
    expect(await getObject(ALICE, 'e1.ics')).not.toBeNull();
  });

  it('hands one strong If-Match tag to the store: a stale one is 412, a missing object 404, no read first', async () => {
    const ctx = makeCtx();
    const obj = await seedObject(ctx, ALICE, 'e1.ics');
    let reads = 0;
    const getObject = ctx.store.getObject.bind(ctx.store);
    ctx.store.getObject = async (owner, name) => {
      reads++;
      return getObject(owner, name);
    };
    expect((await del(ctx, objectPath('e1.ics'), { 'if-match': '"stale"' })).status).toBe(412);
    expect((await del(ctx, objectPath('nope.ics'), { 'if-match': obj.etag })).status).toBe(404);
    expect((await del(ctx, objectPath('e1.ics'), { 'if-match': obj.etag })).status).toBe(204);
    expect(reads).toBe(0);
  });

  it("answers 404 for another user's object and keeps it", async () => {
    const ctx = makeCtx();
    await seedObject(ctx, BOB, 'b.ics');
    expect((await del(ctx, objectPath('b.ics', BOB))).status).toBe(404);
    expect(await ctx.store.getObject(BOB, 'b.ics')).not.toBeNull();
  });
});

describe('DELETE of collections', () => {
  it.each(['/calendars/alice@example.com/crm/', '/calendars/alice@example.com/', '/principals/alice@example.com/', '/'])(
    'refuses %s with 403',
    async (path) => {
      const ctx = makeCtx();
      await seedObject(ctx, ALICE, 'e1.ics');
      const res = await del(ctx, path);
      expect(res.status).toBe(403);
      expect(res.body).toMatch(/cannot be deleted/);
      expect(await ctx.store.listObjects(ALICE)).toHaveLength(1);
    },
  );

  it('answers 404 for a device-local calendar and for unknown paths', async () => {
    expect((await del(makeCtx(), '/calendars/alice@example.com/work/')).status).toBe(404);
    expect((await del(makeCtx(), '/elsewhere/x')).status).toBe(404);
  });
});
