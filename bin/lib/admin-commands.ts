/** `crm-caldav admin …`: the accounts that sign in to the admin console (lambda/accounts/admins.ts). */
import { issueAdminPassword, type AdminStore } from '../../lambda/accounts/admins';
import { UsageError, emailArg, type CliIo } from './cli-io';

export async function runAdminCommand(
  admins: AdminStore,
  command: string,
  email: string | undefined,
  opts: { name?: string; yes?: boolean; consoleUrl?: string },
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<void> {
  if (command === 'list') {
    const all = await admins.listAccounts();
    if (all.length === 0) return io.out('No admin accounts yet. Add one with: crm-caldav admin add <email>');
    io.out(['EMAIL', 'NAME', 'CREATED'].join('\t'));
    for (const a of all) io.out([a.email, a.name ?? '-', a.createdAt].join('\t'));
    return;
  }
  const address = emailArg(email);
  const existing = await admins.getAccount(address);
  switch (command) {
    case 'add':
    case 'reset-password': {
      if (command === 'add' && existing) throw new UsageError(`${address} is an admin already; use admin reset-password for a new password`);
      if (command === 'reset-password' && !existing) throw new UsageError(`no admin ${address}; create it with: crm-caldav admin add ${address}`);
      // A reset is for a password that may be known to someone else: their sessions end too.
      if (existing) await admins.deleteAccount(address);
      const { password } = await issueAdminPassword(admins, address, now(), opts.name ?? existing?.name);
      io.out(`Console password for ${address} (shown once):`);
      io.out(`  ${password}`);
      io.out(command === 'add' ? `Sign in at ${opts.consoleUrl ?? "the server's /crm/admin/ page"}.` : 'The previous password no longer signs in, and its open console sessions have ended.');
      return;
    }
    case 'remove':
      if (!existing) throw new UsageError(`no admin ${address}`);
      if (!opts.yes) throw new UsageError(`admin remove takes ${address}'s console access away at once; add --yes to do it`);
      await admins.deleteAccount(address);
      io.out(`Removed ${address}: their console sessions ended.`);
      return;
    default:
      throw new UsageError(`unknown command: admin ${command}`);
  }
}
