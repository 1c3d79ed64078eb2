/** A value per Lambda container, built on first use and kept; a failed build is retried by the next call. */
export type Source<T> = () => Promise<T>;

export function once<T>(build: () => Promise<T>): Source<T> {
  let current: Promise<T> | undefined;
  return () =>
    (current ??= build().catch((err: unknown) => {
      current = undefined;
      throw err;
    }));
}

/** A source that always serves `value` (the local server, tests). */
export const fixedApp = <T>(value: T): Source<T> => () => Promise.resolve(value);
