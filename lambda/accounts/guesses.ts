/**
 * Online guessing of a chosen password, bounded. An app password the server generated (~79 random
 * bits) cannot be guessed online; a password an admin chose (`password` on the CRM API) can, and
 * every try costs us a scrypt (tens of ms of CPU). So each slow verification, a chosen password
 * this container has not verified yet, is counted per account before it runs: past GUESS_LIMIT
 * tries in a window of GUESS_WINDOW_MS from the first, the account's chosen password is refused
 * unchecked (the doors answer 429 with Retry-After) until the window ends. A success clears the
 * count; so does a new password (the count is kept per stored password: an admin resetting a
 * user held off gives them a password that works at once). App passwords are never counted, so a guesser cannot lock a user's phones out, and an
 * unknown account costs a fast decoy hash only (credentials.ts).
 */

export const GUESS_LIMIT = 10;
export const GUESS_WINDOW_MS = 15 * 60_000;

export type GuessCount = { allowed: true } | { allowed: false; until: Date };

/** Whose tries: an account's, of the password it has now (`password`: a short digest of its stored hash). */
export interface Guessed {
  email: string;
  password: string;
}

/** The storage port (DynamoDB: accounts/guesses-store-dynamodb.ts, on the activity table). */
export interface GuessStore {
  /** Counts one try; refused, with when the window ends, once GUESS_LIMIT were counted in it. */
  count(of: Guessed, now: Date): Promise<GuessCount>;
  /** Forgets the tries (a verified password). */
  clear(of: Guessed): Promise<void>;
}

const memoryKey = (of: Guessed) => `${of.email}\n${of.password}`;

/** In memory, for an App without DynamoDB (tests): the same policy. */
export class MemoryGuessStore implements GuessStore {
  private readonly windows = new Map<string, { start: number; tries: number }>();

  async count(of: Guessed, now: Date): Promise<GuessCount> {
    const at = now.getTime();
    const window = this.windows.get(memoryKey(of));
    if (!window || at - window.start >= GUESS_WINDOW_MS) {
      this.windows.set(memoryKey(of), { start: at, tries: 1 });
      return { allowed: true };
    }
    if (window.tries >= GUESS_LIMIT) return { allowed: false, until: new Date(window.start + GUESS_WINDOW_MS) };
    window.tries++;
    return { allowed: true };
  }

  async clear(of: Guessed): Promise<void> {
    this.windows.delete(memoryKey(of));
  }
}
