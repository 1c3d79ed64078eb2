/**
 * The tasks list (/calendars/<email>/tasks/): a second collection per user holding exactly VTODO,
 * with its own objects, counter, change log and listing; the calendar keeps refusing VTODO and
 * says where the tasks list is; bad to-dos are refused with the right precondition, nothing stored.
 */
import { describe, expect, it } from 'vitest';
import { deleteMethod } from '../../../lambda/core/methods/delete';
import { get } from '../../../lambda/core/methods/get';
import { mkcalendar } from '../../../lambda/core/methods/mkcalendar';
import { propfind } from '../../../lambda/core/methods/propfind';
import { proppatch } from '../../../lambda/core/methods/proppatch';
import { report } from '../../../lambda/core/methods/report';
import type { ObjectChange } from '../../../lambda/core/types';
import { findChild, parseXml } from '../../../lambda/core/xml';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, call, makeCtx, propfindBody, proppatchBody, setProps } from './harness';
import { davError, eventIcs, fixture, objectPath, putIcs } from './object-helpers';

const C = (local: string) => `{urn:ietf:params:xml:ns:caldav}${local}`;
const D = (local: string) => `{DAV:}${local}`;
const TASKS = `/calendars/${ALICE}/tasks/`;
const KEY = `${ALICE}#tasks`;
const taskPath = (name: string) => `${TASKS}${name}`;

/** A to-do with the given extra lines. */
const todo = (uid: string | null, ...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VTODO', ...(uid === null ? [] : [`UID:${uid}`]), 'DTSTAMP:20250101T000000Z', 'SUMMARY:Call back', ...lines, 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');

const apple = (name: string) => fixture(`../apple/${name}`);

