import { describe, expect, it } from 'vitest';
import { report } from '../../../lambda/core/methods/report';
import { hrefs } from '../../../lambda/core/paths';
import { parseMultistatus } from '../../helpers/multistatus';
import { ALICE, BOB, call, makeCtx } from '../methods/harness';
import { event, eventFilter, fixture, queryBody, store, timeRange } from './helpers';

const CALDATA = '{urn:ietf:params:xml:ns:caldav}calendar-data';

async function setup() {
  const ctx = makeCtx(ALICE);
  await store(ctx, ALICE, 'standup.ics', fixture('recurring-berlin.ics'), { start: Date.UTC(2025, 0, 6, 8), end: Date.UTC(2025, 2, 10, 9) });
  await store(ctx, ALICE, 'holiday.ics', fixture('all-day.ics'), { start: Date.UTC(2025, 0, 20), end: Date.UTC(2025, 0, 22) });
  await store(
    ctx,
    ALICE,
    'lunch.ics',
    event('UID:lunch', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250115T120000Z', 'DTEND:20250115T130000Z', 'SUMMARY:Lunch with Bob', 'LOCATION:Café'),
    { start: Date.UTC(2025, 0, 15, 12), end: Date.UTC(2025, 0, 15, 13) },
  );
  await store(ctx, BOB, 'bob.ics', event('UID:bob', 'DTSTAMP:20250101T000000Z', 'DTSTART:20250115T120000Z', 'SUMMARY:Bob only'));
  return ctx;
}

async function query(ctx: ReturnType<typeof makeCtx>, filter: string, props = '<d:getetag/>', extra = '') {
  const res = await call(report, ctx, {
    method: 'REPORT',
    path: hrefs.calendar(ALICE),
    headers: { depth: '1' },
    body: queryBody(props, filter, extra),
  });
  return res;
}

const names = async (ctx: ReturnType<typeof makeCtx>, filter: string, extra = '') => {
  const res = await query(ctx, filter, '<d:getetag/>', extra);
  expect(res.status).toBe(207);
  return [...parseMultistatus(res.body ?? '').responses.keys()].map((h) => decodeURIComponent(h.split('/').pop() ?? ''));
};

describe('calendar-query', () => {
  it('VCALENDAR > VEVENT without range lists every event of the user only', async () => {
    const ctx = await setup();
    expect(await names(ctx, eventFilter(''))).toEqual(['holiday.ics', 'lunch.ics', 'standup.ics']);
  });

  it('time-range expands recurrences: EXDATE and moved occurrences', async () => {
    const ctx = await setup();
    // Week of 20 Jan: standup excluded that Monday; holiday on 20-21.
    expect(await names(ctx, eventFilter(timeRange('20250120T000000Z', '20250121T000000Z')))).toEqual(['holiday.ics']);
    // 13 Jan: the standup moved to the 14th.
    expect(await names(ctx, eventFilter(timeRange('20250113T000000Z', '20250114T000000Z')))).toEqual([]);
    expect(await names(ctx, eventFilter(timeRange('20250114T000000Z', '20250115T000000Z')))).toEqual(['standup.ics']);
    // A later occurrence, far from the first one.
    expect(await names(ctx, eventFilter(timeRange('20250303T000000Z', '20250304T000000Z')))).toEqual(['standup.ics']);
    expect(await names(ctx, eventFilter(timeRange('20250115T000000Z', '20250116T000000Z')))).toEqual(['lunch.ics']);
  });

  it('all-day dates follow the calendar time zone (CALDAV:timezone in the query)', async () => {
    const ctx = await setup();
    const range = eventFilter(timeRange('20250121T233000Z', '20250122T010000Z'));
    expect(await names(ctx, range)).toEqual(['holiday.ics']);
    const tz = `<c:timezone>${fixture('recurring-berlin.ics').replace(/&/g, '&amp;').replace(/</g, '&lt;')}</c:timezone>`;
    expect(await names(ctx, range, tz)).toEqual([]);
  });

  it('prop-filter text-match with collations, and is-not-defined', async () => {
    const ctx = await setup();
    const summary = (attrs: string, text: string) =>
      eventFilter(`<c:prop-filter name="SUMMARY"><c:text-match${attrs}>${text}</c:text-match></c:prop-filter>`);
    expect(await names(ctx, summary('', 'LUNCH'))).toEqual(['lunch.ics']);
    expect(await names(ctx, summary(' collation="i;octet"', 'LUNCH'))).toEqual([]);
    expect(await names(ctx, summary(' negate-condition="yes"', 'lunch'))).toEqual(['holiday.ics', 'standup.ics']);
    const location = (inner: string) => eventFilter(`<c:prop-filter name="LOCATION">${inner}</c:prop-filter>`);
    expect(await names(ctx, location('<c:text-match collation="i;unicode-casemap">CAFÉ</c:text-match>'))).toEqual(['lunch.ics']);
    expect(await names(ctx, location('<c:is-not-defined/>'))).toEqual(['holiday.ics']);
  });

  it('returns calendar-data of the matches', async () => {
    const ctx = await setup();
    const res = await query(ctx, eventFilter(timeRange('20250115T000000Z', '20250116T000000Z')), '<d:getetag/><c:calendar-data/>');
    const data = parseMultistatus(res.body ?? '').responses.get(hrefs.object(ALICE, 'lunch.ics'))?.get(CALDATA);
    expect(data?.element.text).toContain('SUMMARY:Lunch with Bob');
  });

  it('relies on the store prefilter but matches exactly', async () => {
    const ctx = await setup();
    // The store bounds say "maybe" for the whole standup series; the exact match still says no.
    expect(await names(ctx, eventFilter(timeRange('20250204T000000Z', '20250210T000000Z')))).toEqual([]);
  });

  it('unknown collation is 403 supported-collation; bad filters 403 valid-filter', async () => {
    const ctx = await setup();
    const collation = await query(
      ctx,
      eventFilter('<c:prop-filter name="SUMMARY"><c:text-match collation="i;klingon">x</c:text-match></c:prop-filter>'),
    );
    expect(collation.status).toBe(403);
    expect(collation.body).toContain('supported-collation');
    const bad = await query(ctx, eventFilter('<c:time-range start="yesterday"/>'));
    expect(bad.status).toBe(403);
    expect(bad.body).toContain('valid-filter');
    const none = await call(report, ctx, {
      method: 'REPORT',
      path: hrefs.calendar(ALICE),
      body: '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop></c:calendar-query>',
    });
    expect(none.status).toBe(403);
    expect(none.body).toContain('valid-filter');
  });

  it('on a single object: that object if it matches', async () => {
    const ctx = await setup();
    const on = (path: string, filter: string) =>
      call(report, ctx, { method: 'REPORT', path, headers: { depth: '0' }, body: queryBody('<d:getetag/>', filter) });
    const hit = await on(hrefs.object(ALICE, 'lunch.ics'), eventFilter(''));
    expect([...parseMultistatus(hit.body ?? '').responses.keys()]).toEqual([hrefs.object(ALICE, 'lunch.ics')]);
    const miss = await on(hrefs.object(ALICE, 'lunch.ics'), eventFilter(timeRange('20250301T000000Z', '20250302T000000Z')));
    expect(parseMultistatus(miss.body ?? '').responses.size).toBe(0);
  });
});
