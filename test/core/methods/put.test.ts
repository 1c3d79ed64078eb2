import { describe, expect, it } from 'vitest';
import { get } from '../../../lambda/core/methods/get';
import { put } from '../../../lambda/core/methods/put';
import { findChild } from '../../../lambda/core/xml';
import { ALICE, BOB, call, makeCtx } from './harness';
import { davError, eventIcs, fixture, objectPath, putIcs } from './object-helpers';

const CAL = (local: string) => `{urn:ietf:params:xml:ns:caldav}${local}`;

/** Everything a failed PUT must leave untouched. */
async function snapshot(ctx: ReturnType<typeof makeCtx>) {
  return { meta: await ctx.store.getCalendar(ALICE), objects: await ctx.store.listObjects(ALICE) };
}

describe('PUT: create and update', () => {
  it('creates with 201 and an ETag equal to the one GET returns', async () => {
    const ctx = makeCtx();
    const res = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'), { 'if-none-match': '*' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    const fetched = await call(get, ctx, { method: 'GET', path: objectPath('e1.ics') });
    expect(fetched.headers.etag).toBe(res.headers.etag);
  });

  it('stores what it is told about the object', async () => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    expect(await ctx.store.getObject(ALICE, 'e1.ics')).toMatchObject({
      name: 'e1.ics',
      uid: 'e1',
      lastModified: '2025-01-15T10:00:00.000Z',
      size: Buffer.byteLength(eventIcs('e1')),
      rangeStart: Date.UTC(2025, 2, 1, 10),
      rangeEnd: Date.UTC(2025, 2, 1, 11),
      recurring: false,
    });
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(1);
  });

  it('round-trips an iOS event byte for byte: VTIMEZONE, X-APPLE-*, X-WR-ALARMUID, alarms, attendees', async () => {
    const ctx = makeCtx();
    const body = fixture('ios-event.ics');
    const created = await putIcs(ctx, objectPath('A1B2C3D4-E5F6-4789-ABCD-0123456789AB.ics'), body);
    expect(created.status).toBe(201);
    const fetched = await call(get, ctx, { method: 'GET', path: objectPath('A1B2C3D4-E5F6-4789-ABCD-0123456789AB.ics') });
    expect(fetched.body).toBe(body);
    expect(fetched.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(fetched.body).toContain('X-WR-ALARMUID:F0E1D2C3-B4A5-4968-8776-655443322110');
  });

  it('adds the VTIMEZONE of an IANA TZID sent without one, and then returns no ETag (RFC 4791 §5.3.4)', async () => {
    const ctx = makeCtx();
    const sent = eventIcs('z1').replace(/DTSTART:(\d{8}T\d{6})Z/, 'DTSTART;TZID=America/New_York:$1').replace(/DTEND:(\d{8}T\d{6})Z/, 'DTEND;TZID=America/New_York:$1');
    const res = await putIcs(ctx, objectPath('z1.ics'), sent, { 'if-none-match': '*' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBeUndefined();
    const fetched = await call(get, ctx, { method: 'GET', path: objectPath('z1.ics') });
    expect(fetched.body).toContain('BEGIN:VTIMEZONE');
    expect(fetched.body).toContain('TZID:America/New_York');
    expect(fetched.headers.etag).toMatch(/^"[^"]+"$/);
  });

  it('stores LF line endings and a missing final newline verbatim', async () => {
    const ctx = makeCtx();
    const body = eventIcs('lf').replace(/\r\n/g, '\n').trimEnd();
    expect((await putIcs(ctx, objectPath('lf.ics'), body)).status).toBe(201);
    expect((await ctx.store.getObject(ALICE, 'lf.ics'))?.ics).toBe(body);
  });

  it('updates with If-Match: 204 and a new ETag', async () => {
    const ctx = makeCtx();
    const first = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    const second = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'Moved'), { 'if-match': first.headers.etag });
    expect(second.status).toBe(204);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    expect((await ctx.store.getObject(ALICE, 'e1.ics'))?.ics).toContain('SUMMARY:Moved');
  });

  it('overwrites without preconditions', async () => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'Again'))).status).toBe(204);
  });

  it('accepts a missing Content-Type', async () => {
    const ctx = makeCtx();
    const res = await call(put, ctx, { method: 'PUT', path: objectPath('e1.ics'), body: eventIcs('e1') });
    expect(res.status).toBe(201);
  });
});

