/** retryOnRace: bounded in rounds and in time, jittered, domain errors passed through. */
import { describe, expect, it } from 'vitest';
import { retryOnRace } from '../../../lambda/platform/dynamodb/retry';
import { WRITE_RACE_ATTEMPTS } from '../../../lambda/store/dynamodb/write';

const lost = Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]'), {
  name: 'TransactionCanceledException',
});

describe('retryOnRace', () => {
  it('re-runs a lost race until it commits', async () => {
    let rounds = 0;
    const result = await retryOnRace(async () => (++rounds < 5 ? Promise.reject(lost) : 'committed'), { exhausted: () => new Error('gave up'), capMs: 1 });
    expect([result, rounds]).toEqual(['committed', 5]);
  });

  it('gives up after maxAttempts rounds', async () => {
    let rounds = 0;
    await expect(retryOnRace(async () => (rounds++, Promise.reject(lost)), { maxAttempts: 7, capMs: 1, exhausted: () => new Error('gave up') })).rejects.toThrow('gave up');
    expect(rounds).toBe(7);
  });

  it('gives up once its time budget is spent, whatever rounds are left', async () => {
    let rounds = 0;
    const started = Date.now();
    await expect(
      retryOnRace(async () => (rounds++, await new Promise((r) => setTimeout(r, 20)), Promise.reject(lost)), { maxAttempts: 1000, budgetMs: 150, capMs: 1, exhausted: () => new Error('out of time') }),
    ).rejects.toThrow('out of time');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(rounds).toBeGreaterThan(2);
    expect(rounds).toBeLessThan(20);
  });

  it('starts no round its predecessor says would end past the deadline', async () => {
    const rounds: Array<{ start: number; end: number }> = [];
    const deadline = Date.now() + 150;
    await expect(
      retryOnRace(
        async () => {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, 30));
          rounds.push({ start, end: Date.now() });
          throw lost;
        },
        { maxAttempts: 1000, deadline, capMs: 1, exhausted: () => new Error('out of time') },
      ),
    ).rejects.toThrow('out of time');
    // Given up on time, not rounds; and each round that was followed by another ended early enough
    // for one more of its length (a machine's stalls only make rounds longer, so fewer).
    expect(rounds.length).toBeLessThan(1000);
    for (const [i, r] of rounds.slice(0, -1).entries()) expect(r.end + (r.end - r.start), `round ${i + 1}`).toBeLessThan(deadline);
    // A deadline already passed still lets the first round run.
    let once = 0;
    await expect(retryOnRace(async () => (once++, Promise.reject(lost)), { deadline: Date.now() - 1, exhausted: () => new Error('out of time') })).rejects.toThrow('out of time');
    expect(once).toBe(1);
  });

  it('passes any other error through at once', async () => {
    let rounds = 0;
    await expect(retryOnRace(async () => (rounds++, Promise.reject(new Error('precondition'))), { exhausted: () => new Error('gave up') })).rejects.toThrow('precondition');
    expect(rounds).toBe(1);
  });

  it('gives a phone write twice the default rounds', () => {
    expect(WRITE_RACE_ATTEMPTS).toBe(40);
  });

  it('waits longer between slow rounds (spread), so colliding writers stop colliding', async () => {
    const waits: number[] = [];
    let last = Date.now();
    let rounds = 0;
    await retryOnRace(
      async () => {
        waits.push(Date.now() - last);
        await new Promise((r) => setTimeout(r, 30));
        last = Date.now();
        if (++rounds < 12) throw lost;
      },
      { maxAttempts: 20, capMs: 1, spread: 4, exhausted: () => new Error('gave up') },
    );
    // Without spread every wait would be under 1 ms; with it some reach past the 30 ms rounds.
    expect(Math.max(...waits.slice(1))).toBeGreaterThan(5);
  });
});
