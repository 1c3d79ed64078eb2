/**
 * Outbox-first delivery on AWS: the outbox table's stream (DynamoDB Streams, new and old images)
 * invokes this function for every entry a phone write committed or changed; it delivers that
 * entry (sync/delivery.ts: lease, push of the current state, removal at the rev read). Records
 * whose delivery failed are reported back (ReportBatchItemFailures) so Lambda retries them, then
 * hands them to the dead-letter queue; the entry itself stays in the outbox for the scheduled
 * replay, visible in the console. Updates that are only a delivery's own bookkeeping (lease,
 * attempts) and removals are skipped.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { containerApp, type AppSource } from '../app/container';
import { errorText } from '../platform/log';

/** The entry a record is about, when it is a new write to deliver: an insert, or a bumped rev. */
export function entryToDeliver(record: DynamoDBRecord): { owner: string; name: string } | null {
  const d = record.dynamodb;
  const owner = d?.Keys?.pk?.S;
  const name = d?.Keys?.sk?.S;
  if (!owner || !name) return null;
  if (record.eventName === 'INSERT') return { owner, name };
  if (record.eventName === 'MODIFY' && d?.NewImage?.rev?.N !== d?.OldImage?.rev?.N) return { owner, name };
  return null;
}

export function outboxWorkerHandler(app: AppSource) {
  return async (event: DynamoDBStreamEvent, _context?: Context): Promise<DynamoDBBatchResponse> => {
    const { crm, log } = await app();
    const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
    if (!crm) return { batchItemFailures: failures };
    for (const record of event.Records) {
      const key = entryToDeliver(record);
      if (!key) continue;
      try {
        const outcome = await crm.deliver(key);
        // Another worker holds it, or writes kept coming: it delivers them, or the replay does.
        if (outcome === 'failed') failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      } catch (err) {
        log('error', 'outbox delivery could not run', { owner: key.owner, name: key.name, error: errorText(err) });
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      }
    }
    return { batchItemFailures: failures };
  };
}

export const handler = outboxWorkerHandler(containerApp);
