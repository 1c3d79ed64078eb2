/**
 * The org's users: who owns records, who is on a token, and what `GET /crm/v8/users` lists.
 * Shape from `v8.0/users/operations/getUsers/examples/response-200-usersgetresponse.md`.
 */
import type { IdSequence } from './ids';
import { formatDateTime } from './time';

export type UserStatus = 'active' | 'disabled' | 'deleted' | 'inactive';

export interface SimUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  status: UserStatus;
  admin: boolean;
  time_zone: string;
  zuid: string;
  created: number;
  modified: number;
}

export interface NewUser {
  email: string;
  firstName?: string;
  lastName?: string;
  /** `active` unless said otherwise. */
  status?: UserStatus;
  admin?: boolean;
  timeZone?: string;
}

export const fullName = (u: SimUser): string => `${u.first_name} ${u.last_name}`.trim();

/** `{name, id}` as records embed users in Created_By/Modified_By; Owner adds the e-mail. */
export const userRef = (u: SimUser): { name: string; id: string } => ({ name: fullName(u), id: u.id });
export const ownerRef = (u: SimUser): { name: string; id: string; email: string } => ({ ...userRef(u), email: u.email });

export class Users {
  private readonly byId = new Map<string, SimUser>();
  private zuid = 60_012_345;

  constructor(
    private readonly ids: IdSequence,
    private readonly now: () => number,
    private readonly defaultTimeZone: string,
  ) {}

  add(spec: NewUser): SimUser {
    const local = spec.email.split('@')[0] ?? spec.email;
    const user: SimUser = {
      id: this.ids.id(),
      email: spec.email.toLowerCase(),
      first_name: spec.firstName ?? local,
      last_name: spec.lastName ?? '',
      status: spec.status ?? 'active',
      admin: spec.admin ?? false,
      time_zone: spec.timeZone ?? this.defaultTimeZone,
      zuid: String(this.zuid++),
      created: this.now(),
      modified: this.now(),
    };
    this.byId.set(user.id, user);
    return user;
  }

  get(id: string): SimUser | undefined {
    return this.byId.get(id);
  }

  all(): SimUser[] {
    return [...this.byId.values()];
  }

  setStatus(id: string, status: UserStatus): void {
    const u = this.byId.get(id);
    if (u) Object.assign(u, { status, modified: this.now() });
  }

  /** The JSON `GET /users` gives for one user. */
  present(u: SimUser, timeZone: string): Record<string, unknown> {
    return {
      id: u.id,
      email: u.email,
      full_name: fullName(u),
      first_name: u.first_name,
      last_name: u.last_name,
      status: u.status,
      confirm: true,
      role: u.admin ? { name: 'CEO', id: '5725767000000026005' } : { name: 'Manager', id: '5725767000000026008' },
      profile: u.admin ? { name: 'Administrator', id: '5725767000000026011' } : { name: 'Standard', id: '5725767000000026014' },
      zuid: u.zuid,
      locale: 'en_US',
      language: 'en_US',
      country_locale: 'en_US',
      date_format: 'MM/dd/yyyy',
      time_format: 'hh:mm a',
      time_zone: u.time_zone,
      type__s: 'Regular User',
      created_time: formatDateTime(u.created, timeZone),
      Modified_Time: formatDateTime(u.modified, timeZone),
    };
  }
}