describe('the tasks list', () => {
  it('stores an iOS reminder byte for byte, apart from the calendar', async () => {
    const changes: ObjectChange[] = [];
    const ctx = { ...makeCtx(), onObjectChange: async (c: ObjectChange) => void changes.push(c) };
    const body = fixture('ios-reminder.ics');
    const name = '6F2B9A10-3C4D-4E5F-8A9B-0C1D2E3F4A5B.ics';
    const created = await putIcs(ctx, taskPath(name), body, { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^"/);
    const fetched = await call(get, ctx, { method: 'GET', path: taskPath(name) });
    expect(fetched.body).toBe(body);
    expect(fetched.headers.etag).toBe(created.headers.etag);
    expect(fetched.headers['schedule-tag']).toBeUndefined();
    // Its own counter and objects: the calendar saw nothing.
    expect((await ctx.store.getCalendar(KEY)).seq).toBe(1);
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(0);
    expect(await ctx.store.getObject(ALICE, name)).toBeNull();
    expect((await call(get, ctx, { method: 'GET', path: objectPath(name) })).status).toBe(404);
    // The bridge hears of it as a task.
    expect(changes).toEqual([expect.objectContaining({ kind: 'put', owner: ALICE, list: 'tasks', carried: false })]);

    const deleted = await call(deleteMethod, ctx, { method: 'DELETE', path: taskPath(name), headers: { 'if-match': created.headers.etag! } });
    expect(deleted.status).toBe(204);
    expect(changes[1]).toMatchObject({ kind: 'delete', owner: ALICE, list: 'tasks', name, uid: '6F2B9A10-3C4D-4E5F-8A9B-0C1D2E3F4A5B' });
    expect((await ctx.store.getCalendar(KEY)).seq).toBe(2);
  });

  it("takes Apple's recorded task template", async () => {
    const ctx = makeCtx();
    const body = apple('task_template.ics').replace(/00000000T000000Z/g, '20250301T090000Z');
    expect((await putIcs(ctx, taskPath('00000000-0000-0000-0000-000000000000.ics'), body)).status).toBe(201);
  });

  it('lists, queries and syncs the tasks list on its own', async () => {
    const ctx = makeCtx();
    await putIcs(ctx, objectPath('e1.ics'), eventIcs('e1'));
    await putIcs(ctx, taskPath('t1.ics'), todo('t1', 'DUE;VALUE=DATE:20250310'));
    await putIcs(ctx, taskPath('t2.ics'), todo('t2', 'STATUS:COMPLETED', 'COMPLETED:20250302T100000Z'));

    const listing = parseMultistatus((await call(propfind, ctx, { method: 'PROPFIND', path: TASKS, headers: { depth: '1' }, body: propfindBody('d:getetag', 'd:getcontenttype') })).body!);
    expect([...listing.responses.keys()]).toEqual([TASKS, taskPath('t1.ics'), taskPath('t2.ics')]);
    expect(listing.responses.get(taskPath('t1.ics'))!.get(D('getcontenttype'))?.element.text).toBe('text/calendar; charset=utf-8; component=vtodo');

    // calendar-query: the open to-dos (RFC 4791 §7.8.9's example filter) due in March.
    const query = `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"><c:prop-filter name="COMPLETED"><c:is-not-defined/></c:prop-filter><c:time-range start="20250301T000000Z" end="20250401T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
    const open = parseMultistatus((await call(report, ctx, { method: 'REPORT', path: TASKS, headers: { depth: '1' }, body: query })).body!);
    expect([...open.responses.keys()]).toEqual([taskPath('t1.ics')]);

    // sync-collection: its own token, which the calendar does not know.
    const sync = (path: string, token: string) =>
      call(report, ctx, { method: 'REPORT', path, body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>` });
    const first = parseMultistatus((await sync(TASKS, '')).body!);
    expect([...first.responses.keys()].sort()).toEqual([taskPath('t1.ics'), taskPath('t2.ics')]);
    await putIcs(ctx, taskPath('t3.ics'), todo('t3'));
    const next = parseMultistatus((await sync(TASKS, first.syncToken!)).body!);
    expect([...next.responses.keys()]).toEqual([taskPath('t3.ics')]);
    const elsewhere = await sync(objectPath(''), first.syncToken!);
    expect(elsewhere.status).toBe(403);
    expect(davError(elsewhere).condition?.name).toBe(D('valid-sync-token'));

    // multiget: an href into the calendar is not one of this list's objects.
    const multiget = `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><d:href>${taskPath('t1.ics')}</d:href><d:href>${objectPath('e1.ics')}</d:href></c:calendar-multiget>`;
    const got = parseMultistatus((await call(report, ctx, { method: 'REPORT', path: TASKS, body: multiget })).body!);
    expect(got.responses.get(taskPath('t1.ics'))!.get(D('getetag'))?.status).toBe(200);
    expect(got.statuses.get(objectPath('e1.ics'))).toBe(404);
  });

  it('keeps its own settings', async () => {
    const ctx = makeCtx();
    const res = await call(proppatch, ctx, { method: 'PROPPATCH', path: TASKS, body: proppatchBody(setProps('<d:displayname>Follow-ups</d:displayname>')) });
    expect(res.status).toBe(207);
    expect((await ctx.store.getCalendar(KEY)).props[D('displayname')]).toBe('Follow-ups');
    expect((await ctx.store.getCalendar(ALICE)).props).toEqual({});
  });

  it('cannot be deleted or created again', async () => {
    const ctx = makeCtx();
    expect((await call(deleteMethod, ctx, { method: 'DELETE', path: TASKS })).status).toBe(403);
    const again = await call(mkcalendar, ctx, { method: 'MKCALENDAR', path: TASKS, body: '' });
    expect(again.status).toBe(403);
    expect(davError(again).condition?.name).toBe(D('resource-must-be-null'));
  });
});

describe('to-dos in the wrong place', () => {
  it('the calendar refuses a VTODO and says where the tasks list is', async () => {
    const ctx = makeCtx();
    const res = await putIcs(ctx, objectPath('t1.ics'), todo('t1'));
    expect(res.status).toBe(403);
    const { condition, description } = davError(res);
    expect(condition?.name).toBe(C('supported-calendar-component'));
    expect(description).toContain(TASKS);
    expect(description).toMatch(/SyncFilter = todo/);
    expect((await ctx.store.getCalendar(ALICE)).seq).toBe(0);
  });

  it('the tasks list refuses a VEVENT and says where the calendar is', async () => {
    const ctx = makeCtx();
    const res = await putIcs(ctx, taskPath('e1.ics'), eventIcs('e1'));
    expect(res.status).toBe(403);
    const { condition, description } = davError(res);
    expect(condition?.name).toBe(C('supported-calendar-component'));
    expect(description).toContain(`/calendars/${ALICE}/crm/`);
    expect((await ctx.store.getCalendar(KEY)).seq).toBe(0);
  });

  it("answers Reminders' MKCALENDAR for a list with where the tasks list is", async () => {
    const ctx = makeCtx();
    const body = apple('startup_create_calendar.xml').replace('{component_type}', 'VTODO').replace('{order}', '3').replace('{color}', 'FF9500FF').replace('{name}', 'Reminders');
    const res = await call(mkcalendar, ctx, { method: 'MKCALENDAR', path: `/calendars/${ALICE}/6B0C2E0A-1D5B-4C3E-9F7A-0B1C2D3E4F5A/`, body });
    expect(res.status).toBe(403);
    const error = parseXml(res.body!);
    expect(findChild(error, C('calendar-collection-location-ok'))).toBeDefined();
    expect(findChild(error, D('responsedescription'))?.text).toContain(TASKS);
    // A calendar asked for the same way is refused as before.
    const events = await call(mkcalendar, ctx, { method: 'MKCALENDAR', path: `/calendars/${ALICE}/home/`, body: body.replace('VTODO', 'VEVENT') });
    expect(findChild(parseXml(events.body!), D('responsedescription'))?.text).toMatch(/not synced to the CRM/);
  });
});

