/**
 * Online guessing of a chosen password, bounded. An app password the server generated (~79 random
 * bits) cannot be guessed online; a password an admin chose (`password` on the CRM API) can, and
 * every try costs us a scrypt (tens of ms of CPU). So each slow verification, a chosen password
 * this container has not verified yet, is counted per account before it runs: past GUESS_LIMIT
 * tries in a window of GUESS_WINDOW_MS from the first, the account's chosen password is refused
 * unchecked (the doors answer 429 with Retry-After) until the window ends. A success clears the
 * count. App passwords are never counted, so a guesser cannot lock a user's phones out, and an
 * unknown account costs a fast decoy hash only (credentials.ts).
 */

export const GUESS_LIMIT = 10;
export const GUESS_WINDOW_MS = 15 * 60_000;

export type GuessCount = { allowed: true } | { allowed: false; until: Date };

/** The storage port (DynamoDB: accounts/guesses-store-dynamodb.ts, on the activity table). */
export interface GuessStore {
  /** Counts one try for `email`; refused, with when the window ends, once GUESS_LIMIT were counted in it. */
  count(email: string, now: Date): Promise<GuessCount>;
  /** Forgets the tries (a verified password). */
  clear(email: string): Promise<void>;
}

/** In memory, for an App without DynamoDB (tests): the same policy. */
export class MemoryGuessStore implements GuessStore {
  private readonly windows = new Map<string, { start: number; tries: number }>();

  async count(email: string, now: Date): Promise<GuessCount> {
    const at = now.getTime();
    const window = this.windows.get(email);
    if (!window || at - window.start >= GUESS_WINDOW_MS) {
      this.windows.set(email, { start: at, tries: 1 });
      return { allowed: true };
    }
    if (window.tries >= GUESS_LIMIT) return { allowed: false, until: new Date(window.start + GUESS_WINDOW_MS) };
    window.tries++;
    return { allowed: true };
  }

  async clear(email: string): Promise<void> {
    this.windows.delete(email);
  }
}
