/** UserStore on the users table (partition key `email`, always lower-cased). */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanAll } from './paging';
import type { UserRecord, UserStore } from '../types';

export class DynamoUserStore implements UserStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getUser(email: string): Promise<UserRecord | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { email: email.toLowerCase() }, ConsistentRead: true }),
    );
    return Item ? (Item as UserRecord) : null;
  }

  async putUser(user: UserRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...user, email: user.email.toLowerCase() } }));
  }

  /** Full scan: the user table holds one item per CalDAV-enabled CRM user, a small table. */
  async listUsers(): Promise<UserRecord[]> {
    return (await scanAll(this.doc, { TableName: this.tableName, ConsistentRead: true })) as unknown as UserRecord[];
  }
}
