/**
 * Outbox on its DynamoDB table: pk = owner e-mail, sk = resource name, one item per dirty href.
 * `record` is one UpdateItem (rev and attempts counted atomically, UIDs collected in a string
 * set); `remove` is a delete conditioned on the rev the delivery started from; a delivery's lease
 * is a conditional update of `leaseHolder`/`leaseUntil`.
 *
 * For a CRM that cannot join the calendar's transaction, the outbox is the DynamoDB calendar
 * store's transaction participant (`participant()`): every phone write commits its entry with it,
 * so the phone's answer never waits on the CRM and no write can be lost between the two.
 */
import { deleteItem, updateItem } from '../platform/dynamodb/document';
import type { DynamoDoc } from '../platform/dynamodb/wire';
import { queryAll, scanAll } from '../platform/dynamodb/paging';
import { conditionally, conditionFailed, type TransactItem } from '../platform/dynamodb/retry';
import type { ParticipantPart, TransactionParticipant } from '../store/dynamodb/participant';
import type { PendingWrite } from '../store/types';
import { MAX_ERROR_CHARS, byAge, type Lease, type Outbox, type OutboxChange, type OutboxEntry, type OutboxKey } from './outbox';

interface Item {
  pk: string;
  sk: string;
  uids: Set<string>;
  rev: number;
  pendingSince?: string;
  /** Items written before outbox-first delivery knew only failures. */
  firstFailedAt?: string;
  lastFailedAt?: string;
  attempts?: number;
  lastError?: string;
}

const toEntry = (i: Item): OutboxEntry => ({
  owner: i.pk,
  name: i.sk,
  uids: [...i.uids].sort(),
  rev: Number(i.rev),
  pendingSince: i.pendingSince ?? i.firstFailedAt ?? '',
  attempts: Number(i.attempts ?? 0),
  lastFailedAt: i.lastFailedAt ?? null,
  lastError: i.lastError ?? null,
});

/** An UpdateItem's parts that record a change: the one expression for both the call and the transaction item. */
function recordUpdate(c: OutboxChange) {
  const failed = c.error !== undefined;
  return {
    UpdateExpression: failed
      ? 'ADD uids :uids, rev :one, attempts :one SET pendingSince = if_not_exists(pendingSince, :at), lastFailedAt = :at, lastError = :error'
      : 'ADD uids :uids, rev :one SET pendingSince = if_not_exists(pendingSince, :at)',
    ExpressionAttributeValues: { ':uids': new Set(c.uids), ':one': 1, ':at': c.at, ...(failed ? { ':error': c.error!.slice(0, MAX_ERROR_CHARS) } : {}) },
  };
}

export class DynamoOutbox implements Outbox {
  constructor(
    private readonly doc: DynamoDoc,
    private readonly tableName: string,
  ) {}

  private key(k: OutboxKey) {
    return { pk: k.owner.toLowerCase(), sk: k.name };
  }

  async record(c: OutboxChange): Promise<void> {
    await updateItem(this.doc, { TableName: this.tableName, Key: this.key(c), ...recordUpdate(c) });
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

  async claim(key: OutboxKey, lease: Lease, now: number): Promise<OutboxEntry | null> {
    try {
      const out = await updateItem(this.doc, {
        TableName: this.tableName,
        Key: this.key(key),
        UpdateExpression: 'SET leaseHolder = :holder, leaseUntil = :until',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now OR leaseHolder = :holder)',
        ExpressionAttributeValues: { ':holder': lease.holder, ':until': lease.until, ':now': now },
        ReturnValues: 'ALL_NEW',
      });
      return toEntry(out.Attributes as unknown as Item);
    } catch (err) {
      if (conditionFailed(err)) return null;
      throw err;
    }
  }

  async remove(key: OutboxKey, rev: number, holder?: string): Promise<boolean> {
    const removed = await conditionally(() =>
      deleteItem(this.doc, {
        TableName: this.tableName,
        Key: this.key(key),
        ConditionExpression: 'rev = :rev',
        ExpressionAttributeValues: { ':rev': rev },
      }),
    );
    if (!removed && holder !== undefined) await this.release(key, holder);
    return removed;
  }

  async noteFailure(key: OutboxKey, error: string, at: string, holder?: string): Promise<void> {
    const values = { ':one': 1, ':at': at, ':error': error.slice(0, MAX_ERROR_CHARS) };
    const count = (releasing: boolean) =>
      conditionally(() =>
        updateItem(this.doc, {
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: `ADD attempts :one SET lastFailedAt = :at, lastError = :error${releasing ? ' REMOVE leaseHolder, leaseUntil' : ''}`,
          // Delivered by a concurrent replay meanwhile: do not bring a partial item back.
          ConditionExpression: releasing ? 'attribute_exists(pk) AND leaseHolder = :holder' : 'attribute_exists(pk)',
          ExpressionAttributeValues: releasing ? { ...values, ':holder': holder } : values,
        }),
      );
    // Our lease may have run out and been taken: then count the failure and leave theirs alone.
    if (holder === undefined || !(await count(true))) await count(false);
  }

  private async release(key: OutboxKey, holder: string): Promise<void> {
    await conditionally(() =>
      updateItem(this.doc, {
        TableName: this.tableName,
        Key: this.key(key),
        UpdateExpression: 'REMOVE leaseHolder, leaseUntil',
        ConditionExpression: 'leaseHolder = :holder',
        ExpressionAttributeValues: { ':holder': holder },
      }),
    );
  }

  /**
   * The outbox as the calendar store's transaction participant (outbox-first delivery): each phone
   * write commits its entry with it. `now` stamps `pendingSince`.
   */
  participant(now: () => Date): TransactionParticipant {
    const item = (owner: string, name: string, uids: string[]): TransactItem => ({
      Update: { TableName: this.tableName, Key: this.key({ owner, name }), ...recordUpdate({ owner, name, uids, at: now().toISOString() }) },
    });
    return {
      join: (write: PendingWrite): ParticipantPart => ({
        keys: 0,
        prepare: async (current) => {
          const before = await current;
          if (write.kind === 'put') return [item(write.owner, write.object.name, [...new Set([write.object.uid, ...(before ? [before.uid] : [])])])];
          // A deletion of nothing fails in the store (404); there is nothing to deliver.
          return before ? [item(write.owner, write.name, [before.uid])] : [];
        },
      }),
    };
  }
}
