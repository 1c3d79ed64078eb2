/**
 * A transaction participant of the DynamoDB calendar store: records of another part of the system
 * that must change atomically with a client's object write, in the store's one TransactWriteItems.
 * Two exist: the built-in CRM (its event, indexes and feed entry: crm/builtin/phone-write.ts) and
 * the outbox of a CRM that cannot join (the entry its worker delivers: sync/outbox-dynamodb.ts).
 * The App gives the store at most one (app/build.ts); the store tells its caller whether the
 * participant's part committed (PutResult/DeleteResult `carried`), so nothing is done twice.
 */
import type { TransactItem } from '../../platform/dynamodb/retry';
import type { PendingWrite } from '../types';

export interface TransactionParticipant {
  /** Its part of this write, or undefined when it has none. Called once per write. */
  join(write: PendingWrite): ParticipantPart | undefined;
}

export interface ParticipantPart {
  /** Key reads of its first round, counted against the reads allowed before the commit gate. */
  readonly keys: number;
  /**
   * Its items for this attempt (the store calls it again when it retries after a lost race), from
   * reads issued in the same turn as the store's own so that they share one round trip; `current`
   * is the object as the store's read finds it (for a deletion, the UID going away). Resolves to
   * null when it cannot take part this time: the write then commits alone and the caller acts
   * after it. Never rejects.
   */
  prepare(current: Promise<{ uid: string } | null>): Promise<TransactItem[] | null>;
}
