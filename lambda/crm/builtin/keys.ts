/**
 * Item layout of the built-in CRM's table (one table, typed keys; schema.ts CRM_TABLE):
 *
 *   event#<id>        / event            the event record (the truth; version = Modified_Time)
 *   owner#<email>     / event#<id>       per-owner index: id, span, Modified_Time, Deleted
 *   owner#<email>     / uid#<uid>        CalDAV UID → event id, for live events with a link
 *   people#<Module>   / <id>             a lead or contact
 *   email#<email>     / <Module>#<id>    e-mail index over Email and Secondary_Email
 *   feed#<shard>      / counter          the shard's last change sequence number handed out
 *   feed#<shard>      / seq#<15 digits>  one change-feed entry per event write: {id}
 *   feed              / seq#<15 digits>  entries written before the feed was sharded (read only)
 *
 * E-mails in keys are lower-cased. Collections (a module's people, an owner's events, the feed)
 * share a partition so they are read with one Query, in key order; the built-in CRM is sized
 * for one organisation, well under a partition's throughput.
 */
import type { PersonModule } from '../types';

export type Key = { pk: string; sk: string };

const lower = (email: string) => email.trim().toLowerCase();

export const EVENT_SK = 'event';
export const OWNER_EVENT_PREFIX = 'event#';
export const FEED_PK = 'feed';
export const FEED_SEQ_PREFIX = 'seq#';

export const eventKey = (id: string): Key => ({ pk: `event#${id}`, sk: EVENT_SK });
export const ownerPk = (owner: string) => `owner#${lower(owner)}`;
export const ownerEventKey = (owner: string, id: string): Key => ({ pk: ownerPk(owner), sk: OWNER_EVENT_PREFIX + id });
export const ownerUidKey = (owner: string, uid: string): Key => ({ pk: ownerPk(owner), sk: `uid#${uid}` });

export const peoplePk = (module: PersonModule) => `people#${module}`;
export const personKey = (module: PersonModule, id: string): Key => ({ pk: peoplePk(module), sk: id });
export const emailPk = (email: string) => `email#${lower(email)}`;
export const emailKey = (email: string, module: PersonModule, id: string): Key => ({ pk: emailPk(email), sk: `${module}#${id}` });

/**
 * The change feed is split into this many shards, an event always in the same one, so writes of
 * the organisation contend on 16 counters instead of one (per-event order is kept). `null` is the
 * feed as it was before, one partition, still read so that nothing written then is lost.
 */
export const FEED_SHARDS = 16;
export type FeedShard = number | null;
export const FEED_SHARD_LIST: readonly FeedShard[] = [null, ...Array.from({ length: FEED_SHARDS }, (_, i) => i)];

/** FNV-1a of the id: stable across processes, spread evenly enough over 16. */
export function shardOfEvent(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % FEED_SHARDS;
}

const feedPk = (shard: FeedShard) => (shard === null ? FEED_PK : `${FEED_PK}#${shard}`);
export const feedCounterKey = (shard: FeedShard): Key => ({ pk: feedPk(shard), sk: 'counter' });
/** Zero-padded so string order is numeric order. */
export const feedKey = (shard: FeedShard, seq: number): Key => ({ pk: feedPk(shard), sk: FEED_SEQ_PREFIX + String(seq).padStart(15, '0') });
export const seqOfFeedSk = (sk: string) => Number(sk.slice(FEED_SEQ_PREFIX.length));
