/**
 * X-Ray subsegments for the wire's calls, as the X-Ray SDK's capture of an SDK client draws
 * them (a `DynamoDB` node, namespace `aws`, the operation, tables and request id): the stores the
 * CRM API and the jobs reach over the wire show in their traces like those still on the SDK's
 * client. Knows nothing of the X-Ray SDK: it is handed the current segment (platform/xray.ts).
 */
import type { WireHook, WireInput } from './wire';

/** What this needs of an X-Ray segment or subsegment. */
export interface TraceSegment {
  addNewSubsegment(name: string): TraceSubsegment;
}

export interface TraceSubsegment {
  addAttribute(name: string, data: unknown): void;
  close(err?: { message: string; name: string; stack?: string }, remote?: boolean): void;
}

/** The tables a call names: its TableName, or the keys of RequestItems, or each transaction item's. */
function tablesOf(input: WireInput): string[] {
  if (typeof input.TableName === 'string') return [input.TableName];
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems);
  if (Array.isArray(input.TransactItems)) {
    const names = (input.TransactItems as Array<Record<string, { TableName?: unknown }>>).flatMap((item) => Object.values(item).map((op) => op?.TableName));
    return [...new Set(names.filter((n): n is string => typeof n === 'string'))];
  }
  return [];
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** A hook drawing each call under `current()`'s segment; calls outside any segment pass untraced. */
export function wireTracing(current: () => TraceSegment | undefined, region: string): WireHook {
  return async (operation, input, next) => {
    const segment = current();
    if (!segment) return next();
    const sub = segment.addNewSubsegment('DynamoDB');
    sub.addAttribute('namespace', 'aws');
    const tables = tablesOf(input);
    const aws = { operation: lowerFirst(operation), region, ...(tables.length === 1 ? { table_name: tables[0] } : { table_names: tables }) };
    try {
      const output = await next();
      sub.addAttribute('aws', aws);
      sub.close();
      return output;
    } catch (err) {
      const e = err as Error & { $metadata?: { requestId?: string; httpStatusCode?: number } };
      sub.addAttribute('aws', { ...aws, ...(e.$metadata?.requestId ? { request_id: e.$metadata.requestId } : {}) });
      if (e.$metadata?.httpStatusCode) sub.addAttribute('http', { response: { status: e.$metadata.httpStatusCode } });
      sub.close({ message: e.message, name: e.name, stack: e.stack }, true);
      throw err;
    }
  };
}
