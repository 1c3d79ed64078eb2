/**
 * Concurrent writers into one calendar: how often a PUT is answered 503 ("busy with concurrent
 * writes") once the store's in-request retries of the counter race are used up, at 4 and 16
 * writers. Each run seeds a fresh calendar with PUT If-None-Match: * (the built-in CRM on, as
 * shipped); a 503 is retried by the client after its Retry-After and counted.
 *
 *   npx tsx bench/contention.ts [--events 500] [--writers 4,16]
 */
import { parseArgs } from 'node:util';
import { generateCalendar } from './ics';
import { total } from './meter';
import { seed } from './seed';
import { localTarget } from './target';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '500' }, writers: { type: 'string', default: '4,16' } } });

async function main() {
  const events = Number(args.events);
  console.log('| writers | PUTs | lost counter races | per PUT | 503 answered | 503 rate | events/s | p99 ms |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const writers of args.writers.split(',').map(Number)) {
    const target = await localTarget(process.env, { crm: 'builtin' });
    try {
      const { events: calendar } = generateCalendar(events, new Date(), 'bench@example.com');
      target.meter!.reset();
      target.client.busy = 0;
      const { timing } = await seed(target.client, target.calendar, calendar, writers);
      const races = total(target.meter!.snapshot(), (k) => k.startsWith('TransactWriteItems')).errors;
      const busy = target.client.busy;
      console.log(
        `| ${writers} | ${events} | ${races} | ${(races / events).toFixed(2)} | ${busy} | ${((100 * busy) / events).toFixed(1)}% | ${timing.rps.toFixed(1)} | ${timing.p99.toFixed(0)} |`,
      );
    } finally {
      await target.stop();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
