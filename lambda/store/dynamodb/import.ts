/**
 * importObjects: bulk creation for the initial export, as multi-object transactions.
 *
 * BatchWriteItem cannot carry the counter's compare-and-set, so each chunk of new objects is one
 * TransactWriteItems: per object its item, its UID guard, its summary and its change-log entry, plus a single
 * counter advance by the number of objects. The reasoning of write.ts holds: the counter is read
 * first and the chunk's keys after it, so a committed transaction saw them current; every Put is
 * also conditioned on absence. Losing a race (counter moved, a name or UID taken meanwhile)
 * cancels the chunk, which is re-read and retried, dropping whatever now exists.
 */
import { transactWrite } from '../../platform/dynamodb/transact';
import { batchGetAll } from '../../platform/dynamodb/key-reader';
import { ImportTally, firstOfEach, indexed, type Indexed } from '../import';
import type { CommitOptions, ImportResult, ObjectWrite } from '../types';
import { MAX_ITEM_BYTES, itemBytes, objectKey, toObjectItem, toSummaryItem, uidKey, type ObjectItem, type StoreContext } from './items';
import { readCurrentSeq } from './sync';
import type { TransactItem } from '../../platform/dynamodb/retry';
import { counterAdvance, logEntry, retryWhileContended } from './write';

/** Four transaction items per object plus the counter: 81 of TransactWriteItems' 100. */
const MAX_CHUNK_OBJECTS = 20;
/** Headroom under TransactWriteItems' 4 MB for table names, expressions and encoding. */
const MAX_CHUNK_BYTES = 3.5 * 1024 * 1024;

interface Candidate extends Indexed {
  item: ObjectItem;
  guard: { pk: string; sk: string; name: string };
  /** Bytes this object adds to a transaction: item, guard, summary and change-log entry. */
  bytes: number;
}

export async function importObjects(ctx: StoreContext, owner: string, objects: ObjectWrite[], opts: Pick<CommitOptions, 'commitAfter'> = {}): Promise<ImportResult> {
  const tally = new ImportTally(objects);
  const fitting: Candidate[] = [];
  for (const entry of indexed(objects)) {
    const item = toObjectItem(owner, entry.obj);
    const size = itemBytes(item);
    if (size > MAX_ITEM_BYTES) {
      tally.mark([entry], 'tooLarge');
      continue;
    }
    const guard = { ...uidKey(owner, entry.obj.uid), name: entry.obj.name };
    const log = { pk: owner, seq: 0, name: entry.obj.name, deleted: false, expiresAt: 0 };
    fitting.push({ ...entry, item, guard, bytes: size + itemBytes(guard) + itemBytes(log) + itemBytes(toSummaryItem(owner, entry.obj)) });
  }
  const { kept, duplicates } = firstOfEach(fitting);
  tally.mark(duplicates, 'skipped');

  let seq: number | null = null;
  for (const chunk of chunks(kept)) {
    const outcome = await importChunk(ctx, owner, chunk, opts);
    tally.mark(outcome.created, 'created');
    tally.mark(outcome.skipped, 'skipped');
    seq = outcome.seq;
  }
  return tally.result(seq ?? (await readCurrentSeq(ctx, owner)));
}

function chunks(candidates: Candidate[]): Candidate[][] {
  const out: Candidate[][] = [];
  let current: Candidate[] = [];
  let bytes = 0;
  for (const c of candidates) {
    if (current.length === MAX_CHUNK_OBJECTS || (current.length > 0 && bytes + c.bytes > MAX_CHUNK_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(c);
    bytes += c.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function importChunk(
  ctx: StoreContext,
  owner: string,
  chunk: Candidate[],
  opts: Pick<CommitOptions, 'commitAfter'>,
): Promise<{ created: Candidate[]; skipped: Candidate[]; seq: number }> {
  return retryWhileContended(`import of ${chunk.length} objects`, undefined, async () => {
    const current = await readCurrentSeq(ctx, owner);
    const taken = await existingSortKeys(ctx, owner, chunk);
    const isFree = (c: Candidate) => !taken.has(c.item.sk) && !taken.has(c.guard.sk);
    const fresh = chunk.filter(isFree);
    const skipped = chunk.filter((c) => !isFree(c));
    if (fresh.length === 0) return { created: [], skipped, seq: current };

    const absent = { ConditionExpression: 'attribute_not_exists(pk)' };
    const items: TransactItem[] = fresh.flatMap((c, i) => [
      { Put: { TableName: ctx.tables.events, Item: c.item, ...absent } },
      { Put: { TableName: ctx.tables.events, Item: c.guard, ...absent } },
      { Put: { TableName: ctx.tables.events, Item: toSummaryItem(owner, c.obj) } },
      logEntry(ctx, owner, current + i + 1, c.obj.name, c.obj),
    ]);
    items.push(counterAdvance(ctx, owner, current, fresh.length));
    await opts.commitAfter;
    await transactWrite(ctx.doc, items);
    return { created: fresh, skipped, seq: current + fresh.length };
  });
}

/** Sort keys of the chunk's object items and UID guards that exist (≤ 40 keys, one BatchGetItem). */
async function existingSortKeys(ctx: StoreContext, owner: string, chunk: Candidate[]): Promise<Set<string>> {
  const table = ctx.tables.events;
  const keys = chunk.flatMap((c) => [objectKey(owner, c.obj.name), uidKey(owner, c.obj.uid)]).map((key) => ({ table, key }));
  const items = await batchGetAll(ctx.doc, keys, { keysOnly: true });
  return new Set(items.flatMap((item) => (item ? [String(item.sk)] : [])));
}
