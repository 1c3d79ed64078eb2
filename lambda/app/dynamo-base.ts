/**
 * What every App on DynamoDB starts from, CRM or not: table names, limits, the shared key
 * reader (a request's user and its data travel in one BatchGetItem), the users and device
 * activity, and the calendar store on them. The read-only CalDAV functions build this alone
 * (build-read-dav.ts) on a wire of its own; dynamo-parts.ts adds the CRM. Nothing here imports
 * CRM code or the SDK, so that their bundles carry neither.
 */
import { DynamoActivityStore } from '../accounts/activity-store-dynamodb';
import { DynamoGuessStore } from '../accounts/guesses-store-dynamodb';
import type { DavConfig } from '../core/types';
import { KeyReader } from '../platform/dynamodb/key-reader';
import type { DynamoDoc } from '../platform/dynamodb/wire';
import type { Env } from '../platform/env';
import { DynamoCalendarStore } from '../store/dynamodb/calendar-store';
import type { TransactionParticipant } from '../store/dynamodb/participant';
import { tableNamesFromEnv, type TableNames } from '../store/dynamodb/environment';
import { DynamoUserStore } from '../store/dynamodb/user-store';
import { ListingCache } from '../store/listing-cache';
import { configFromEnv } from './config';

export interface DynamoBaseOptions {
  /** Default: from `env` (EVENTS_TABLE, …). */
  tables?: TableNames;
  now?: () => Date;
}

/** What every App on DynamoDB starts from, CRM or not: the part a read-only CalDAV function builds alone. */
export interface DynamoBase {
  config: DavConfig;
  now: () => Date;
  doc: DynamoDoc;
  tables: TableNames;
  reader: KeyReader;
  users: DynamoUserStore;
  activity: DynamoActivityStore;
  /** Tries of chosen passwords, beside the devices on the activity table. */
  guesses: DynamoGuessStore;
  /** Closes the connections of the clients the App made (none when the caller gave its own). */
  close: () => void;
}

/**
 * Tables, the shared key reader, users and device activity on `doc` (the SDK's document client,
 * or a wire of its own where no SDK is loaded); no CRM. Contacts nothing.
 */
export function dynamoBase(doc: DynamoDoc, opts: DynamoBaseOptions, env: Env, close: () => void): DynamoBase {
  const tables = opts.tables ?? tableNamesFromEnv(env);
  // One reader for every store: a request's user and its data are read in one BatchGetItem.
  const reader = new KeyReader(doc);
  return {
    config: configFromEnv(env),
    now: opts.now ?? (() => new Date()),
    doc,
    tables,
    reader,
    users: new DynamoUserStore(doc, tables.users, reader),
    activity: new DynamoActivityStore(doc, tables.activity, reader),
    guesses: new DynamoGuessStore(doc, tables.activity),
    close,
  };
}
/**
 * The calendar store on the base's tables; `participant`: what commits with each phone write (the
 * CRM's side), absent only where nothing is written.
 */
export function calendarStore(base: DynamoBase, participant?: TransactionParticipant): ListingCache {
  const { doc, tables, config, now, reader } = base;
  // Listings and query candidates from memory, checked against the counter each request reads.
  return new ListingCache(
    new DynamoCalendarStore(doc, { events: tables.events, sync: tables.sync }, { retentionSeconds: config.syncRetentionSeconds, now, reader, participant }),
  );
}
