import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../lambda/store/dynamodb/bootstrap';
import { freshTables, type TestTables } from '../../helpers/dynamo';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(async () => {
  await t?.drop();
});

describe('ensureTables', () => {
  it('creates the tables with the schema keys, on demand billing', async () => {
    const { Table } = await t.client.send(new DescribeTableCommand({ TableName: t.tables.sync }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'seq', KeyType: 'RANGE' },
    ]);
    expect(Table?.AttributeDefinitions).toContainEqual({ AttributeName: 'seq', AttributeType: 'N' });
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const users = await t.client.send(new DescribeTableCommand({ TableName: t.tables.users }));
    expect(users.Table?.KeySchema).toEqual([{ AttributeName: 'email', KeyType: 'HASH' }]);
  });

  it('enables TTL on the change log', async () => {
    const { TimeToLiveDescription } = await t.client.send(new DescribeTimeToLiveCommand({ TableName: t.tables.sync }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('is idempotent, also when run concurrently', async () => {
    const again = await Promise.all([ensureTables(t.client, t.tables), ensureTables(t.client, t.tables)]);
    expect(again.map((r) => r.created)).toEqual([[], []]);
  });
});
