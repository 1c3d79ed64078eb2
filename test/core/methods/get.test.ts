import { describe, expect, it } from 'vitest';
import { get } from '../../../lambda/core/methods/get';
import { head } from '../../../lambda/core/methods/head';
import { ALICE, BOB, call, makeCtx, seedObject } from './harness';
import { fixture, objectPath, putIcs } from './object-helpers';

const getPath = (ctx: ReturnType<typeof makeCtx>, path: string, headers: Record<string, string> = {}) =>
  call(get, ctx, { method: 'GET', path, headers });

describe('GET on a calendar object', () => {
  it('returns the stored text with its validators', async () => {
    const ctx = makeCtx();
    const obj = await seedObject(ctx, ALICE, 'e1.ics');
    const res = await getPath(ctx, objectPath('e1.ics'));
    expect(res).toEqual({
      status: 200,
      headers: {
        'content-type': 'text/calendar; charset=utf-8',
        'content-length': String(obj.size),
        etag: obj.etag,
        'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT',
      },
      body: obj.ics,
    });
  });

  it('answers 304 to If-None-Match with the current ETag, 200 otherwise', async () => {
    const ctx = makeCtx();
    const obj = await seedObject(ctx, ALICE, 'e1.ics');
    const fresh = await getPath(ctx, objectPath('e1.ics'), { 'if-none-match': obj.etag });
    expect(fresh.status).toBe(304);
    expect(fresh.headers.etag).toBe(obj.etag);
    expect(fresh.body).toBeUndefined();
    expect((await getPath(ctx, objectPath('e1.ics'), { 'if-none-match': `W/${obj.etag}` })).status).toBe(304);
    expect((await getPath(ctx, objectPath('e1.ics'), { 'if-none-match': '"old"' })).status).toBe(200);
  });

  it('uses If-Modified-Since only without If-None-Match', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, ALICE, 'e1.ics');
    const since = { 'if-modified-since': 'Wed, 01 Jan 2025 00:00:00 GMT' };
    expect((await getPath(ctx, objectPath('e1.ics'), since)).status).toBe(304);
    expect((await getPath(ctx, objectPath('e1.ics'), { ...since, 'if-none-match': '"old"' })).status).toBe(200);
    expect((await getPath(ctx, objectPath('e1.ics'), { 'if-modified-since': 'Tue, 31 Dec 2024 23:59:59 GMT' })).status).toBe(200);
  });

  it('answers 412 to a failing If-Match', async () => {
    const ctx = makeCtx();
    await seedObject(ctx, ALICE, 'e1.ics');
    expect((await getPath(ctx, objectPath('e1.ics'), { 'if-match': '"old"' })).status).toBe(412);
  });

  it('answers 404 for a missing object, also with If-None-Match', async () => {
    const ctx = makeCtx();
    expect((await getPath(ctx, objectPath('nope.ics'))).status).toBe(404);
    expect((await getPath(ctx, objectPath('nope.ics'), { 'if-none-match': '*' })).status).toBe(404);
  });

  it("answers 404 for another user's object", async () => {
    const ctx = makeCtx();
    await seedObject(ctx, BOB, 'secret.ics');
    const res = await getPath(ctx, objectPath('secret.ics', BOB));
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('BEGIN:VCALENDAR');
  });

  it('returns a PUT body unchanged, non-ASCII text included', async () => {
    const ctx = makeCtx();
    const body = fixture('recurring-override.ics');
    await putIcs(ctx, objectPath('r.ics'), body);
    expect((await getPath(ctx, objectPath('r.ics'))).body).toBe(body);
  });
});

describe('GET on collections', () => {
  it.each(['/', '/principals/', '/principals/alice@example.com/', '/calendars/alice@example.com/', '/calendars/alice@example.com/crm/'])(
    'answers %s with a short plain-text note',
    async (path) => {
      const res = await getPath(makeCtx(), path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toContain('/calendars/alice@example.com/crm/');
    },
  );

  it.each(['/calendars/alice@example.com/work/', '/calendars/bob@example.com/crm/', '/nowhere'])('answers 404 for %s', async (path) => {
    expect((await getPath(makeCtx(), path)).status).toBe(404);
  });
});

describe('HEAD', () => {
  it("has GET's status and headers without the body", async () => {
    const ctx = makeCtx();
    const obj = await seedObject(ctx, ALICE, 'e1.ics');
    const res = await call(head, ctx, { method: 'HEAD', path: objectPath('e1.ics') });
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(res.headers).toMatchObject({ etag: obj.etag, 'content-length': String(obj.size), 'content-type': 'text/calendar; charset=utf-8' });
  });

  it('answers 304, 404 and cross-user 404 like GET', async () => {
    const ctx = makeCtx();
    const obj = await seedObject(ctx, ALICE, 'e1.ics');
    await seedObject(ctx, BOB, 'b.ics');
    const headOf = (path: string, headers: Record<string, string> = {}) => call(head, ctx, { method: 'HEAD', path, headers });
    expect((await headOf(objectPath('e1.ics'), { 'if-none-match': obj.etag })).status).toBe(304);
    expect((await headOf(objectPath('nope.ics'))).status).toBe(404);
    expect((await headOf(objectPath('b.ics', BOB))).status).toBe(404);
  });
});
