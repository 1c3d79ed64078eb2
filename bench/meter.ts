/**
 * Counts what the server asks of DynamoDB: a middleware on the SDK client the benchmark hands to
 * the server's stores. Per operation and table it records calls, items returned, items the engine
 * had to read (ScannedCount for Query/Scan) and consumed capacity, so a report can show which
 * requests read only what they answer and which read the whole calendar.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { wireFor } from '../lambda/platform/dynamodb/wire';

export interface OpStats {
  calls: number;
  /** Items returned (Count, or the items of a Get/BatchGet). */
  items: number;
  /** Items read by the engine before filters (Query/Scan ScannedCount; = items otherwise). */
  scanned: number;
  /** Read or write capacity units, as the engine reports them (0 if it does not). */
  capacity: number;
  /** Failed calls, e.g. TransactionCanceledException on a lost compare-and-set. */
  errors: number;
}

/** Key `Operation table`, e.g. `Query sync`. */
export type MeterSnapshot = Record<string, OpStats>;

const CAPACITY_OPS = new Set([
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'TransactGetItems',
  'BatchWriteItem',
]);

interface Capacity {
  TableName?: string;
  CapacityUnits?: number;
}

type Output = {
  Count?: number;
  ScannedCount?: number;
  Item?: unknown;
  Responses?: Record<string, unknown[]> | unknown[];
  ConsumedCapacity?: Capacity | Capacity[];
};

type Input = {
  TableName?: string;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, { TableName?: string }>[];
  ReturnConsumedCapacity?: string;
};

/** When DynamoDB calls were in flight: wall time covered by at least one, and in how many stretches. */
export interface DynamoBusy {
  ms: number;
  /** Disjoint stretches of calls in flight: the request's sequential round trips to DynamoDB. */
  roundTrips: number;
}

export class DynamoMeter {
  private stats = new Map<string, OpStats>();
  private intervals: Array<[number, number]> = [];
  /** Ask the engine for consumed capacity; off while timing, so requests are as in production. */
  capacity = false;

  constructor(private readonly tableLabel: (physical: string) => string) {}

  /** Counts the SDK client's calls and those of the lean wire beside its document client (platform/dynamodb/wire.ts). */
  attach(client: DynamoDBClient, doc: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        let result: Awaited<ReturnType<typeof next>> | undefined;
        await this.observe(String(context.commandName ?? 'Unknown').replace(/Command$/, ''), args.input as Input, async () => {
          result = await next(args);
          return result.output as Output;
        });
        return result!;
      },
      { step: 'initialize', name: 'benchDynamoMeter', priority: 'high' },
    );
    wireFor(doc).use((op, input, next) => this.observe(op, input as Input, next as () => Promise<Output>));
  }

  private async observe<O extends Output>(op: string, input: Input, next: () => Promise<O>): Promise<O> {
    if (this.capacity && CAPACITY_OPS.has(op)) input.ReturnConsumedCapacity = 'TOTAL';
    const entry = this.entry(`${op} ${this.tableOf(input)}`);
    entry.calls++;
    const started = performance.now();
    try {
      const out = await next();
      const items = countItems(op, out);
      entry.items += items;
      entry.scanned += out.ScannedCount ?? items;
      entry.capacity += sumCapacity(out.ConsumedCapacity);
      return out;
    } catch (err) {
      entry.errors++;
      throw err;
    } finally {
      this.intervals.push([started, performance.now()]);
    }
  }

  reset(): void {
    this.stats.clear();
    this.intervals = [];
  }

  /** The union of the calls' intervals since the last reset. */
  busy(): DynamoBusy {
    const sorted = [...this.intervals].sort((a, b) => a[0] - b[0]);
    let ms = 0;
    let roundTrips = 0;
    let end = -Infinity;
    for (const [from, to] of sorted) {
      if (from > end) {
        roundTrips++;
        ms += to - from;
        end = to;
      } else if (to > end) {
        ms += to - end;
        end = to;
      }
    }
    return { ms, roundTrips };
  }

  snapshot(): MeterSnapshot {
    return Object.fromEntries([...this.stats].map(([k, v]) => [k, { ...v }]));
  }

  private entry(key: string): OpStats {
    let entry = this.stats.get(key);
    if (!entry) {
      entry = { calls: 0, items: 0, scanned: 0, capacity: 0, errors: 0 };
      this.stats.set(key, entry);
    }
    return entry;
  }

  private tableOf(input: Input): string {
    const names = new Set<string>();
    if (input.TableName) names.add(input.TableName);
    for (const t of Object.keys(input.RequestItems ?? {})) names.add(t);
    for (const item of input.TransactItems ?? []) {
      for (const action of Object.values(item)) if (action?.TableName) names.add(action.TableName);
    }
    return [...names].map(this.tableLabel).sort().join('+') || '-';
  }
}

function countItems(op: string, out: Output): number {
  if (typeof out.Count === 'number') return out.Count;
  if (op === 'GetItem') return out.Item ? 1 : 0;
  if (op === 'BatchGetItem' && out.Responses && !Array.isArray(out.Responses)) {
    return Object.values(out.Responses).reduce((n, items) => n + items.length, 0);
  }
  return 0;
}

function sumCapacity(c: Capacity | Capacity[] | undefined): number {
  if (!c) return 0;
  return (Array.isArray(c) ? c : [c]).reduce((n, x) => n + (x.CapacityUnits ?? 0), 0);
}

/** Totals over every key of a snapshot, optionally only keys starting with an operation. */
export function total(snapshot: MeterSnapshot, filter: (key: string) => boolean = () => true): OpStats {
  const sum: OpStats = { calls: 0, items: 0, scanned: 0, capacity: 0, errors: 0 };
  for (const [key, s] of Object.entries(snapshot)) {
    if (!filter(key)) continue;
    sum.calls += s.calls;
    sum.items += s.items;
    sum.scanned += s.scanned;
    sum.capacity += s.capacity;
    sum.errors += s.errors;
  }
  return sum;
}
