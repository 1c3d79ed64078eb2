import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { COMMANDS, connectorMismatch, main, runDeleteCommand, runUserCommand, type CliIo } from '../../bin/cli';
import { hashPassword, verifyPassword } from '../../lambda/accounts/passwords';
import { MemoryUserStore } from '../../lambda/store/memory';
import { checkLink } from '../../lambda/onboarding/links';

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const NOW = () => new Date('2025-05-01T08:00:00Z');
const ENV = { now: NOW, hash: (pw: string) => hashPassword(pw, { N: 1024, r: 8, p: 1 }) };
const passwordIn = (lines: string[]) => lines.map((l) => l.trim()).find((l) => /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/.test(l))!;

describe('user commands', () => {
  it('adds a user, prints the password once and stores only its hash', async () => {
    const users = new MemoryUserStore();
    const io = capture();
    await runUserCommand(users, 'add', 'Ana@Example.com', { name: 'Ana', timeZone: 'Europe/Berlin' }, io, ENV);
    const password = passwordIn(io.lines);
    const user = (await users.getUser('ana@example.com'))!;
    expect(user).toMatchObject({ email: 'ana@example.com', enabled: true, name: 'Ana', timeZone: 'Europe/Berlin', createdAt: NOW().toISOString() });
    expect(user.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, user.passwordHash)).toBe(true);
  });

  it('refuses to add an enabled user twice and rejects unknown time zones', async () => {
    const users = new MemoryUserStore();
    await runUserCommand(users, 'add', 'ana@example.com', {}, capture(), ENV);
    await expect(runUserCommand(users, 'add', 'ana@example.com', {}, capture(), ENV)).rejects.toThrow(/already exists/);
    await expect(runUserCommand(users, 'add', 'bob@example.com', { timeZone: 'Mars/Base' }, capture(), ENV)).rejects.toThrow(/time zone/);
  });

  it("with a hosted CRM, adds only the CRM's active users, as the admin API does", async () => {
    const users = new MemoryUserStore();
    const directory = { findUser: async (email: string) => (email === 'ana@example.com' ? { email, name: 'Ana' } : null) };
    await expect(runUserCommand(users, 'add', 'bob@example.com', {}, capture(), { ...ENV, directory })).rejects.toThrow(
      'bob@example.com is not an active user of the CRM: add them there first, or check the spelling',
    );
    expect(await users.getUser('bob@example.com')).toBeNull();
    await runUserCommand(users, 'add', 'ana@example.com', {}, capture(), { ...ENV, directory });
    expect((await users.getUser('ana@example.com'))!.enabled).toBe(true);
  });

  it('warns when the running server syncs with another CRM than the command would', () => {
    expect(connectorMismatch('zoho', {})).toBe(
      'Warning: the running server syncs with CRM_CONNECTOR=zoho, this command with builtin; set CRM_CONNECTOR=zoho for this command to act as the server does.',
    );
    expect(connectorMismatch('zoho', { CRM_CONNECTOR: 'zoho' })).toBeUndefined();
    expect(connectorMismatch(undefined, { CRM_CONNECTOR: 'zoho' })).toBeUndefined();
  });

  it('disables, and enables with a new password unless asked to keep it', async () => {
    const users = new MemoryUserStore();
    const added = capture();
    await runUserCommand(users, 'add', 'ana@example.com', {}, added, ENV);
    const first = passwordIn(added.lines);

    await runUserCommand(users, 'disable', 'ana@example.com', {}, capture(), ENV);
    expect((await users.getUser('ana@example.com'))!.enabled).toBe(false);

    const enabled = capture();
    await runUserCommand(users, 'enable', 'ana@example.com', {}, enabled, ENV);
    const second = passwordIn(enabled.lines);
    const user = (await users.getUser('ana@example.com'))!;
    expect(user.enabled).toBe(true);
    expect(await verifyPassword(first, user.passwordHash)).toBe(false);
    expect(await verifyPassword(second, user.passwordHash)).toBe(true);

    await runUserCommand(users, 'disable', 'ana@example.com', {}, capture(), ENV);
    const kept = capture();
    await runUserCommand(users, 'enable', 'ana@example.com', { keepPassword: true }, kept, ENV);
    expect(passwordIn(kept.lines)).toBeUndefined();
    expect(await verifyPassword(second, (await users.getUser('ana@example.com'))!.passwordHash)).toBe(true);
  });

  it('makes a one-time set-up link the onboarding page accepts, only with a valid --url and for an enabled user', async () => {
    const users = new MemoryUserStore();
    await runUserCommand(users, 'add', 'ana@example.com', {}, capture(), ENV);
    const io = capture();
    await runUserCommand(users, 'link', 'ana@example.com', { url: 'https://caldav.example.com/ignored/path', hours: '2' }, io, ENV);
    const url = io.lines.map((l) => l.trim()).find((l) => l.startsWith('https://'))!;
    expect(url).toMatch(/^https:\/\/caldav\.example\.com\/crm\/v1\/onboarding#[\w-]+\.[\w-]{24}$/);
    expect(io.lines[0]).toContain('valid until 2025-05-01T10:00:00.000Z');
    const state = await checkLink(users, url.split('#').pop()!, NOW());
    expect(state.ok).toBe(true);
    await expect(runUserCommand(users, 'link', 'ana@example.com', {}, capture(), ENV)).rejects.toThrow(/needs --url/);
    await expect(runUserCommand(users, 'link', 'ana@example.com', { url: 'caldav.example.com' }, capture(), ENV)).rejects.toThrow(/not a URL/);
    await expect(runUserCommand(users, 'link', 'ana@example.com', { url: 'https://x.example', hours: '200' }, capture(), ENV)).rejects.toThrow(/--hours/);
    await runUserCommand(users, 'disable', 'ana@example.com', {}, capture(), ENV);
    await expect(runUserCommand(users, 'link', 'ana@example.com', { url: 'https://x.example' }, capture(), ENV)).rejects.toThrow(/disabled/);
  });

  it('deletes a user only with --yes, and says what went', async () => {
    const calls: string[] = [];
    const app = { deleteUser: async (email: string) => (calls.push(email), email === 'ana@example.com' ? { email, objects: 3, pendingDropped: 1, exportCancelled: false } : null) };
    await expect(runDeleteCommand(app, 'ana@example.com', false, capture())).rejects.toThrow(/--yes/);
    expect(calls).toEqual([]);
    const io = capture();
    await runDeleteCommand(app, 'ana@example.com', true, io);
    expect(io.lines[0]).toBe('Deleted ana@example.com: 3 calendar object(s), 1 change(s) not yet in the CRM dropped.');
    await expect(runDeleteCommand(app, 'bob@example.com', true, capture())).rejects.toThrow(/no user/);
  });

  it('resets a password and lists users', async () => {
    const users = new MemoryUserStore();
    await runUserCommand(users, 'add', 'bob@example.com', {}, capture(), ENV);
    await runUserCommand(users, 'add', 'ana@example.com', { name: 'Ana' }, capture(), ENV);
    const reset = capture();
    await runUserCommand(users, 'reset-password', 'bob@example.com', {}, reset, ENV);
    expect(await verifyPassword(passwordIn(reset.lines), (await users.getUser('bob@example.com'))!.passwordHash)).toBe(true);
    await expect(runUserCommand(users, 'reset-password', 'nobody@example.com', {}, capture(), ENV)).rejects.toThrow(/no user/);

    const list = capture();
    await runUserCommand(users, 'list', undefined, {}, list, ENV);
    expect(list.lines.map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['EMAIL', 'CALDAV', 'NAME'],
      ['ana@example.com', 'enabled', 'Ana'],
      ['bob@example.com', 'enabled', '-'],
    ]);
  });

  it('lists the time zone in effect: the one set, else UTC as the server uses (never "-")', async () => {
    const users = new MemoryUserStore();
    await runUserCommand(users, 'add', 'ana@example.com', { timeZone: 'europe/berlin' }, capture(), ENV);
    await runUserCommand(users, 'add', 'bob@example.com', {}, capture(), ENV);
    const list = capture();
    await runUserCommand(users, 'list', undefined, {}, list, ENV);
    expect(list.lines.map((l) => l.split('\t')[3])).toEqual(['TIME ZONE', 'Europe/Berlin', 'UTC']);
    // Stored as the zone database spells it, whatever the case typed.
    expect((await users.getUser('ana@example.com'))!.timeZone).toBe('Europe/Berlin');
  });

  it('says a second disable changed nothing, and records only real changes in the audit log', async () => {
    const users = new MemoryUserStore();
    const recorded: Array<{ action: string; target?: string; detail?: string }> = [];
    const env = { ...ENV, audit: async (facts: { action: string; target?: string; detail?: string }) => void recorded.push(facts) };
    await runUserCommand(users, 'add', 'ana@example.com', {}, capture(), env);
    const first = capture();
    await runUserCommand(users, 'disable', 'ana@example.com', {}, first, env);
    expect(first.lines).toEqual(['Disabled ana@example.com: its devices are refused from now on.']);
    const second = capture();
    await runUserCommand(users, 'disable', 'ana@example.com', {}, second, env);
    expect(second.lines).toEqual(['ana@example.com was already disabled: nothing changed.']);
    await runUserCommand(users, 'enable', 'ana@example.com', { keepPassword: true }, capture(), env);
    await runUserCommand(users, 'reset-password', 'ana@example.com', {}, capture(), env);
    await runUserCommand(users, 'link', 'ana@example.com', { url: 'https://caldav.example.com' }, capture(), env);
    expect(recorded).toEqual([
      { action: 'user.create', target: 'ana@example.com', detail: 'CalDAV on; new app password' },
      { action: 'user.disable', target: 'ana@example.com' },
      { action: 'user.enable', target: 'ana@example.com', detail: 'password kept' },
      { action: 'user.reset-password', target: 'ana@example.com', detail: 'new app password' },
      { action: 'link.create', target: 'ana@example.com', detail: 'valid 24 h, replacing any earlier link' },
    ]);
  });
});

