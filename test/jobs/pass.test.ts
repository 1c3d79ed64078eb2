/** The scheduled pass on DynamoDB Local: due exports run side by side, bounded. */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_CONCURRENCY, runScheduledPass } from '../../lambda/jobs/pass';
import { jobWorld, user, type JobWorld } from './world';

const EMAILS = ['a@zillum.com', 'b@zillum.com', 'c@zillum.com', 'd@zillum.com', 'e@zillum.com', 'f@zillum.com'];

describe('scheduled pass', () => {
  let w: JobWorld;
  beforeAll(async () => {
    w = await jobWorld(EMAILS.map((e) => user(e)));
  });
  afterAll(() => w.t.drop());

  it(`runs due exports in parallel, at most ${EXPORT_CONCURRENCY} at once, reporting them in e-mail order`, async () => {
    let inFlight = 0;
    let peak = 0;
    const crm = Object.create(w.deps.crm) as typeof w.deps.crm;
    // Each export starts by reading its CRM user: hold each read until enough are in flight.
    crm.getUser = async (email) => {
      peak = Math.max(peak, ++inFlight);
      for (let i = 0; i < 40 && inFlight < EXPORT_CONCURRENCY; i++) await new Promise((r) => setTimeout(r, 25));
      inFlight--;
      return w.deps.crm.getUser(email);
    };
    const report = await runScheduledPass({ ...w.deps, crm }, { exportsOnly: true });
    expect(report.exports.map((e) => e.email)).toEqual(EMAILS);
    expect(report.exports.every((e) => 'outcome' in e && e.outcome === 'done')).toBe(true);
    expect(peak).toBe(EXPORT_CONCURRENCY);
  });

  it("builds the listing index of calendars written before it, and lists them from it afterwards", async () => {
    const owner = EMAILS[0]!;
    const ics = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:old\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261102T090000Z\r\nSUMMARY:old\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    await w.store.putObject(owner, { name: 'old.ics', uid: 'old', etag: '"b2xk"', ics, lastModified: '2026-11-01T00:00:00.000Z', size: ics.length, rangeStart: 0, rangeEnd: null, recurring: false });
    // As an older release left it: no summary, not marked.
    await w.t.doc.send(new DeleteCommand({ TableName: w.t.tables.events, Key: { pk: owner, sk: 'sum#old.ics' } }));
    await w.t.doc.send(new UpdateCommand({ TableName: w.t.tables.sync, Key: { pk: owner, seq: 0 }, UpdateExpression: 'REMOVE summarized' }));
    await runScheduledPass(w.deps);
    const calendar = await w.t.doc.send(new GetCommand({ TableName: w.t.tables.sync, Key: { pk: owner, seq: 0 }, ConsistentRead: true }));
    expect(calendar.Item?.summarized).toBe(true);
    const summary = await w.t.doc.send(new GetCommand({ TableName: w.t.tables.events, Key: { pk: owner, sk: 'sum#old.ics' }, ConsistentRead: true }));
    expect(summary.Item).toMatchObject({ z: ics.length, a: 0 });
  });
});
