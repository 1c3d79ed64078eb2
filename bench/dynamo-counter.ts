/**
 * DynamoDB clients that count what the server asks of the engine: commands per table and items
 * read. The bench installs stores built on them, so it can show which operations each request
 * kind costs (no Scan; incremental sync proportional to the changes, not the calendar).
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { newDynamoClients, type DynamoClients } from '../lambda/store/dynamodb/client';

export interface OpTally {
  /** `Command table` → how many times it was sent, e.g. `Query events`. */
  commands: Map<string, number>;
  /** Items returned to the server (GetItem hit, Query/BatchGet items). */
  itemsRead: number;
  /** Items the engine looked at for Query/Scan (before any FilterExpression). */
  itemsScanned: number;
  /** Read capacity units reported by ReturnConsumedCapacity, when the engine reports them. */
  readUnits: number;
  writeUnits: number;
}

export interface CountingClients extends DynamoClients {
  tally(): OpTally;
  reset(): void;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

interface CapacityEntry {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

interface ReadOutput {
  Item?: unknown;
  Items?: unknown[];
  Count?: number;
  ScannedCount?: number;
  Responses?: Record<string, unknown[]> | unknown[];
  ConsumedCapacity?: CapacityEntry | CapacityEntry[];
}

interface CommandInput {
  TableName?: string;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Record<string, { TableName?: string }>[];
  ReturnConsumedCapacity?: string;
}

const emptyTally = (): OpTally => ({ commands: new Map(), itemsRead: 0, itemsScanned: 0, readUnits: 0, writeUnits: 0 });

/** `tableLabels` maps physical table names to short labels for the report. */
export function countingClients(config: DynamoDBClientConfig, tableLabels: Record<string, string>): CountingClients {
  const clients = newDynamoClients(config);
  let tally = emptyTally();
  const label = (name: string | undefined) => (name ? (tableLabels[name] ?? name) : '?');

  const tablesOf = (input: CommandInput): string => {
    if (input.TableName) return label(input.TableName);
    if (input.RequestItems) return Object.keys(input.RequestItems).map(label).join('+');
    if (input.TransactItems) {
      const names = new Set<string>();
      for (const item of input.TransactItems) for (const op of Object.values(item)) names.add(label(op.TableName));
      return [...names].sort().join('+');
    }
    return '?';
  };

  clients.client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = args.input as CommandInput;
      if (READS.has(command) || WRITES.has(command)) input.ReturnConsumedCapacity ??= 'TOTAL';
      const key = `${command.replace(/Command$/, '')} ${tablesOf(input)}`;
      tally.commands.set(key, (tally.commands.get(key) ?? 0) + 1);
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (err) {
        // Lost races (TransactionCanceled, ConditionalCheckFailed) show up as their own line.
        const failed = `${key} failed (${err instanceof Error ? err.name : 'error'})`;
        tally.commands.set(failed, (tally.commands.get(failed) ?? 0) + 1);
        throw err;
      }
      const out = result.output as ReadOutput;
      if (command === 'GetItemCommand') tally.itemsRead += out.Item ? 1 : 0;
      if (command === 'QueryCommand' || command === 'ScanCommand') {
        tally.itemsRead += out.Count ?? out.Items?.length ?? 0;
        tally.itemsScanned += out.ScannedCount ?? 0;
      }
      if (command === 'BatchGetItemCommand' || command === 'TransactGetItemsCommand') {
        const responses = out.Responses ?? {};
        tally.itemsRead += Array.isArray(responses)
          ? responses.length
          : Object.values(responses).reduce((n, items) => n + items.length, 0);
      }
      const capacity = out.ConsumedCapacity;
      for (const entry of Array.isArray(capacity) ? capacity : capacity ? [capacity] : []) {
        const units = entry.CapacityUnits ?? 0;
        if (READS.has(command)) tally.readUnits += entry.ReadCapacityUnits ?? units;
        else tally.writeUnits += entry.WriteCapacityUnits ?? units;
      }
      return result;
    },
    { step: 'initialize', name: 'benchOpCounter' },
  );

  return {
    ...clients,
    tally: () => ({ ...tally, commands: new Map(tally.commands) }),
    reset: () => {
      tally = emptyTally();
    },
  };
}

/** `Query events ×2, GetItem users ×1` — sorted, for a table cell. */
export function describeCommands(commands: Map<string, number>): string {
  return [...commands.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ');
}
