/** The scheduled pass on DynamoDB Local: due exports run side by side, bounded. */
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
});
