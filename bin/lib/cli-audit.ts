/**
 * The CLI's changes go to the same audit log as the console's and the admin token's, as the
 * operating-system account that ran them (`cli`, `<user>@<host>`): on AWS that is whoever holds
 * the IAM rights to the tables, named as their machine knows them.
 */
import { hostname, userInfo } from 'node:os';
import type { AuditLog } from '../../lambda/accounts/audit';
import { errorText, type Logger } from '../../lambda/platform/log';
import type { CliAudit } from './cli-io';

export function cliActor(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name will do.
  }
  return `${user}@${hostname()}`;
}

/** Records, never fails the command: the change it describes is already made. */
export function cliAudit(audit: AuditLog | null, log: Logger, actor = cliActor()): CliAudit {
  return async (facts) => {
    if (!audit) return;
    try {
      await audit.record({ actor, via: 'cli', ...facts });
    } catch (err) {
      log('error', 'could not write the audit log (the change was made)', { action: facts.action, target: facts.target, error: errorText(err) });
    }
  };
}
