import { describe, expect, it } from 'vitest';
import { main, runSyncCommand, type CliIo } from '../../bin/cli';
import { connectorName } from '../../lambda/app/build';
import { syncStatus } from '../../lambda/sync/status';
import { OLIVIA, fixture, makeWorld } from './harness';

function capture() {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: CliIo = { out: (l) => lines.push(l), err: (l) => errors.push(l) };
  return { io, lines, errors };
}

describe('crm-caldav sync', () => {
  it('status lists what waits per user; retry delivers it', async () => {
    const w = makeWorld();
    w.crm.available = false;
    await w.phone.put('a.ics', fixture('ios-event.ics'));
    w.crm.available = true;
    const target = { status: (owner?: string) => syncStatus(w.outbox, owner), retry: () => w.retry() };
    const status = capture();
    await runSyncCommand(target, 'status', undefined, status.io);
    expect(status.lines[0]).toBe('1 calendar object(s) waiting for the CRM, the oldest since 2024-04-05T12:00:00.000Z.');
    expect(status.lines[1]).toMatch(new RegExp(`^${OLIVIA.email}\\t1 pending since .*last error .* on a.ics: CrmUnavailable`));
    const retry = capture();
    await runSyncCommand(target, 'retry', undefined, retry.io);
    expect(retry.lines).toEqual(['Delivered 1, still failing 0, changed during the run 0.', 'Nothing pending: every CalDAV change has reached the CRM.']);
  });

  it('retry without a connector is a usage error; bad invocations exit 2 before any database', async () => {
    await expect(runSyncCommand({ status: async () => ({ pending: 0, oldestPendingSince: null, users: [] }), retry: null }, 'retry', undefined, capture().io)).rejects.toThrow(/CRM_CONNECTOR/);
    for (const argv of [['sync'], ['sync', 'frobnicate'], ['sync', 'status', 'not-an-email'], ['sync', 'status', 'a@b.c', 'extra']]) {
      const c = capture();
      expect(await main(argv, c.io), argv.join(' ')).toBe(2);
    }
  });

  it('CRM_CONNECTOR: builtin by default, none means no bridge; an unknown name is refused', () => {
    expect(connectorName({})).toBe('builtin');
    expect(connectorName({ CRM_CONNECTOR: ' ' })).toBe('builtin');
    expect(connectorName({ CRM_CONNECTOR: 'none' })).toBe('none');
    expect(() => connectorName({ CRM_CONNECTOR: 'salesforce' })).toThrow(/CRM_CONNECTOR must be one of none, builtin/);
  });
});
