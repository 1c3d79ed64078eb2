/**
 * Strongly consistent key reads, coalesced: every read asked for before the event loop turns
 * travels in one BatchGetItem (several when over its 100-key limit, sent in parallel), across
 * tables. A request's authentication and its data, started together, so cost one round trip
 * (lambda/http/dav-handler.ts), and so do the three reads a write makes before its transaction.
 * Reads of concurrent requests in one process may share a batch too; each gets its own items.
 *
 * Items come back whole: a batch cannot mix projections, and callers read only what they need.
 * Every request makes these reads, so they go over the lean wire (wire.ts), not the SDK's stack.
 */
import { fromWire, toWire, type Wired } from './wire-values';
import { DynamoIncomplete, backoff } from './retry';
import { wireFor, type DynamoDoc, type DynamoWire } from './wire';

export type Key = Record<string, string | number>;
export type Item = Record<string, unknown>;

/** BatchGetItem's limit on keys per call, over all its tables. */
export const MAX_BATCH_KEYS = 100;
const MAX_ATTEMPTS = 8;

interface Waiting {
  table: string;
  key: Key;
  resolve(item: Item | undefined): void;
  reject(err: unknown): void;
}

/**
 * Same key, same string: attribute names sorted, values as JSON (typed, and a value's own
 * characters can never reach a separator). Built by hand: it runs for every key of every request.
 */
function idOf(table: string, names: readonly string[], valueOf: (name: string) => unknown): string {
  let id = table;
  for (const name of names) id += `\u0000${name}=${JSON.stringify(valueOf(name))}`;
  return id;
}

const sortedNames = (key: Key) => {
  const names = Object.keys(key);
  return names.length > 1 ? names.sort() : names;
};

const keyId = (table: string, key: Key) => idOf(table, sortedNames(key), (name) => key[name]);

export class KeyReader {
  private queue: Waiting[] = [];
  private scheduled = false;

  private readonly wire: DynamoWire;

  constructor(doc: DynamoDoc) {
    this.wire = wireFor(doc);
  }

  get(table: string, key: Key): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ table, key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the microtasks of this turn: every read started "together" is queued by then.
        setImmediate(() => this.flush());
      }
    });
  }

  getMany(table: string, keys: Key[]): Promise<Array<Item | undefined>> {
    return Promise.all(keys.map((key) => this.get(table, key)));
  }

  private flush(): void {
    const waiting = this.queue;
    this.queue = [];
    this.scheduled = false;
    const byId = new Map<string, { table: string; key: Key; waiters: Waiting[] }>();
    for (const w of waiting) {
      const id = keyId(w.table, w.key);
      const entry = byId.get(id);
      if (entry) entry.waiters.push(w);
      else byId.set(id, { table: w.table, key: w.key, waiters: [w] });
    }
    const entries = [...byId.entries()];
    for (let i = 0; i < entries.length; i += MAX_BATCH_KEYS) this.answer(entries.slice(i, i + MAX_BATCH_KEYS), true);
  }

  /**
   * Reads one chunk and answers its waiters. A failed batch spanning several tables is read again
   * table by table, so one table's trouble (the CRM's gone, throttled) fails only its own reads.
   */
  private answer(chunk: Array<[string, { table: string; key: Key; waiters: Waiting[] }]>, splitOnFailure: boolean): void {
    batchGet(this.wire, chunk.map(([, e]) => ({ table: e.table, key: e.key }))).then(
      (found) => {
        for (const [id, e] of chunk) for (const w of e.waiters) w.resolve(found.get(id));
      },
      (err: unknown) => {
        const tables = new Set(chunk.map(([, e]) => e.table));
        if (splitOnFailure && tables.size > 1) {
          for (const table of tables) this.answer(chunk.filter(([, e]) => e.table === table), false);
          return;
        }
        for (const [, e] of chunk) for (const w of e.waiters) w.reject(err);
      },
    );
  }
}

export interface TableKey {
  table: string;
  key: Key;
}

/**
 * One BatchGetItem of ≤ 100 keys (strongly consistent), re-asking for what DynamoDB left
 * unprocessed; items by keyId of their table and key.
 */
async function batchGet(wire: DynamoWire, keys: TableKey[], keysOnly = false): Promise<Map<string, Item>> {
  const names = new Map(keys.map(({ table, key }) => [table, sortedNames(key)]));
  const found = new Map<string, Item>();
  type Request = { Keys: Wired[]; ConsistentRead: true; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> };
  const request = (table: string, Keys: Wired[]): Request => {
    if (!keysOnly) return { Keys, ConsistentRead: true };
    const attrs = names.get(table) ?? [];
    return { Keys, ConsistentRead: true, ProjectionExpression: attrs.map((_, i) => `#k${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(attrs.map((a, i) => [`#k${i}`, a])) };
  };
  let pending: Record<string, Request> = {};
  for (const { table, key } of keys) (pending[table] ??= request(table, [])).Keys.push(toWire(key));
  for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new DynamoIncomplete(`batch read: keys left unprocessed after ${MAX_ATTEMPTS} attempts`);
    if (attempt > 0) await backoff(attempt, 50, 1000);
    const out = await wire.call<{ Responses?: Record<string, Wired[]>; UnprocessedKeys?: Record<string, { Keys?: Wired[] }> }>('BatchGetItem', { RequestItems: pending });
    for (const [table, items] of Object.entries(out.Responses ?? {})) {
      for (const wired of items) {
        const item = fromWire(wired);
        found.set(idOf(table, names.get(table) ?? [], (name) => item[name]), item);
      }
    }
    pending = {};
    for (const [table, left] of Object.entries(out.UnprocessedKeys ?? {})) {
      if (left.Keys?.length) pending[table] = request(table, left.Keys);
    }
  }
  return found;
}

/**
 * The items of `keys` (any number, 100 per BatchGetItem, sent in parallel), in the keys' order,
 * undefined where there is none: for bulk reads that need no coalescing with a request's others.
 * `keysOnly`: only whether each exists matters, so only the key attributes travel back.
 */
export async function batchGetAll(doc: DynamoDoc, keys: TableKey[], opts: { keysOnly?: boolean } = {}): Promise<Array<Item | undefined>> {
  // BatchGetItem refuses a key asked twice in one call.
  const unique = [...new Map(keys.map((k) => [keyId(k.table, k.key), k])).values()];
  const chunks: TableKey[][] = [];
  for (let i = 0; i < unique.length; i += MAX_BATCH_KEYS) chunks.push(unique.slice(i, i + MAX_BATCH_KEYS));
  const found = new Map<string, Item>();
  for (const part of await Promise.all(chunks.map((c) => batchGet(wireFor(doc), c, opts.keysOnly)))) for (const [id, item] of part) found.set(id, item);
  return keys.map(({ table, key }) => found.get(keyId(table, key)));
}
