/**
 * Reading the environment: number parsing shared by every configuration reader, and what the
 * admin's overview reports about this deployment (CALDAV_VERSION, CALDAV_SCHEDULE_MINUTES).
 */
export type Env = Record<string, string | undefined>;

/** Undefined when unset or blank; throws naming the variable when it is not a positive number. */
export function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
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
