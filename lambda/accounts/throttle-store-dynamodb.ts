/**
 * ThrottleStore on the admins table: an account's count beside it (pk = e-mail, sk = `throttle`,
 * so removing or resetting the account clears it too), an address's under pk = `address#<addr>`
 * (no e-mail starts so). Counting is one conditional UpdateItem (ADD while the window lasts),
 * or a conditional Put starting a new window: concurrent failures in any container all count.
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KeyReader } from '../platform/dynamodb/key-reader';
import { conditionally } from '../platform/dynamodb/retry';
import { keyId, type ThrottleKey, type ThrottlePolicy, type ThrottleState, type ThrottleStore } from './throttle';

const SK = 'throttle';
const keyOf = (key: ThrottleKey) => ({ pk: key.scope === 'account' ? key.id : `address#${key.id}`, sk: SK });
/** Kept a day past the point where it can matter, then removed by TTL. */
const expiry = (now: number, policy: ThrottlePolicy) => Math.ceil((now + Math.max(policy.windowMs, policy.lockMs)) / 1000) + 86400;

const stateOf = (item: Record<string, unknown>): ThrottleState => ({ failures: Number(item.failures), firstAt: Number(item.firstAt), lastAt: Number(item.lastAt) });

const MAX_ATTEMPTS = 5;

export class DynamoThrottleStore implements ThrottleStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly reader = new KeyReader(doc),
  ) {}

  async get(keys: ThrottleKey[]) {
    const items = await this.reader.getMany(this.table, keys.map(keyOf));
    return new Map(keys.flatMap((k, i) => (items[i] ? [[keyId(k), stateOf(items[i]!)] as const] : [])));
  }

  async fail(key: ThrottleKey, now: number, policy: ThrottlePolicy): Promise<ThrottleState> {
    const windowStart = now - policy.windowMs;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let counted: ThrottleState | undefined;
      const inWindow = await conditionally(async () => {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keyOf(key),
            UpdateExpression: 'ADD failures :one SET lastAt = :now, expiresAt = :ttl',
            ConditionExpression: 'firstAt > :windowStart',
            ExpressionAttributeValues: { ':one': 1, ':now': now, ':ttl': expiry(now, policy), ':windowStart': windowStart },
            ReturnValues: 'ALL_NEW',
          }),
        );
        counted = stateOf(out.Attributes!);
      });
      if (inWindow) return counted!;
      const fresh: ThrottleState = { failures: 1, firstAt: now, lastAt: now };
      const started = await conditionally(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keyOf(key), ...fresh, expiresAt: expiry(now, policy) },
            // Unless another container started a new window meanwhile: then count in that one.
            ConditionExpression: 'attribute_not_exists(pk) OR firstAt <= :windowStart',
            ExpressionAttributeValues: { ':windowStart': windowStart },
          }),
        ),
      );
      if (started) return fresh;
    }
    throw new Error(`could not count a failed sign-in for ${key.scope} after ${MAX_ATTEMPTS} attempts`);
  }

  async clear(key: ThrottleKey) {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keyOf(key) }));
  }
}
