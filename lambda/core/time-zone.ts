/**
 * IANA time zone names as people type them (`europe/berlin`, ` UTC `, `US/Eastern`) into the
 * form the zone database and every client know (`Europe/Berlin`, `UTC`, `America/New_York`):
 * the spelling Intl resolves a name to. Pure; null for anything that is not a zone name (offsets
 * such as `+02:00` included: a user's zone must follow its daylight-saving rules).
 */
const NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

export function canonicalTimeZone(typed: string): string | null {
  const name = typed.trim();
  if (!NAME.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
