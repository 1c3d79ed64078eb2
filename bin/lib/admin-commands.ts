/** `crm-caldav admin …`: the accounts that sign in to the admin console (lambda/accounts/admins.ts). */
import { issueAdminPassword, type AdminStore } from '../../lambda/accounts/admins';
import type { SignInThrottle } from '../../lambda/accounts/throttle';
import { UsageError, emailArg, type CliAudit, type CliIo } from './cli-io';

export interface AdminCommandOptions {
  name?: string;
  yes?: boolean;
  consoleUrl?: string;
  /** For `admin unlock`: the console's sign-in throttle. */
  throttle?: SignInThrottle;
  audit?: CliAudit;
}

export async function runAdminCommand(
  admins: AdminStore,
  command: string,
  email: string | undefined,
  opts: AdminCommandOptions,
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<void> {
  const audit = opts.audit ?? (async () => {});
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
      if (command === 'add' && existing) throw new UsageError(`${address} is an admin already; use admin reset-password for a new password`, false);
      if (command === 'reset-password' && !existing) throw new UsageError(`no admin ${address}; create it with: crm-caldav admin add ${address}`, false);
      // A reset is for a password that may be known to someone else: their sessions end too.
      if (existing) await admins.deleteAccount(address);
      const { password } = await issueAdminPassword(admins, address, now(), opts.name ?? existing?.name);
      await audit({ action: command === 'add' ? 'admin.add' : 'admin.reset-password', target: address, detail: command === 'add' ? 'console account created' : 'new password; open sessions ended, lockout lifted' });
      io.out(`Console password for ${address} (shown once):`);
      io.out(`  ${password}`);
      io.out(command === 'add' ? `Sign in at ${opts.consoleUrl ?? "the server's /crm/admin/ page"}.` : 'The previous password no longer signs in, and its open console sessions have ended.');
      return;
    }
    case 'remove':
      if (!existing) throw new UsageError(`no admin ${address}`, false);
      if (!opts.yes) throw new UsageError(`admin remove takes ${address}'s console access away at once; add --yes to do it`);
      await admins.deleteAccount(address);
      await audit({ action: 'admin.remove', target: address, detail: 'console sessions ended' });
      io.out(`Removed ${address}: their console sessions ended.`);
      return;
    case 'unlock':
      if (!opts.throttle) throw new Error('no sign-in throttle is kept here');
      // Unknown e-mails are throttled too (a lockout never tells whether an account exists).
      await opts.throttle.unlock(address);
      await audit({ action: 'admin.unlock', target: address, detail: 'sign-in lockout lifted' });
      io.out(`${address} may sign in again now${existing ? '' : ' (there is no admin account of that e-mail)'}. A lockout of the network address it came from, if any, still runs out by itself.`);
      return;
    default:
      throw new UsageError(`unknown command: admin ${command}`);
  }
}
