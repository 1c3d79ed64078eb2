/**
 * The DAV limits from the environment, read by every entry point (handlers, scheduled job, CLI,
 * bench) alike: CALDAV_MAX_RESOURCE_SIZE (bytes) and CALDAV_SYNC_RETENTION_DAYS.
 */
import { DEFAULT_CONFIG, type DavConfig } from '../core/types';

type Env = Record<string, string | undefined>;

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

/** DEFAULT_CONFIG for whatever is unset. */
export function configFromEnv(env: Env = process.env): DavConfig {
  const maxSize = positiveNumber(env.CALDAV_MAX_RESOURCE_SIZE, 'CALDAV_MAX_RESOURCE_SIZE');
  const days = positiveNumber(env.CALDAV_SYNC_RETENTION_DAYS, 'CALDAV_SYNC_RETENTION_DAYS');
  return {
    maxResourceSize: maxSize !== undefined ? Math.floor(maxSize) : DEFAULT_CONFIG.maxResourceSize,
    syncRetentionSeconds: days !== undefined ? Math.round(days * 24 * 3600) : DEFAULT_CONFIG.syncRetentionSeconds,
  };
}
