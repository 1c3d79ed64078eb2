import { describe, expect, it } from 'vitest';
import { report } from '../../../lambda/core/methods/report';
import { hrefs } from '../../../lambda/core/paths';
import { ALICE, BOB, call, makeCtx, seedObject } from '../methods/harness';
import { multigetBody, reportBody } from './helpers';

const run = (path: string, body: string) => call(report, makeCtx(ALICE), { method: 'REPORT', path, body });

describe('REPORT dispatch', () => {
  it('malformed XML and empty bodies are 400', async () => {
    expect((await run(hrefs.calendar(ALICE), '<c:calendar-query')).status).toBe(400);
    expect((await run(hrefs.calendar(ALICE), '')).status).toBe(400);
  });

  it('an unknown report is 403 with DAV:supported-report', async () => {
    const res = await run(hrefs.calendar(ALICE), reportBody('d:expand-property', ''));
    expect(res.status).toBe(403);
    expect(res.body).toContain('supported-report');
    const free = await run(hrefs.calendar(ALICE), reportBody('c:free-busy-query', '<c:time-range start="20250101T000000Z"/>'));
    expect(free.status).toBe(403);
  });

  it('calendar reports elsewhere than the calendar are 403 supported-report', async () => {
    for (const path of [hrefs.home(ALICE), hrefs.principal(ALICE), '/']) {
      const res = await run(path, multigetBody('<d:getetag/>', []));
      expect(res.status, path).toBe(403);
      expect(res.body).toContain('supported-report');
    }
    const sync = reportBody('d:sync-collection', '<d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>');
    const ctx = makeCtx(ALICE);
    const missing = await call(report, ctx, { method: 'REPORT', path: hrefs.object(ALICE, 'x.ics'), body: sync });
    expect(missing.status).toBe(404);
    await seedObject(ctx, ALICE, 'x.ics');
    const onObject = await call(report, ctx, { method: 'REPORT', path: hrefs.object(ALICE, 'x.ics'), body: sync });
    expect(onObject.status).toBe(403);
    expect(onObject.body).toContain('supported-report');
  });

  it("another user's resources, and unknown paths, are 404", async () => {
    expect((await run(hrefs.calendar(BOB), multigetBody('<d:getetag/>', []))).status).toBe(404);
    expect((await run(hrefs.object(BOB, 'a.ics'), multigetBody('<d:getetag/>', []))).status).toBe(404);
    expect((await run('/calendars/alice@example.com/other/', multigetBody('<d:getetag/>', []))).status).toBe(404);
  });
});
