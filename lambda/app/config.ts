/**
 * What the environment configures, read by every entry point (handlers, scheduled job, CLI,
 * bench) alike: the DAV limits (CALDAV_MAX_RESOURCE_SIZE in bytes, CALDAV_SYNC_RETENTION_DAYS)
 * and what the admin's overview reports (CALDAV_VERSION, CALDAV_SCHEDULE_MINUTES).
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

/** The release, set from package.json by the CDK stack and by the local server. */
export const VERSION_ENV = 'CALDAV_VERSION';
/** The scheduled job's interval in minutes: the local server's flag, and set by the CDK stack. */
export const SCHEDULE_MINUTES_ENV = 'CALDAV_SCHEDULE_MINUTES';

/** What runs here, for the admin's overview; a schedule of 0 or none is reported as off. */
export interface About {
  version: string | null;
  scheduleMinutes: number | null;
}

export function aboutFromEnv(env: Env = process.env): About {
  const minutes = Number(env[SCHEDULE_MINUTES_ENV]);
  return {
    version: env[VERSION_ENV]?.trim() || null,
    scheduleMinutes: Number.isFinite(minutes) && minutes > 0 ? minutes : null,
  };
}
