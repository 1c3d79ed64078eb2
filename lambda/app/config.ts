/**
 * The DAV limits the environment configures, read by every entry point (handlers, scheduled job,
 * CLI, bench) alike: CALDAV_MAX_RESOURCE_SIZE in bytes, CALDAV_SYNC_RETENTION_DAYS.
 */
import { DEFAULT_CONFIG, type DavConfig } from '../core/types';
import { positiveNumber, type Env } from '../platform/env';

/** DEFAULT_CONFIG for whatever is unset. */
export function configFromEnv(env: Env = process.env): DavConfig {
  const maxSize = positiveNumber(env.CALDAV_MAX_RESOURCE_SIZE, 'CALDAV_MAX_RESOURCE_SIZE');
  const days = positiveNumber(env.CALDAV_SYNC_RETENTION_DAYS, 'CALDAV_SYNC_RETENTION_DAYS');
  return {
    maxResourceSize: maxSize !== undefined ? Math.floor(maxSize) : DEFAULT_CONFIG.maxResourceSize,
    syncRetentionSeconds: days !== undefined ? Math.round(days * 24 * 3600) : DEFAULT_CONFIG.syncRetentionSeconds,
  };
}