describe('bad to-dos: 403 with the right precondition, nothing stored', () => {
  it.each([
    ['without UID', todo(null), 'valid-calendar-data', /needs a UID/],
    ['with DUE before DTSTART', todo('b1', 'DTSTART:20250310T090000Z', 'DUE:20250309T090000Z'), 'valid-calendar-data', /DUE is before DTSTART/],
    ['with DUE of another value type than DTSTART', todo('b2', 'DTSTART:20250310T090000Z', 'DUE;VALUE=DATE:20250311'), 'valid-calendar-data', /same value type/],
    ['with DUE and DURATION', todo('b3', 'DTSTART:20250310T090000Z', 'DUE:20250311T090000Z', 'DURATION:PT1H'), 'valid-calendar-data', /DUE or DURATION/],
    ['with DURATION but no DTSTART', todo('b4', 'DURATION:PT1H'), 'valid-calendar-data', /DURATION needs a DTSTART/],
    ['recurring without DTSTART or DUE', todo('b5', 'RRULE:FREQ=WEEKLY'), 'valid-calendar-data', /recurring VTODO needs both DTSTART/],
    ['recurring without DTSTART', todo('b6', 'DUE:20250311T090000Z', 'RRULE:FREQ=WEEKLY'), 'valid-calendar-data', /recurring VTODO needs both DTSTART/],
    ['recurring without DUE', todo('b7', 'DTSTART:20250311T090000Z', 'RRULE:FREQ=WEEKLY'), 'valid-calendar-data', /recurring VTODO needs both DTSTART/],
    ['with two masters', todo('b8').replace('END:VTODO\r\n', 'END:VTODO\r\nBEGIN:VTODO\r\nUID:b8\r\nDTSTAMP:20250101T000000Z\r\nEND:VTODO\r\n'), 'valid-calendar-object-resource', /one task/],
    ['mixed with a VEVENT', todo('b9').replace('END:VCALENDAR', 'BEGIN:VEVENT\r\nUID:b9\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR'), 'supported-calendar-component', /Events \(VEVENT\) go to the CRM calendar/],
  ])('%s', async (_what, body, condition, message) => {
    const ctx = makeCtx();
    const res = await putIcs(ctx, taskPath('bad.ics'), body);
    expect(res.status).toBe(403);
    const error = davError(res);
    expect(error.condition?.name).toBe(C(condition));
    expect(error.description).toMatch(message);
    expect((await ctx.store.getCalendar(KEY)).seq).toBe(0);
    expect(await ctx.store.listObjects(KEY)).toEqual([]);
  });

  it('takes a due-only to-do, one with DUE equal to DTSTART, and a recurring one with both', async () => {
    const ctx = makeCtx();
    expect((await putIcs(ctx, taskPath('g1.ics'), todo('g1', 'DUE;VALUE=DATE:20250311'))).status).toBe(201);
    expect((await putIcs(ctx, taskPath('g2.ics'), todo('g2', 'DTSTART:20250311T090000Z', 'DUE:20250311T090000Z'))).status).toBe(201);
    expect((await putIcs(ctx, taskPath('g3.ics'), todo('g3', 'DTSTART:20250311T090000Z', 'DUE:20250311T090000Z', 'RRULE:FREQ=WEEKLY;COUNT=3'))).status).toBe(201);
  });
});
