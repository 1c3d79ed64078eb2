/** One contract for both outboxes: memory always, DynamoDB on the run's DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { OUTBOX_TABLE } from '../../lambda/store/dynamodb/schema';
import { MemoryOutbox, type Outbox } from '../../lambda/sync/outbox';
import { DynamoOutbox } from '../../lambda/sync/outbox-dynamodb';
import { tablePerTest } from '../helpers/dynamo';

const A = 'alice@example.com';
const fail = (name: string, uid: string, at: string, error = 'CrmUnavailable: down', owner = A) => ({ owner, name, uids: [uid], at, error });
const pending = (name: string, uids: string[], at: string, owner = A) => ({ owner, name, uids, at });
const T0 = Date.parse('2024-01-01T00:00:00.000Z');

function contract(make: () => Promise<Outbox>) {
  it('records one entry per href, counting failures and collecting UIDs', async () => {
    const box = await make();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:00:00.000Z'));
    await box.record(fail('a.ics', 'u2', '2024-01-01T00:01:00.000Z', 'later'));
    await box.record(fail('a.ics', 'u2', '2024-01-01T00:02:00.000Z', 'latest'));
    expect(await box.list()).toEqual([
      { owner: A, name: 'a.ics', uids: ['u1', 'u2'], rev: 3, attempts: 3, pendingSince: '2024-01-01T00:00:00.000Z', lastFailedAt: '2024-01-01T00:02:00.000Z', lastError: 'latest' },
    ]);
  });

  it('records a change on its way (outbox-first) without an attempt or an error; a later failure keeps when it began', async () => {
    const box = await make();
    await box.record(pending('a.ics', ['u1', 'old'], '2024-01-01T00:00:00.000Z'));
    expect(await box.list()).toEqual([{ owner: A, name: 'a.ics', uids: ['old', 'u1'], rev: 1, attempts: 0, pendingSince: '2024-01-01T00:00:00.000Z', lastFailedAt: null, lastError: null }]);
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:03:00.000Z'));
    expect((await box.list())[0]).toMatchObject({ rev: 2, attempts: 1, pendingSince: '2024-01-01T00:00:00.000Z', lastFailedAt: '2024-01-01T00:03:00.000Z' });
  });

  it('lists oldest first, by owner (case-insensitive) when asked', async () => {
    const box = await make();
    await box.record(fail('new.ics', 'n', '2024-01-02T00:00:00.000Z'));
    await box.record(fail('old.ics', 'o', '2024-01-01T00:00:00.000Z'));
    await box.record(fail('b.ics', 'b', '2024-01-01T12:00:00.000Z', 'x', 'Bob@Example.com'));
    expect((await box.list()).map((e) => e.name)).toEqual(['old.ics', 'b.ics', 'new.ics']);
    expect((await box.list('BOB@example.com')).map((e) => [e.owner, e.name])).toEqual([['bob@example.com', 'b.ics']]);
  });

  it('removes only at the rev the delivery read', async () => {
    const box = await make();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:00:00.000Z'));
    const [seen] = await box.list();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:01:00.000Z'));
    expect(await box.remove(seen!, seen!.rev)).toBe(false);
    const [now] = await box.list();
    expect(await box.remove(now!, now!.rev)).toBe(true);
    expect(await box.list()).toEqual([]);
  });

  it('notes delivery failures without re-creating delivered entries', async () => {
    const box = await make();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:00:00.000Z'));
    await box.noteFailure({ owner: A, name: 'a.ics' }, 'still down', '2024-01-01T00:05:00.000Z');
    expect((await box.list())[0]).toMatchObject({ attempts: 2, rev: 1, lastError: 'still down', lastFailedAt: '2024-01-01T00:05:00.000Z' });
    await box.noteFailure({ owner: A, name: 'gone.ics' }, 'x', '2024-01-01T00:05:00.000Z');
    expect(await box.list()).toHaveLength(1);
  });

  it('leases an entry to one delivery at a time, until it lets go or the lease runs out', async () => {
    const box = await make();
    const key = { owner: A, name: 'a.ics' };
    expect(await box.claim(key, { holder: 'w1', until: T0 + 60_000 }, T0)).toBeNull();
    await box.record(pending('a.ics', ['u1'], '2024-01-01T00:00:00.000Z'));
    expect(await box.claim(key, { holder: 'w1', until: T0 + 60_000 }, T0)).toMatchObject({ rev: 1, uids: ['u1'] });
    expect(await box.claim(key, { holder: 'w2', until: T0 + 60_000 }, T0 + 1_000)).toBeNull();
    // A write while w1 delivers: w1's removal finds a newer rev and lets go; w2 may take it.
    await box.record(pending('a.ics', ['u1'], '2024-01-01T00:00:02.000Z'));
    expect(await box.remove(key, 1, 'w1')).toBe(false);
    expect(await box.claim(key, { holder: 'w2', until: T0 + 60_000 }, T0 + 2_000)).toMatchObject({ rev: 2 });
    // w2 fails: the failure is counted and its lease let go, so w1 may try again.
    await box.noteFailure(key, 'CrmUnavailable: down', '2024-01-01T00:00:03.000Z', 'w2');
    expect(await box.claim(key, { holder: 'w1', until: T0 + 60_000 }, T0 + 3_000)).toMatchObject({ rev: 2, attempts: 1 });
    // A holder that died: its lease runs out.
    expect(await box.claim(key, { holder: 'w3', until: T0 + 200_000 }, T0 + 59_000)).toBeNull();
    expect(await box.claim(key, { holder: 'w3', until: T0 + 200_000 }, T0 + 60_000)).toMatchObject({ rev: 2 });
    expect(await box.remove(key, 2, 'w3')).toBe(true);
    expect(await box.list()).toEqual([]);
  });
}

describe('MemoryOutbox', () => contract(async () => new MemoryOutbox()));

describe('DynamoOutbox', () => contract(tablePerTest(OUTBOX_TABLE, (doc, table) => new DynamoOutbox(doc, table))));
