/** What every CLI command module shares: its output channel, usage errors, e-mail arguments. */

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A mistake in the invocation: printed with the usage, exit code 2. */
export class UsageError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function emailArg(value: string | undefined): string {
  if (!value || !EMAIL.test(value)) throw new UsageError(`expected an e-mail address, got ${value ?? 'nothing'}`);
  return value.toLowerCase();
}
