/** One contract for both outboxes: memory always, DynamoDB on the run's DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { OUTBOX_TABLE } from '../../lambda/store/dynamodb/schema';
import { MemoryOutbox, type Outbox } from '../../lambda/sync/outbox';
import { DynamoOutbox } from '../../lambda/sync/outbox-dynamodb';
import { tablePerTest } from '../helpers/dynamo';

const A = 'alice@example.com';
const fail = (name: string, uid: string, at: string, error = 'CrmUnavailable: down', owner = A) => ({ owner, name, uid, at, error });

function contract(make: () => Promise<Outbox>) {
  it('records one entry per href, counting failures and collecting UIDs', async () => {
    const box = await make();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:00:00.000Z'));
    await box.record(fail('a.ics', 'u2', '2024-01-01T00:01:00.000Z', 'later'));
    await box.record(fail('a.ics', 'u2', '2024-01-01T00:02:00.000Z', 'latest'));
    expect(await box.list()).toEqual([
      { owner: A, name: 'a.ics', uids: ['u1', 'u2'], rev: 3, attempts: 3, firstFailedAt: '2024-01-01T00:00:00.000Z', lastFailedAt: '2024-01-01T00:02:00.000Z', lastError: 'latest' },
    ]);
  });

  it('lists oldest first, by owner (case-insensitive) when asked', async () => {
    const box = await make();
    await box.record(fail('new.ics', 'n', '2024-01-02T00:00:00.000Z'));
    await box.record(fail('old.ics', 'o', '2024-01-01T00:00:00.000Z'));
    await box.record(fail('b.ics', 'b', '2024-01-01T12:00:00.000Z', 'x', 'Bob@Example.com'));
    expect((await box.list()).map((e) => e.name)).toEqual(['old.ics', 'b.ics', 'new.ics']);
    expect((await box.list('BOB@example.com')).map((e) => [e.owner, e.name])).toEqual([['bob@example.com', 'b.ics']]);
  });

  it('removes only at the rev the replay read', async () => {
    const box = await make();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:00:00.000Z'));
    const [seen] = await box.list();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:01:00.000Z'));
    expect(await box.remove(seen!, seen!.rev)).toBe(false);
    const [now] = await box.list();
    expect(await box.remove(now!, now!.rev)).toBe(true);
    expect(await box.list()).toEqual([]);
  });

  it('notes replay failures without re-creating delivered entries', async () => {
    const box = await make();
    await box.record(fail('a.ics', 'u1', '2024-01-01T00:00:00.000Z'));
    await box.noteFailure({ owner: A, name: 'a.ics' }, 'still down', '2024-01-01T00:05:00.000Z');
    expect((await box.list())[0]).toMatchObject({ attempts: 2, rev: 1, lastError: 'still down', lastFailedAt: '2024-01-01T00:05:00.000Z' });
    await box.noteFailure({ owner: A, name: 'gone.ics' }, 'x', '2024-01-01T00:05:00.000Z');
    expect(await box.list()).toHaveLength(1);
  });
}

describe('MemoryOutbox', () => contract(async () => new MemoryOutbox()));

describe('DynamoOutbox', () => contract(tablePerTest(OUTBOX_TABLE, (doc, table) => new DynamoOutbox(doc, table))));
