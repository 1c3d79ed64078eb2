/**
 * GuessStore on the activity table: pk = user e-mail, sk = `guesses`, {tries, windowStart (epoch
 * ms), expiresAt}. Conditional UpdateItems only: the one write every authenticating function's
 * role has on that table (`note`), and no read, so counting costs nothing where nothing is guessed.
 */
import { updateItem } from '../platform/dynamodb/document';
import { isNamed } from '../platform/dynamodb/retry';
import type { DynamoDoc } from '../platform/dynamodb/wire';
import { GUESS_LIMIT, GUESS_WINDOW_MS, type GuessCount, type GuessStore } from './guesses';

const SK = 'guesses';
/** Kept a day past its window, then removed by TTL. */
const KEEP_SECONDS = 24 * 3600;

const conditionFailed = (err: unknown) => isNamed(err, 'ConditionalCheckFailedException');

export class DynamoGuessStore implements GuessStore {
  constructor(
    private readonly doc: DynamoDoc,
    private readonly table: string,
  ) {}

  async count(email: string, now: Date): Promise<GuessCount> {
    const at = now.getTime();
    const cutoff = at - GUESS_WINDOW_MS;
    const key = { pk: email, sk: SK };
    try {
      // A try within the current window, below the limit.
      await updateItem(this.doc, {
        TableName: this.table,
        Key: key,
        UpdateExpression: 'ADD tries :one',
        ConditionExpression: 'windowStart > :cutoff AND tries < :limit',
        ExpressionAttributeValues: { ':one': 1, ':cutoff': cutoff, ':limit': GUESS_LIMIT },
      });
      return { allowed: true };
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
    try {
      // No window, or one that has ended: this try starts a new one.
      await updateItem(this.doc, {
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET tries = :one, windowStart = :at, expiresAt = :ttl',
        ConditionExpression: 'attribute_not_exists(windowStart) OR windowStart <= :cutoff',
        ExpressionAttributeValues: { ':one': 1, ':at': at, ':cutoff': cutoff, ':ttl': Math.floor((at + GUESS_WINDOW_MS) / 1000) + KEEP_SECONDS },
      });
      return { allowed: true };
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
    // The current window holds GUESS_LIMIT tries; it ends GUESS_WINDOW_MS after its start, at the latest from now.
    return { allowed: false, until: new Date(at + GUESS_WINDOW_MS) };
  }

  async clear(email: string): Promise<void> {
    try {
      // Never an item made here: the count made it, with its expiry.
      await updateItem(this.doc, { TableName: this.table, Key: { pk: email, sk: SK }, UpdateExpression: 'REMOVE tries, windowStart', ConditionExpression: 'attribute_exists(pk)' });
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }
}
