/**
 * The App of this Lambda container, built from process.env on first use and kept for the
 * container's life. A failed build (a bad variable) is not kept: the next invocation retries.
 */
import type { App } from './app';

export type AppSource = () => Promise<App>;

let current: Promise<App> | undefined;

export const containerApp: AppSource = () =>
  (current ??= import('./build').then(({ buildApp }) => buildApp()).catch((err: unknown) => {
    current = undefined;
    throw err;
  }));

/** An AppSource that always serves `app` (the local server, tests). */
export const fixedApp = (app: App): AppSource => () => Promise.resolve(app);
