/** What every CLI command module shares: its output channel, usage errors, e-mail arguments. */

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * A command the CLI will not run as given: exit code 2. A mistake in the invocation (`help`,
 * the default) is followed by a hint at --help; a refusal that says its own next step
 * (`no user x; create it with: …`) is not.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help = true,
  ) {
    super(message);
  }
}

/** Not the 40-line usage: the line that says what was wrong is what matters. */
export const HELP_HINT = "Run 'crm-caldav --help' for the commands and options.";

/** The CLI's own record of what it changed (the audit log): what and whom, never a secret. */
export type CliAudit = (facts: { action: string; target?: string; detail?: string }) => Promise<void>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function emailArg(value: string | undefined): string {
  if (!value || !EMAIL.test(value)) throw new UsageError(`expected an e-mail address, got ${value ?? 'nothing'}`);
  return value.toLowerCase();
}
