import { describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../bin/lib/admin-commands';
import { MemoryAdminStore, checkSession, signIn } from '../../lambda/accounts/admins';

const capture = () => {
  const lines: string[] = [];
  return { lines, out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
};
const passwordIn = (lines: string[]) => lines[1]!.trim();
const NOW = () => new Date('2026-12-01T09:00:00Z');

describe('crm-caldav admin', () => {
  it('adds an admin whose printed password signs in to the console, and lists it', async () => {
    const admins = new MemoryAdminStore();
    const io = capture();
    await runAdminCommand(admins, 'add', 'Boss@Zillum.com', { name: 'Boss', consoleUrl: 'http://127.0.0.1:5232/crm/admin/' }, io, NOW);
    expect(io.lines[0]).toBe('Console password for boss@zillum.com (shown once):');
    expect(io.lines[2]).toBe('Sign in at http://127.0.0.1:5232/crm/admin/.');
    expect(await signIn(admins, 'boss@zillum.com', passwordIn(io.lines), NOW())).not.toBeNull();
    await expect(runAdminCommand(admins, 'add', 'boss@zillum.com', {}, capture(), NOW)).rejects.toThrow(/is an admin already/);
    const list = capture();
    await runAdminCommand(admins, 'list', undefined, {}, list, NOW);
    expect(list.lines).toEqual(['EMAIL\tNAME\tCREATED', 'boss@zillum.com\tBoss\t2026-12-01T09:00:00.000Z']);
  });

  it('reset-password replaces the password and ends open sessions; remove needs --yes', async () => {
    const admins = new MemoryAdminStore();
    const added = capture();
    await runAdminCommand(admins, 'add', 'boss@zillum.com', {}, added, NOW);
    const session = (await signIn(admins, 'boss@zillum.com', passwordIn(added.lines), NOW()))!;
    const reset = capture();
    await runAdminCommand(admins, 'reset-password', 'boss@zillum.com', {}, reset, NOW);
    expect(await checkSession(admins, session.cookieValue, NOW())).toBeNull();
    expect(await signIn(admins, 'boss@zillum.com', passwordIn(added.lines), NOW())).toBeNull();
    expect(await signIn(admins, 'boss@zillum.com', passwordIn(reset.lines), NOW())).not.toBeNull();

    await expect(runAdminCommand(admins, 'remove', 'boss@zillum.com', {}, capture(), NOW)).rejects.toThrow(/add --yes/);
    await runAdminCommand(admins, 'remove', 'boss@zillum.com', { yes: true }, capture(), NOW);
    expect(await admins.listAccounts()).toEqual([]);
    await expect(runAdminCommand(admins, 'reset-password', 'boss@zillum.com', {}, capture(), NOW)).rejects.toThrow(/no admin/);
  });
});
