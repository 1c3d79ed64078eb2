/**
 * Item shapes of the events and sync tables (layout in schema.ts) and their mapping to the
 * storage port's types. Only this module knows attribute names.
 */
import type { TransactionParticipant } from './participant';
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import { type ObjectSummary, type StoredObject } from '../types';
import type { KeyReader } from '../../platform/dynamodb/key-reader';

/** What every DynamoDB calendar-store operation needs. */
export interface StoreContext {
  doc: DynamoDoc;
  /** Every strongly consistent key read goes through it (coalesced into BatchGetItem). */
  reader: KeyReader;
  tables: { events: string; sync: string };
  /** How long change-log entries are kept (the TTL), in seconds. */
  retentionSeconds: number;
  now: () => Date;
  /** Joins clients' writes (CommitOptions.join) with its own items; absent = none. */
  participant?: TransactionParticipant;
}

export const OBJECT_PREFIX = 'obj#';
export const UID_PREFIX = 'uid#';
export const SUMMARY_PREFIX = 'sum#';
/** Sort key of the calendar item in the sync table; change-log entries start at 1. */
export const CALENDAR_SEQ = 0;

export const objectKey = (owner: string, name: string) => ({ pk: owner, sk: OBJECT_PREFIX + name });
export const uidKey = (owner: string, uid: string) => ({ pk: owner, sk: UID_PREFIX + uid });
export const summaryKey = (owner: string, name: string) => ({ pk: owner, sk: SUMMARY_PREFIX + name });
export const calendarKey = (owner: string) => ({ pk: owner, seq: CALENDAR_SEQ });

/** Events-table item for one calendar object. Unbounded range sides are absent attributes. */
export interface ObjectItem {
  pk: string;
  sk: string;
  name: string;
  uid: string;
  etag: string;
  ics: string;
  lastModified: string;
  size: number;
  rangeStart?: number;
  rangeEnd?: number;
  recurring: boolean;
}

/** Calendar item (seq 0) of the sync table. `currentSeq` is absent until the first write. */
export interface CalendarItem {
  pk: string;
  seq: 0;
  currentSeq?: number;
  props?: Record<string, string>;
  /** Set once every object has its summary item: from the first write, or by a backfill (summaries.ts). */
  summarized?: boolean;
}

/**
 * A listing's view of one object, beside it in the events table (`sum#<name>`), as small as it
 * can be: one-letter names, the ETag's hash as bytes, times as epoch milliseconds. A Depth 1
 * listing of 2,000 objects reads ~230 KB of these instead of the objects' ~2 MB.
 */
export interface SummaryItem {
  pk: string;
  sk: string;
  /** The ETag: its base64url hash as bytes, or the text itself when it is not of that form. */
  e: Uint8Array | string;
  /** lastModified, epoch ms. */
  m: number;
  /** size, bytes. */
  z: number;
  a?: number;
  b?: number;
}

/** Change-log entry of the sync table; a put's carries the summary written. */
export interface LogItem {
  pk: string;
  seq: number;
  name: string;
  deleted: boolean;
  /** Epoch seconds; the table's TTL attribute. */
  expiresAt: number;
  etag?: string;
  lastModified?: string;
  size?: number;
  rangeStart?: number;
  rangeEnd?: number;
}

export function toObjectItem(owner: string, obj: StoredObject): ObjectItem {
  const item: ObjectItem = {
    ...objectKey(owner, obj.name),
    name: obj.name,
    uid: obj.uid,
    etag: obj.etag,
    ics: obj.ics,
    lastModified: obj.lastModified,
    size: obj.size,
    recurring: obj.recurring,
  };
  if (obj.rangeStart !== null) item.rangeStart = obj.rangeStart;
  if (obj.rangeEnd !== null) item.rangeEnd = obj.rangeEnd;
  return item;
}

export function fromObjectItem(item: Record<string, unknown>): StoredObject {
  const o = item as unknown as ObjectItem;
  return {
    name: o.name,
    uid: o.uid,
    etag: o.etag,
    ics: o.ics,
    lastModified: o.lastModified,
    size: Number(o.size),
    rangeStart: o.rangeStart ?? null,
    rangeEnd: o.rangeEnd ?? null,
    recurring: Boolean(o.recurring),
  };
}

/** Projection for listings: everything but the (large) iCalendar text. */
export const SUMMARY_PROJECTION = {
  ProjectionExpression: '#name, etag, lastModified, #size, rangeStart, rangeEnd',
  ExpressionAttributeNames: { '#name': 'name', '#size': 'size' },
};

/** From an object item or a put's log entry (unbounded range sides are absent attributes). */
export function fromSummaryItem(item: Record<string, unknown>): ObjectSummary {
  const o = item as unknown as ObjectItem;
  return {
    name: o.name,
    etag: o.etag,
    lastModified: o.lastModified,
    size: Number(o.size),
    rangeStart: typeof o.rangeStart === 'number' ? o.rangeStart : null,
    rangeEnd: typeof o.rangeEnd === 'number' ? o.rangeEnd : null,
  };
}

/** The summary attributes a put's log entry carries. */
export function summaryAttributes(obj: ObjectSummary): Pick<LogItem, 'etag' | 'lastModified' | 'size' | 'rangeStart' | 'rangeEnd'> {
  return {
    etag: obj.etag,
    lastModified: obj.lastModified,
    size: obj.size,
    ...(obj.rangeStart !== null ? { rangeStart: obj.rangeStart } : {}),
    ...(obj.rangeEnd !== null ? { rangeEnd: obj.rangeEnd } : {}),
  };
}

/** `"<base64url>"` as the bytes it encodes, when they encode back to exactly that text. */
function etagBytes(etag: string): Uint8Array | string {
  const inner = /^"([A-Za-z0-9_-]+)"$/.exec(etag)?.[1];
  if (!inner) return etag;
  const bytes = Buffer.from(inner, 'base64url');
  return bytes.toString('base64url') === inner ? new Uint8Array(bytes) : etag;
}

export function toSummaryItem(owner: string, obj: ObjectSummary): SummaryItem {
  return {
    ...summaryKey(owner, obj.name),
    e: etagBytes(obj.etag),
    m: Date.parse(obj.lastModified),
    z: obj.size,
    ...(obj.rangeStart !== null ? { a: obj.rangeStart } : {}),
    ...(obj.rangeEnd !== null ? { b: obj.rangeEnd } : {}),
  };
}

export function fromSummaryItemCompact(item: Record<string, unknown>): ObjectSummary {
  const s = item as unknown as SummaryItem;
  return {
    name: s.sk.slice(SUMMARY_PREFIX.length),
    etag: typeof s.e === 'string' ? s.e : `"${Buffer.from(s.e).toString('base64url')}"`,
    lastModified: new Date(Number(s.m)).toISOString(),
    size: Number(s.z),
    rangeStart: typeof s.a === 'number' ? s.a : null,
    rangeEnd: typeof s.b === 'number' ? s.b : null,
  };
}

export const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** DynamoDB's hard limit on one item, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;


/** Upper estimate of an item's stored size (numbers counted at their 21-byte maximum). */
export function itemBytes(item: object): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(key, 'utf8');
    bytes += typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : typeof value === 'number' ? 21 : value instanceof Uint8Array ? value.length : 1;
  }
  return bytes;
}
