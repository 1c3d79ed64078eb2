/**
 * What one request costs in DynamoDB: each scenario is sent once with consumed capacity turned
 * on, and the meter's counts are kept per request. Also the check the issue asks for: an
 * incremental sync reads the change log with a Query and only the changed objects, never the
 * calendar, so its reads grow with the number of changes and not with the calendar's size.
 */
import type { BenchClient, DavRequest } from './http';
import { countResponses } from './http';
import { total, type DynamoBusy, type DynamoMeter, type MeterSnapshot } from './meter';

export interface RequestCost {
  name: string;
  /** DAV:response elements in the answer (0 for GET/PUT). */
  responses: number;
  dynamo: MeterSnapshot;
  /** Sequential round trips and time with a DynamoDB call in flight, against the request's whole time. */
  busy: DynamoBusy;
  ms: number;
}

export async function costOf(client: BenchClient, meter: DynamoMeter, name: string, req: DavRequest, expected: number): Promise<RequestCost> {
  meter.reset();
  meter.capacity = true;
  try {
    const started = performance.now();
    const reply = await client.expect(req, expected);
    const ms = performance.now() - started;
    return { name, responses: countResponses(reply.text), dynamo: meter.snapshot(), busy: meter.busy(), ms };
  } finally {
    meter.capacity = false;
    meter.reset();
  }
}

const isScan = (key: string) => key.startsWith('Scan ');
/** Reads of calendar objects: the events table, by any read operation. */
const readsEvents = (key: string) => /^(GetItem|Query|Scan|BatchGetItem) .*events/.test(key);

export interface SyncCheck {
  ok: boolean;
  lines: string[];
}

/**
 * `incremental` holds costs of incremental syncs over growing numbers of changes (ascending),
 * `full` the empty-token sync over the whole calendar of `calendarSize` objects.
 */
export function checkIncrementalSync(
  incremental: { changes: number; cost: RequestCost }[],
  full: RequestCost,
  calendarSize: number,
): SyncCheck {
  const lines: string[] = [];
  let ok = true;
  for (const { changes, cost } of incremental) {
    let lineOk = true;
    const fail = (line: string) => {
      ok = lineOk = false;
      lines.push(`FAIL ${line}`);
    };
    const scans = total(cost.dynamo, isScan).calls;
    const log = total(cost.dynamo, (k) => k.startsWith('Query sync'));
    const objects = total(cost.dynamo, readsEvents);
    const label = `incremental sync over ${changes} changes:`;
    if (scans > 0) fail(`${label} ${scans} Scan call(s)`);
    if (log.calls === 0) fail(`${label} no Query on the change log`);
    if (log.scanned > changes) fail(`${label} read ${log.scanned} change-log entries for ${changes} changes`);
    if (objects.scanned > changes) fail(`${label} read ${objects.scanned} calendar objects for ${changes} changes`);
    lines.push(
      `${lineOk ? 'ok  ' : '    '} ${label} ${scans} Scan, change log ${log.calls} Query / ${log.scanned} entries read, ` +
        `${objects.scanned} objects read, ${fmt(total(cost.dynamo).capacity)} RCU`,
    );
  }
  const fullObjects = total(full.dynamo, readsEvents);
  lines.push(
    `     full sync (empty token): ${total(full.dynamo, isScan).calls} Scan, ${fullObjects.scanned} of ${calendarSize} objects read, ` +
      `${fmt(total(full.dynamo).capacity)} RCU`,
  );
  return { ok, lines };
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
