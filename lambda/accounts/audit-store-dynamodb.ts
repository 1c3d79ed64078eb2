/**
 * AuditStore on the audit table: pk = `month#<YYYY-MM>`, sk = the entry's id (`<ISO time>#<random>`),
 * `expiresAt` the TTL. Admin actions are few (a busy organisation makes thousands a month, far
 * below a partition's limits), so a month per partition keeps "newest first" one Query per month
 * read, walking back no further than the retention.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_AUDIT_RETENTION_DAYS, type AuditEntry, type AuditPage, type AuditStore } from './audit';

const monthOf = (iso: string) => iso.slice(0, 7);
const partition = (month: string) => `month#${month}`;

function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}

function entryOf(item: Record<string, unknown>): AuditEntry {
  const { pk: _pk, sk, expiresAt: _ttl, ...rest } = item;
  return { ...(rest as Omit<AuditEntry, 'id'>), id: sk as string };
}

export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays = DEFAULT_AUDIT_RETENTION_DAYS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append({ id, ...entry }: AuditEntry) {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: partition(monthOf(entry.at)), sk: id, ...entry, expiresAt: Math.floor(Date.parse(entry.at) / 1000) + Math.round(this.retentionDays * 86400) },
        // Entries are only ever added: an id is never written twice.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list({ before, limit }: { before?: string; limit: number }): Promise<AuditPage> {
    const oldest = monthOf(new Date(this.now().getTime() - this.retentionDays * 86400_000).toISOString());
    const found: AuditEntry[] = [];
    // One more than asked: whether an older page exists.
    const wanted = limit + 1;
    for (let month = monthOf(before ?? this.now().toISOString()); month >= oldest && found.length < wanted; month = previousMonth(month)) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': partition(month), ...(before ? { ':before': before } : {}) },
            ScanIndexForward: false,
            Limit: wanted - found.length,
            ExclusiveStartKey: start,
          }),
        );
        found.push(...(page.Items ?? []).map(entryOf));
        start = page.LastEvaluatedKey;
      } while (start && found.length < wanted);
    }
    const entries = found.slice(0, limit);
    return { entries, ...(found.length > limit ? { next: entries.at(-1)!.id } : {}) };
  }
}
