/**
 * Which devices of a user sync, and when each last did: one record per user agent, for the
 * admin console's "last sync activity". The CalDAV handlers note authenticated requests, but a
 * device's record is written only when the stored one is an hour old or more (iOS polls every
 * 15 minutes with a burst of requests: one write in four polls or fewer). The stored note's age
 * comes from reading the record in the request's own BatchGetItem, beside the user (no extra
 * round trip), and a container that noted or read the device within the hour does not even
 * read it. A failed read or write never fails the request.
 */
import { createHash } from 'node:crypto';

export interface DeviceActivity {
  userAgent: string;
  lastSeenAt: string;
  /** The HTTP method of that request (PROPFIND for a poll, PUT for an edit…). */
  lastMethod: string;
}

/** The storage port (DynamoDB: accounts/activity-store-dynamodb.ts). */
export interface ActivityStore {
  record(email: string, device: DeviceActivity): Promise<void>;
  /** When `userAgent` (as normalized) was last noted for `email`, null if never; a key read that joins the request's batch. */
  lastSeen(email: string, userAgent: string): Promise<string | null>;
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

/** A device's stored record is renewed once it is this old. */
export const RECORD_INTERVAL_MS = 60 * 60 * 1000;
const MAX_REMEMBERED = 10_000;

/** One request's device, checked alongside the request's reads. */
export interface DeviceCheck {
  /** After authentication: the write to wait for, or null when the stored note is recent. */
  note(method: string): Promise<void> | null;
}

export class ActivityRecorder {
  /** `<email>\n<user agent>` → when the device's stored note was last known to be made (ms). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly store: ActivityStore,
    private readonly intervalMs = RECORD_INTERVAL_MS,
  ) {}

  /**
   * Null when this container knows the device's note is recent; else starts reading the stored
   * note (to be started with the request's other reads, before they are sent).
   */
  check(email: string, userAgent: string | undefined, now: Date): DeviceCheck | null {
    // Keyed by the header as sent: a request whose device is known costs no hashing.
    const id = `${email}\n${userAgent ?? ''}`;
    const last = this.known.get(id);
    if (last !== undefined && now.getTime() - last < this.intervalMs) return null;
    const ua = normalizeUserAgent(userAgent);
    const stored = this.store.lastSeen(email, ua).catch(() => null);
    return {
      note: (method) => {
        const write = stored.then((seenAt) => {
          const seen = seenAt === null ? NaN : Date.parse(seenAt);
          if (now.getTime() - seen < this.intervalMs) return this.remember(id, seen);
          this.remember(id, now.getTime());
          return this.store.record(email, { userAgent: ua, lastSeenAt: now.toISOString(), lastMethod: method }).catch((err: unknown) => {
            // Forget it, so the next request tries again.
            this.known.delete(id);
            throw err;
          });
        });
        return write;
      },
    };
  }

  /** check and note at once, for callers without reads to share (tests, tools). */
  seen(email: string, userAgent: string | undefined, method: string, now: Date): Promise<void> | null {
    return this.check(email, userAgent, now)?.note(method) ?? null;
  }

  private remember(id: string, at: number): void {
    this.known.delete(id);
    if (this.known.size >= MAX_REMEMBERED) this.known.delete(this.known.keys().next().value!);
    this.known.set(id, at);
  }
}

export class MemoryActivityStore implements ActivityStore {
  private readonly byUser = new Map<string, Map<string, DeviceActivity>>();

  async record(email: string, device: DeviceActivity) {
    const devices = this.byUser.get(email) ?? new Map<string, DeviceActivity>();
    devices.set(deviceKey(device.userAgent), { ...device });
    this.byUser.set(email, devices);
  }
  async lastSeen(email: string, userAgent: string) {
    return this.byUser.get(email)?.get(deviceKey(userAgent))?.lastSeenAt ?? null;
  }
  async list(email: string) {
    return [...(this.byUser.get(email)?.values() ?? [])].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }
  async deleteUser(email: string) {
    this.byUser.delete(email);
  }
}
