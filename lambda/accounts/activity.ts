/**
 * Which devices of a user sync, and when each last did: one record per user agent, for the
 * admin console's "last sync activity". The CalDAV handlers note each authenticated request;
 * a container writes a device's record at most once per interval (iOS polls every 15 minutes
 * with a burst of requests), so the hot path pays one extra write per poll at most, sent
 * alongside the request's own work, and a failed write never fails the request.
 */
import { createHash } from 'node:crypto';

export interface DeviceActivity {
  userAgent: string;
  lastSeenAt: string;
  /** The HTTP method of that request (PROPFIND for a poll, PUT for an edit…). */
  lastMethod: string;
}

/** The storage port (DynamoDB: store/dynamodb/activity-store.ts). */
export interface ActivityStore {
  record(email: string, device: DeviceActivity): Promise<void>;
  /** Most recent first. */
  list(email: string): Promise<DeviceActivity[]>;
  deleteUser(email: string): Promise<void>;
}

/** User agents are echoed to an admin: bounded, and without control characters. */
export const MAX_USER_AGENT = 256;
export const normalizeUserAgent = (ua: string | undefined) =>
  (ua ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_USER_AGENT) || '(no user agent)';

/** A short stable key per user agent (the text itself can be long). */
export const deviceKey = (userAgent: string) => createHash('sha256').update(userAgent).digest('hex').slice(0, 24);

export const RECORD_INTERVAL_MS = 5 * 60 * 1000;
const MAX_REMEMBERED = 10_000;

export class ActivityRecorder {
  /** `<email>\n<user agent>` → when this container last wrote it (ms). */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly store: ActivityStore,
    private readonly intervalMs = RECORD_INTERVAL_MS,
  ) {}

  /** The write to wait for, or null when this container wrote the device's record recently. */
  seen(email: string, userAgent: string | undefined, method: string, now: Date): Promise<void> | null {
    // Keyed by the header as sent: a request this container noted lately costs no hashing.
    const id = `${email}\n${userAgent ?? ''}`;
    const last = this.written.get(id);
    if (last !== undefined && now.getTime() - last < this.intervalMs) return null;
    const ua = normalizeUserAgent(userAgent);
    this.written.delete(id);
    if (this.written.size >= MAX_REMEMBERED) this.written.delete(this.written.keys().next().value!);
    this.written.set(id, now.getTime());
    return this.store.record(email, { userAgent: ua, lastSeenAt: now.toISOString(), lastMethod: method }).catch((err: unknown) => {
      // Forget it, so the next request tries again.
      this.written.delete(id);
      throw err;
    });
  }
}

export class MemoryActivityStore implements ActivityStore {
  private readonly byUser = new Map<string, Map<string, DeviceActivity>>();

  async record(email: string, device: DeviceActivity) {
    const devices = this.byUser.get(email) ?? new Map<string, DeviceActivity>();
    devices.set(deviceKey(device.userAgent), { ...device });
    this.byUser.set(email, devices);
  }
  async list(email: string) {
    return [...(this.byUser.get(email)?.values() ?? [])].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }
  async deleteUser(email: string) {
    this.byUser.delete(email);
  }
}
