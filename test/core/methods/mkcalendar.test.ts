import { expect, it } from 'vitest';
import { mkcalendar } from '../../../lambda/core/methods/mkcalendar';
import { findChild, parseXml } from '../../../lambda/core/xml';
import { call, makeCtx } from './harness';

const body = `<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Home</d:displayname></d:prop></d:set></c:mkcalendar>`;

it('refuses new calendars with calendar-collection-location-ok and says why', async () => {
  const ctx = makeCtx();
  const res = await call(mkcalendar, ctx, { method: 'MKCALENDAR', path: '/calendars/alice@example.com/home-cal/', body });
  expect(res.status).toBe(403);
  const error = parseXml(res.body ?? '');
  expect(error.name).toBe('{DAV:}error');
  expect(findChild(error, '{urn:ietf:params:xml:ns:caldav}calendar-collection-location-ok')).toBeDefined();
  expect(findChild(error, '{DAV:}responsedescription')?.text).toMatch(/not synced to the CRM/);
  expect((await ctx.store.getCalendar('alice@example.com')).props).toEqual({});
});

it('says the CRM calendar already exists when asked to create it', async () => {
  const res = await call(mkcalendar, makeCtx(), { method: 'MKCALENDAR', path: '/calendars/alice@example.com/crm/', body });
  expect(res.status).toBe(403);
  expect(findChild(parseXml(res.body ?? ''), '{DAV:}resource-must-be-null')).toBeDefined();
});

it("answers 404 under another user's home", async () => {
  const res = await call(mkcalendar, makeCtx(), { method: 'MKCALENDAR', path: '/calendars/bob@example.com/x/', body });
  expect(res.status).toBe(404);
});