describe('main', () => {
  it('exits 2 on bad invocations, before touching any database, with the line that matters and a --help hint, never the whole usage', async () => {
    for (const argv of [['user'], ['user', 'frobnicate', 'a@b.c'], ['user', 'add', 'not-an-email'], ['user', 'add', '--bogus'], ['user', 'add', 'a@b.c', '--time-zone']]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      const [why, hint, ...rest] = io.errors.join('\n').split('\n');
      expect(why, argv.join(' ')).toMatch(/^crm-caldav: (.*(e-mail|Unknown option|needs a command|unknown command|argument).*)$/);
      expect(hint).toBe("Run 'crm-caldav --help' for the commands and options.");
      expect(rest).toEqual([]);
      expect(io.lines).toEqual([]);
    }
    // No command at all: the usage is the answer.
    const bare = capture();
    expect(await main([], bare)).toBe(2);
    expect(bare.lines[0]).toMatch(/^Usage: crm-caldav/);
  });

  it('exits 0 for --help', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.lines[0]).toMatch(/^Usage: crm-caldav/);
  });

  it('says what was wrong with an unknown or incomplete command, prefixed crm-caldav:, without the usage', async () => {
    for (const [argv, why] of [[['frobnicate'], /unknown command "frobnicate"/], [['user'], /"user" needs a command: add/], [['user', 'explode'], /unknown command "user explode"/]] as const) {
      const c = capture();
      expect(await main([...argv], c)).toBe(2);
      expect(c.errors[0]).toMatch(why);
      expect(c.errors[0]).toMatch(/^crm-caldav: /);
      expect(c.errors[0]).not.toContain('Usage: crm-caldav');
    }
  });

  it('user add on a user who never had CalDAV says Enabled, not Re-enabled', async () => {
    const users = new MemoryUserStore();
    await users.putUser({ email: 'new@example.com', passwordHash: '', enabled: false, createdAt: '2026-01-01T00:00:00Z' });
    const c = capture();
    await runUserCommand(users, 'add', 'new@example.com', {}, c, ENV);
    expect(c.lines).toContain('Enabled new@example.com.');
  });

  it('every command is in the README and in --help (sync status and sync retry included)', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const help = capture();
    await main(['--help'], help);
    for (const [group, commands] of COMMANDS) {
      for (const command of commands) {
        expect(readme, `${group} ${command}`).toMatch(new RegExp(`crm-caldav ${group} ${command}\\b|\\b${group} ${command}\\b`));
        expect(help.lines.join('\n'), `${group} ${command}`).toContain(`${group} ${command}`);
      }
    }
    expect(readme).toContain('npx crm-caldav sync status');
    expect(readme).toContain('npx crm-caldav sync retry');
  });
});

