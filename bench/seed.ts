/**
 * Seeds the calendar through the real write path: one `PUT` with `If-None-Match: *` per event,
 * as iOS creates them, from several concurrent writers.
 */
import type { BenchEvent } from './ics';
import type { BenchClient } from './http';
import { summarize, type Timing } from './measure';

export interface SeedResult {
  timing: Timing;
  /** Current ETag per resource name. */
  etags: Map<string, string>;
}

/** `calendar`: the collection's path, ending in `/`. */
export function putRequest(calendar: string, event: Pick<BenchEvent, 'name' | 'ics'>, condition: Record<string, string>) {
  return {
    method: 'PUT',
    path: calendar + event.name,
    headers: { 'content-type': 'text/calendar; charset=utf-8', ...condition },
    body: event.ics,
  };
}

/** After a PUT: the ETag it answered with or, where a server leaves it out (it changed the text), the current one. */
export async function etagAfterPut(client: BenchClient, path: string, reply: { headers: Headers }): Promise<string> {
  return reply.headers.get('etag') ?? (await client.expect({ method: 'HEAD', path }, 200)).headers.get('etag') ?? '';
}

export async function seed(client: BenchClient, calendar: string, events: BenchEvent[], concurrency: number): Promise<SeedResult> {
  const etags = new Map<string, string>();
  const latencies: number[] = [];
  let next = 0;
  let failed = false;
  const started = performance.now();
  const worker = async () => {
    while (next < events.length && !failed) {
      const event = events[next++];
      const reply = await client.expect(putRequest(calendar, event, { 'if-none-match': '*' }), 201).catch((err: unknown) => {
        failed = true;
        throw err;
      });
      latencies.push(reply.ms);
      etags.set(event.name, reply.headers.get('etag') ?? '');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { timing: summarize(latencies, performance.now() - started, concurrency), etags };
}
