import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableSpec } from '../../lambda/store/dynamodb/schema';

export type TableName = TableSpec['logicalName'];

export interface BoundTable {
  spec: TableSpec;
  table: dynamodb.Table;
}

const attributeType = (type: 'S' | 'N') =>
  type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;

/**
 * The three data tables, built from the layouts in lambda/store/dynamodb/schema.ts so the local
 * bootstrap and AWS can never disagree on key names or the TTL attribute.
 *
 * They hold the only copy of the users' calendars and password hashes: a stack deletion or a
 * replacement must never take them along, hence RETAIN plus deletion protection, and PITR to
 * undo a bad write.
 */
export class CaldavTables extends Construct {
  readonly byName: Record<TableName, BoundTable>;

  /** `outboxStream`: the outbox table streams its changes to the outbox worker (a hosted CRM only). */
  constructor(scope: Construct, id: string, { outboxStream = false }: { outboxStream?: boolean } = {}) {
    super(scope, id);
    const entries = TABLES.map((spec): [TableName, BoundTable] => {
      const table = new dynamodb.Table(this, spec.logicalName, {
        partitionKey: { name: spec.partitionKey.name, type: attributeType(spec.partitionKey.type) },
        sortKey: spec.sortKey && { name: spec.sortKey.name, type: attributeType(spec.sortKey.type) },
        timeToLiveAttribute: spec.ttlAttribute,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // The AWS managed key (aws/dynamodb) makes key use visible in CloudTrail at no key cost.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        // The outbox's stream triggers outbox-first delivery (constructs/outbox-worker.ts).
        ...(outboxStream && spec.logicalName === 'outbox' ? { stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES } : {}),
      });
      return [spec.logicalName, { spec, table }];
    });
    this.byName = Object.fromEntries(entries) as Record<TableName, BoundTable>;
  }

  get events(): BoundTable {
    return this.byName.events;
  }
  get sync(): BoundTable {
    return this.byName.sync;
  }
  get users(): BoundTable {
    return this.byName.users;
  }
  get outbox(): BoundTable {
    return this.byName.outbox;
  }
}
