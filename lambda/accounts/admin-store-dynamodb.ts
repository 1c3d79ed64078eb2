/** AdminStore on the admins table: pk = e-mail, sk = `account` or `session#<token hash>`. */
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AdminAccount, AdminSession, AdminStore } from './admins';
import { KeyReader } from '../platform/dynamodb/key-reader';
import { queryAll, scanAll } from '../platform/dynamodb/paging';
import { batchWriteAll } from '../platform/dynamodb/retry';

const ACCOUNT = 'account';
const sessionKey = (tokenHash: string) => `session#${tokenHash}`;

function accountOf(item: Record<string, unknown> | undefined): AdminAccount | null {
  if (!item) return null;
  const { pk, sk: _sk, ...rest } = item;
  return { ...(rest as Omit<AdminAccount, 'email'>), email: pk as string };
}

function sessionOf(item: Record<string, unknown> | undefined): AdminSession | null {
  if (!item) return null;
  return { email: item.pk as string, tokenHash: (item.sk as string).slice('session#'.length), csrf: item.csrf as string, createdAt: item.createdAt as string, expiresAt: item.expiresAt as number };
}

export class DynamoAdminStore implements AdminStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly reader = new KeyReader(doc),
  ) {}

  async getAccount(email: string) {
    return accountOf(await this.reader.get(this.table, { pk: email.toLowerCase(), sk: ACCOUNT }));
  }

  async getAccountAndSession(email: string, tokenHash: string) {
    const pk = email.toLowerCase();
    const [account, session] = await this.reader.getMany(this.table, [{ pk, sk: ACCOUNT }, { pk, sk: sessionKey(tokenHash) }]);
    return { account: accountOf(account), session: sessionOf(session) };
  }

  async putAccount({ email, ...rest }: AdminAccount) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: email.toLowerCase(), sk: ACCOUNT, ...rest } }));
  }

  async deleteAccount(email: string) {
    const pk = email.toLowerCase();
    const items = await queryAll(this.doc, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'pk, sk' });
    await batchWriteAll(this.doc, this.table, items.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })), 'admin deletion');
    return items.some((item) => item.sk === ACCOUNT);
  }

  /** A small table (admins and their open sessions): a filtered scan. */
  async listAccounts() {
    const items = await scanAll(this.doc, { TableName: this.table, ConsistentRead: true, FilterExpression: 'sk = :account', ExpressionAttributeValues: { ':account': ACCOUNT } });
    return items.map((item) => accountOf(item)!).sort((a, b) => a.email.localeCompare(b.email));
  }

  async putSession({ email, tokenHash, ...rest }: AdminSession) {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: email.toLowerCase(), sk: sessionKey(tokenHash), ...rest } }));
  }

  async deleteSession(email: string, tokenHash: string) {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: email.toLowerCase(), sk: sessionKey(tokenHash) } }));
  }
}
