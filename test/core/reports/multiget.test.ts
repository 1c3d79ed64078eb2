import { describe, expect, it } from 'vitest';
import { report } from '../../../lambda/core/methods/report';
import { hrefs } from '../../../lambda/core/paths';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, BOB, call, makeCtx } from '../methods/harness';
import { event, multigetBody, store } from './helpers';

const CAL = '{urn:ietf:params:xml:ns:caldav}';
const D = '{DAV:}';

async function setup() {
  const ctx = makeCtx(ALICE);
  const one = await store(ctx, ALICE, 'one.ics', event('UID:one', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250110T090000Z', 'SUMMARY:One'));
  const two = await store(ctx, ALICE, 'two two.ics', event('UID:two', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250111T090000Z', 'SUMMARY:Two'));
  const bobs = await store(ctx, BOB, 'secret.ics', event('UID:secret', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250111T090000Z', 'SUMMARY:Secret'));
  return { ctx, one, two, bobs };
}

const multiget = (ctx: ReturnType<typeof makeCtx>, body: string, path = hrefs.calendar(ALICE)) =>
  call(report, ctx, { method: 'REPORT', path, headers: { depth: '1' }, body });

describe('calendar-multiget', () => {
  it('returns getetag and calendar-data for each href, byte-identical', async () => {
    const { ctx, one, two } = await setup();
    const res = await multiget(
      ctx,
      multigetBody('<d:getetag/><c:calendar-data/>', [hrefs.object(ALICE, 'one.ics'), hrefs.object(ALICE, 'two two.ics')]),
    );
    expect(res.status).toBe(207);
    const ms = parseMultistatus(res.body ?? '');
    const first = ms.responses.get('/calendars/alice@example.com/crm/one.ics');
    expect(first?.get(`${D}getetag`)).toMatchObject({ status: 200, element: { text: one.etag } });
    expect(first?.get(`${CAL}calendar-data`)?.element.text.replace(/\r?\n/g, '\n')).toBe(one.ics.replace(/\r\n/g, '\n').trim());
    expect(ms.responses.get('/calendars/alice@example.com/crm/two%20two.ics')?.get(`${D}getetag`)?.element.text).toBe(two.etag);
  });

  it('accepts absolute URLs and %40-encoded e-mails', async () => {
    const { ctx, one } = await setup();
    const res = await multiget(
      ctx,
      multigetBody('<d:getetag/>', [
        'https://dav.example.com/calendars/alice%40example.com/crm/one.ics',
        '/calendars/Alice%40Example.com/crm/two%20two.ics',
      ]),
    );
    const ms = parseMultistatus(res.body ?? '');
    expect(ms.responses.get(hrefs.object(ALICE, 'one.ics'))?.get(`${D}getetag`)?.element.text).toBe(one.etag);
    expect(ms.responses.has(hrefs.object(ALICE, 'two two.ics'))).toBe(true);
  });

  it('answers 404 for missing objects and for anything that is not one of the own objects', async () => {
    const { ctx } = await setup();
    const missing = hrefs.object(ALICE, 'gone.ics');
    const foreign = hrefs.object(BOB, 'secret.ics');
    const collection = hrefs.calendar(ALICE);
    const res = await multiget(ctx, multigetBody('<d:getetag/><c:calendar-data/>', [missing, foreign, collection, '%zz']));
    expect(res.status).toBe(207);
    const ms = parseMultistatus(res.body ?? '');
    expect(ms.statuses.get(missing)).toBe(404);
    expect(ms.statuses.get(foreign)).toBe(404);
    expect(ms.statuses.get(collection)).toBe(404);
    expect(ms.statuses.get('%zz')).toBe(404);
    expect(res.body).not.toContain('Secret');
  });

  it('unknown properties are 404 inside the propstat', async () => {
    const { ctx } = await setup();
    const res = await multiget(ctx, multigetBody('<d:getetag/><d:foo/>', [hrefs.object(ALICE, 'one.ics')]));
    const props = parseMultistatus(res.body ?? '').responses.get(hrefs.object(ALICE, 'one.ics'));
    expect(props?.get(`${D}getetag`)?.status).toBe(200);
    expect(props?.get(`${D}foo`)?.status).toBe(404);
  });

  it('works on an object request-URI too', async () => {
    const { ctx } = await setup();
    const res = await multiget(ctx, multigetBody('<d:getetag/>', [hrefs.object(ALICE, 'one.ics')]), hrefs.object(ALICE, 'one.ics'));
    expect(res.status).toBe(207);
  });

  it("on another user's calendar: 404 whatever the body", async () => {
    const { ctx } = await setup();
    const res = await multiget(ctx, multigetBody('<d:getetag/>', [hrefs.object(BOB, 'secret.ics')]), hrefs.calendar(BOB));
    expect(res.status).toBe(404);
  });
});
