/**
 * GuessStore on the activity table: pk = user e-mail, sk = `guesses#<password>` (the stored
 * password's digest: a new password starts uncounted), {tries, windowStart (epoch ms), expiresAt}. Conditional UpdateItems only: the one write every authenticating function's
 * role has on that table (`note`), and no read, so counting costs nothing where nothing is guessed.
 */
import { updateItem } from '../platform/dynamodb/document';
import { fromWire, type Wired } from '../platform/dynamodb/wire-values';
import { conditionally, conditionFailed } from '../platform/dynamodb/retry';
import type { DynamoDoc } from '../platform/dynamodb/wire';
import { GUESS_LIMIT, GUESS_WINDOW_MS, type GuessCount, type Guessed, type GuessStore } from './guesses';

const keyOf = (of: Guessed) => ({ pk: of.email, sk: `guesses#${of.password}` });
/** Kept a day past its window, then removed by TTL. */
const KEEP_SECONDS = 24 * 3600;

export class DynamoGuessStore implements GuessStore {
  constructor(
    private readonly doc: DynamoDoc,
    private readonly table: string,
  ) {}

  async count(of: Guessed, now: Date): Promise<GuessCount> {
    const at = now.getTime();
    const cutoff = at - GUESS_WINDOW_MS;
    const ttl = Math.floor((at + GUESS_WINDOW_MS) / 1000) + KEEP_SECONDS;
    const inWindow = () => this.update(of, 'ADD tries :one', 'windowStart > :cutoff AND tries < :limit', { ':one': 1, ':cutoff': cutoff, ':limit': GUESS_LIMIT });
    const newWindow = () => this.update(of, 'SET tries = :one, windowStart = :at, expiresAt = :ttl', 'attribute_not_exists(windowStart) OR windowStart <= :cutoff', { ':one': 1, ':at': at, ':cutoff': cutoff, ':ttl': ttl });
    // A try within the current window, below the limit; else, with no window or one that has ended,
    // a new window; else once more within it, for a window another container has just started.
    let tried = await inWindow();
    if (!tried.made) tried = await newWindow();
    if (!tried.made) tried = await inWindow();
    if (tried.made) return { allowed: true };
    // The current window holds GUESS_LIMIT tries: refused until it ends (from now, were its start not known).
    return { allowed: false, until: new Date((tried.windowStart ?? at) + GUESS_WINDOW_MS) };
  }

  /** One conditional UpdateItem of the account's count: whether it was made, and if not, when the stored window started. */
  private async update(of: Guessed, expression: string, condition: string, values: Record<string, number>): Promise<{ made: boolean; windowStart?: number }> {
    try {
      await updateItem(this.doc, {
        TableName: this.table,
        Key: keyOf(of),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { made: true };
    } catch (err) {
      if (!conditionFailed(err)) throw err;
      const old = (err as { Item?: Wired }).Item;
      const start = old ? Number(fromWire(old).windowStart) : NaN;
      return { made: false, ...(Number.isFinite(start) && { windowStart: start }) };
    }
  }

  async clear(of: Guessed): Promise<void> {
    // Never an item made here: the count made it, with its expiry.
    await conditionally(() => updateItem(this.doc, { TableName: this.table, Key: keyOf(of), UpdateExpression: 'REMOVE tries, windowStart', ConditionExpression: 'attribute_exists(pk)' }));
  }
}