describe('PUT: preconditions', () => {
  it('answers 412 to If-None-Match: * when the object exists', async () => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    const before = await snapshot(ctx);
    const res = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'x'), { 'if-none-match': '*' });
    expect(res.status).toBe(412);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('answers 412 to a stale If-Match', async () => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    const res = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'x'), { 'if-match': '"stale"' });
    expect(res.status).toBe(412);
    expect((await ctx.store.getObject(ALICE, 'e1.ics'))?.ics).toContain('SUMMARY:Call');
  });

  it('answers 412 to If-Match on a missing object', async () => {
    const ctx = makeCtx();
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'), { 'if-match': '*' })).status).toBe(412);
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'), { 'if-match': '"x"' })).status).toBe(412);
    expect(await ctx.store.getObject(ALICE, 'e1.ics')).toBeNull();
  });

  it('accepts If-Match with a list holding the current ETag, and If-Match: *', async () => {
    const ctx = makeCtx();
    const { headers } = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    const listed = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'b'), { 'if-match': `"other", ${headers.etag}` });
    expect(listed.status).toBe(204);
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'c'), { 'if-match': '*' })).status).toBe(204);
  });

  it('refuses a weak ETag in If-Match (strong comparison)', async () => {
    const ctx = makeCtx();
    const { headers } = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'b'), { 'if-match': `W/${headers.etag}` })).status).toBe(412);
  });

  it('maps a store-level precondition failure (a racing write) to 412', async () => {
    const ctx = makeCtx();
    const { headers } = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    const getObject = ctx.store.getObject.bind(ctx.store);
    // The object changes between the precondition check and the write.
    ctx.store.getObject = async (owner, name) => {
      const current = await getObject(owner, name);
      await ctx.store.putObject(ALICE, { ...current!, ics: 'raced', etag: '"raced"' });
      return current;
    };
    // A tag list is evaluated by core on its own read first.
    const res = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'b'), { 'if-match': `"older", ${headers.etag}` });
    expect(res.status).toBe(412);
    expect((await getObject(ALICE, 'e1.ics'))?.ics).toBe('raced');
  });

  it('hands one strong If-Match tag or If-None-Match: * to the store without reading first', async () => {
    const ctx = makeCtx();
    const { headers } = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    let reads = 0;
    const getObject = ctx.store.getObject.bind(ctx.store);
    ctx.store.getObject = async (owner, name) => {
      reads++;
      return getObject(owner, name);
    };
    const stale = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'b'), { 'if-match': '"stale"' });
    expect(stale.status).toBe(412);
    expect(stale.body).toContain('If-Match: the ETag has changed');
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'c'), { 'if-none-match': '*' })).status).toBe(412);
    expect((await putIcs(ctx, objectPath('e2.ics'), eventIcs('e2'), { 'if-match': '*' })).status).toBe(412);
    expect((await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1', 'd'), { 'if-match': headers.etag })).status).toBe(204);
    expect(reads).toBe(0);
  });
});

