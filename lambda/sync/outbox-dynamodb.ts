/**
 * Outbox on its DynamoDB table: pk = owner e-mail, sk = resource name, one item per dirty href.
 * `record` is one UpdateItem (rev and attempts counted atomically, UIDs collected in a string
 * set); `remove` is a delete conditioned on the rev the replay started from.
 */
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll, scanAll } from '../platform/dynamodb/paging';
import { conditionally } from '../platform/dynamodb/retry';
import { byAge, type Outbox, type OutboxEntry, type OutboxFailure, type OutboxKey } from './outbox';

interface Item {
  pk: string;
  sk: string;
  uids: Set<string>;
  rev: number;
  firstFailedAt: string;
  lastFailedAt: string;
  attempts: number;
  lastError: string;
}

const MAX_ERROR_CHARS = 1000;


const toEntry = (i: Item): OutboxEntry => ({
  owner: i.pk,
  name: i.sk,
  uids: [...i.uids].sort(),
  rev: Number(i.rev),
  firstFailedAt: i.firstFailedAt,
  lastFailedAt: i.lastFailedAt,
  attempts: Number(i.attempts),
  lastError: i.lastError,
});

export class DynamoOutbox implements Outbox {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(k: OutboxKey) {
    return { pk: k.owner.toLowerCase(), sk: k.name };
  }

  async record(f: OutboxFailure): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(f),
        UpdateExpression: 'ADD uids :uid, rev :one, attempts :one SET firstFailedAt = if_not_exists(firstFailedAt, :at), lastFailedAt = :at, lastError = :error',
        ExpressionAttributeValues: { ':uid': new Set([f.uid]), ':one': 1, ':at': f.at, ':error': f.error.slice(0, MAX_ERROR_CHARS) },
      }),
    );
  }

  async list(owner?: string): Promise<OutboxEntry[]> {
    const items =
      owner === undefined
        ? // The table only holds what is pending, normally nothing: a scan is the cheap way to see it all.
          await scanAll(this.doc, { TableName: this.tableName, ConsistentRead: true })
        : await queryAll(this.doc, {
            TableName: this.tableName,
            ConsistentRead: true,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': owner.toLowerCase() },
          });
    return (items as unknown as Item[]).map(toEntry).sort(byAge);
  }

  remove(key: OutboxKey, rev: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(key),
          ConditionExpression: 'rev = :rev',
          ExpressionAttributeValues: { ':rev': rev },
        }),
      ),
    );
  }

  async noteFailure(key: OutboxKey, error: string, at: string): Promise<void> {
    await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: 'ADD attempts :one SET lastFailedAt = :at, lastError = :error',
          // Delivered by a concurrent replay meanwhile: do not bring a partial item back.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':at': at, ':error': error.slice(0, MAX_ERROR_CHARS) },
        }),
      ),
    );
  }
}
