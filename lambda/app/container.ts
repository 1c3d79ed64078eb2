/**
 * The App of this Lambda container, built from process.env on first use and kept for the
 * container's life. A failed build (a bad variable) is not kept: the next invocation retries.
 * CalDAV functions build only the CalDAV side (dav-container.ts; read-dav-container.ts for those
 * that only read): this module is for the CRM API and the scheduled job.
 */
import type { App } from './app';
import { once, type Source } from './once';
import { loadTracing } from '../platform/tracing';

export { fixedApp, once, type Source } from './once';
export type AppSource = Source<App>;

// The CRM API and the scheduled pass make many calls per invocation: on Lambda X-Ray shows each.
export const containerApp: AppSource = once(async () => {
  const [{ buildApp }, xray] = await Promise.all([import('./build'), loadTracing()]);
  return buildApp({ instrument: xray?.traceClient, traceWire: xray?.traceWire });
});
