/** ActivityStore on the activity table: pk = user e-mail, sk = `device#<key>`, kept a year after the last note. A user's deletion removes the guess count beside them too. */
import { updateItem } from '../platform/dynamodb/document';
import type { DynamoDoc } from '../platform/dynamodb/wire';
import { deviceKey, type ActivityStore, type DeviceActivity } from './activity';
import { KeyReader } from '../platform/dynamodb/key-reader';
import { queryAll } from '../platform/dynamodb/paging';
import { batchWriteAll } from '../platform/dynamodb/retry';

const RETENTION_SECONDS = 365 * 24 * 3600;

export class DynamoActivityStore implements ActivityStore {
  constructor(
    private readonly doc: DynamoDoc,
    private readonly table: string,
    /** Shared with the stores: a request's device note is read in the same BatchGetItem as its user. */
    private readonly reader = new KeyReader(doc),
  ) {}

  async lastSeen(email: string, userAgent: string) {
    const item = await this.reader.get(this.table, { pk: email, sk: `device#${deviceKey(userAgent)}` });
    return typeof item?.lastSeenAt === 'string' ? item.lastSeenAt : null;
  }

  /** One UpdateItem: the write the CalDAV handlers' role allows on this table. */
  async record(email: string, device: DeviceActivity) {
    await updateItem(this.doc, {
      TableName: this.table,
      Key: { pk: email, sk: `device#${deviceKey(device.userAgent)}` },
      UpdateExpression: 'SET userAgent = :ua, lastSeenAt = :at, lastMethod = :m, expiresAt = :ttl',
      ExpressionAttributeValues: {
        ':ua': device.userAgent,
        ':at': device.lastSeenAt,
        ':m': device.lastMethod,
        ':ttl': Math.floor(Date.parse(device.lastSeenAt) / 1000) + RETENTION_SECONDS,
      },
    });
  }

  async list(email: string) {
    // The user's devices only: the table also holds the account's password-guess count (guesses-store-dynamodb.ts).
    const items = await queryAll(this.doc, { TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)', ExpressionAttributeValues: { ':pk': email, ':device': 'device#' } });
    return items
      .map((i) => ({ userAgent: i.userAgent as string, lastSeenAt: i.lastSeenAt as string, lastMethod: i.lastMethod as string }))
      .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }

  async deleteUser(email: string) {
    const keys = await queryAll(this.doc, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': email }, ProjectionExpression: 'pk, sk' });
    await batchWriteAll(this.doc, this.table, keys.map((Key) => ({ DeleteRequest: { Key } })), 'device activity deletion');
  }
}
