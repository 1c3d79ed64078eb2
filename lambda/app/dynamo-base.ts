/**
 * What every App on DynamoDB starts from, CRM or not: clients, table names, limits, the shared key
 * reader (a request's user and its data travel in one BatchGetItem), the users and device
 * activity, and the calendar store on them. The read-only CalDAV functions build this alone
 * (build-read-dav.ts); dynamo-parts.ts adds the CRM. Nothing here imports CRM code, so that
 * their bundles carry none.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoActivityStore } from '../accounts/activity-store-dynamodb';
import type { DavConfig } from '../core/types';
import { KeyReader } from '../platform/dynamodb/key-reader';
import { wireFor } from '../platform/dynamodb/wire';
import type { Env } from '../platform/env';
import { DynamoCalendarStore } from '../store/dynamodb/calendar-store';
import { dynamoClientConfig, newDynamoClients, tableNamesFromEnv, type TableNames } from '../store/dynamodb/client';
import type { TransactionParticipant } from '../store/dynamodb/participant';
import { DynamoUserStore } from '../store/dynamodb/user-store';
import { ListingCache } from '../store/listing-cache';
import { configFromEnv } from './config';

export interface DynamoBaseOptions {
  /** A client of the caller's (the bench's metered one); default new clients from `env`, closed with the App. */
  doc?: DynamoDBDocumentClient;
  /** Default: from `env` (EVENTS_TABLE, …). */
  tables?: TableNames;
  now?: () => Date;
  /** Wraps the DynamoDB client made here (the X-Ray Tracer's capture, where it pays). */
  instrument?: <C extends object>(client: C) => C;
}

/** What every App on DynamoDB starts from, CRM or not: the part a read-only CalDAV function builds alone. */
export interface DynamoBase {
  config: DavConfig;
  now: () => Date;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  reader: KeyReader;
  users: DynamoUserStore;
  activity: DynamoActivityStore;
  /** Destroys the clients made here (none when the caller gave its own). */
  close: () => void;
}

/** Clients, tables, the shared key reader, users and device activity; no CRM. Contacts nothing. */
export function dynamoBase(opts: DynamoBaseOptions, env: Env): DynamoBase {
  const config = configFromEnv(env);
  // Own clients for `env` (not the SDK's process-wide ones): the local server and tests point
  // successive Apps at different endpoints. Still one set per container: the App is built once.
  const own = opts.doc ? null : newDynamoClients(dynamoClientConfig(env), opts.instrument);
  const doc = opts.doc ?? own!.doc;
  const tables = opts.tables ?? tableNamesFromEnv(env);
  // One reader for every store: a request's user and its data are read in one BatchGetItem.
  const reader = new KeyReader(doc);
  return {
    config,
    now: opts.now ?? (() => new Date()),
    doc,
    tables,
    reader,
    users: new DynamoUserStore(doc, tables.users, reader),
    activity: new DynamoActivityStore(doc, tables.activity, reader),
    close: () => {
      if (!own) return;
      wireFor(own.doc).destroy();
      own.client.destroy();
    },
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
