/** UserStore on the users table (partition key `email`, always lower-cased). */
import { deleteItem, putItem } from '../../platform/dynamodb/document';
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import { KeyReader } from '../../platform/dynamodb/key-reader';
import { scanAll } from '../../platform/dynamodb/paging';
import { conditionally } from '../../platform/dynamodb/retry';
import type { UserRecord, UserStore } from '../types';

export class DynamoUserStore implements UserStore {
  constructor(
    private readonly doc: DynamoDoc,
    private readonly tableName: string,
    /** Shared with the calendar store, so a request's user and data are read in one batch. */
    private readonly reader = new KeyReader(doc),
  ) {}

  async getUser(email: string): Promise<UserRecord | null> {
    const item = await this.reader.get(this.tableName, { email: email.toLowerCase() });
    return item ? (item as unknown as UserRecord) : null;
  }

  async putUser(user: UserRecord): Promise<void> {
    await putItem(this.doc, { TableName: this.tableName, Item: { ...user, email: user.email.toLowerCase() } });
  }

  putUserIfOnboarding(user: UserRecord, tokenHash: string): Promise<boolean> {
    return conditionally(() =>
      putItem(this.doc, {
        TableName: this.tableName,
        Item: { ...user, email: user.email.toLowerCase() },
        ConditionExpression: 'onboarding.tokenHash = :hash',
        ExpressionAttributeValues: { ':hash': tokenHash },
      }),
    );
  }

  async deleteUser(email: string): Promise<boolean> {
    const { Attributes } = await deleteItem(this.doc, { TableName: this.tableName, Key: { email: email.toLowerCase() }, ReturnValues: 'ALL_OLD' });
    return Attributes !== undefined;
  }

  /** Full scan: the user table holds one item per CalDAV-enabled CRM user, a small table. */
  async listUsers(): Promise<UserRecord[]> {
    return (await scanAll(this.doc, { TableName: this.tableName, ConsistentRead: true })) as unknown as UserRecord[];
  }
}