describe('PUT: refusals leave the store unchanged', () => {
  it('refuses a UID held by another resource with 409 naming it', async () => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('first.ics'), eventIcs('shared-uid'));
    const before = await snapshot(ctx);
    const res = await putIcs(ctx, objectPath('second.ics'), eventIcs('shared-uid'));
    expect(res.status).toBe(409);
    const { condition } = davError(res);
    expect(condition.name).toBe(CAL('no-uid-conflict'));
    expect(findChild(condition, '{DAV:}href')?.text).toBe('/calendars/alice@example.com/crm/first.ics');
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('refuses a task with supported-calendar-component', async () => {
    const ctx = makeCtx();
    const todo = eventIcs('t1').replace(/VEVENT/g, 'VTODO');
    const res = await putIcs(ctx, objectPath('t1.ics'), todo);
    expect(res.status).toBe(403);
    expect(davError(res).condition.name).toBe(CAL('supported-calendar-component'));
    expect(await snapshot(ctx)).toEqual({ meta: { seq: 0, props: {} }, objects: [] });
  });

  it.each([
    ['garbage', 'this is not a calendar'],
    ['an empty body', ''],
    ['a truncated calendar', eventIcs('e1').slice(0, 120)],
    ['an event without UID', eventIcs('e1').replace('UID:e1\r\n', '')],
  ])('refuses %s with valid-calendar-data', async (_label, body) => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('keep.ics'), eventIcs('keep'));
    const before = await snapshot(ctx);
    const res = await putIcs(ctx, objectPath('e1.ics'), body);
    expect(res.status).toBe(403);
    expect(davError(res).condition.name).toBe(CAL('valid-calendar-data'));
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('refuses mixed UIDs with valid-calendar-object-resource', async () => {
    const ctx = makeCtx();
    const mixed = eventIcs('a').replace('END:VCALENDAR', 'BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20250101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR');
    const res = await putIcs(ctx, objectPath('a.ics'), mixed);
    expect(res.status).toBe(403);
    expect(davError(res).condition.name).toBe(CAL('valid-calendar-object-resource'));
  });

  it('refuses an oversize body with 413 max-resource-size before parsing it', async () => {
    const ctx = { ...makeCtx(), config: { ...makeCtx().config, maxResourceSize: 100 } };
    const res = await putIcs(ctx, objectPath('big.ics'), eventIcs('big'));
    expect(res.status).toBe(413);
    expect(davError(res).condition.name).toBe(CAL('max-resource-size'));
    expect((await putIcs(ctx, objectPath('big.ics'), 'x'.repeat(101))).status).toBe(413);
    expect(await ctx.store.getObject(ALICE, 'big.ics')).toBeNull();
  });

  it('counts the size in UTF-8 bytes', async () => {
    const body = eventIcs('u', 'é'.repeat(50));
    const ctx = { ...makeCtx(), config: { ...makeCtx().config, maxResourceSize: body.length + 10 } };
    expect((await putIcs(ctx, objectPath('u.ics'), body)).status).toBe(413);
  });

  it('refuses other media types with 415 supported-calendar-data', async () => {
    const ctx = makeCtx();
    const res = await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'), { 'content-type': 'text/vcard' });
    expect(res.status).toBe(415);
    expect(davError(res).condition.name).toBe(CAL('supported-calendar-data'));
    expect(await ctx.store.getObject(ALICE, 'e1.ics')).toBeNull();
  });
});

describe('PUT: locations', () => {
  it.each([
    ['a device-local calendar', '/calendars/alice@example.com/work/x.ics'],
    ['the CRM calendar itself', '/calendars/alice@example.com/crm/'],
    ['the calendar home', '/calendars/alice@example.com/'],
    ['the principal', '/principals/alice@example.com/'],
  ])('refuses %s with 403 and says only the CRM calendar syncs', async (_label, path) => {
    const ctx = makeCtx();
    const res = await putIcs(ctx, path, eventIcs('x'));
    expect(res.status).toBe(403);
    const { condition, description } = davError(res);
    expect(condition.name).toBe(CAL('calendar-collection-location-ok'));
    expect(description).toMatch(/CRM calendar/);
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(0);
  });

  it("answers 404 in another user's calendar and stores nothing", async () => {
    const ctx = makeCtx();
    expect((await putIcs(ctx, objectPath('x.ics', BOB), eventIcs('x'))).status).toBe(404);
    expect(await ctx.store.listObjects(BOB)).toEqual([]);
  });

  it('answers 409 where no collection could hold the resource', async () => {
    const res = await putIcs(makeCtx(), '/calendars/alice@example.com/crm/a/b.ics', eventIcs('x'));
    expect(res.status).toBe(409);
  });

  it('accepts the owner e-mail in any case', async () => {
    const ctx = makeCtx();
    expect((await putIcs(ctx, '/calendars/Alice@Example.com/crm/e1.ics', eventIcs('e1'))).status).toBe(201);
    expect(await ctx.store.getObject(ALICE, 'e1.ics')).not.toBeNull();
  });
});
