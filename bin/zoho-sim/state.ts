/**
 * Seeding and inspecting the org from a test, as an admin working in Zoho's UI would: records
 * made here pass the same validation as API writes and fire the same notification callbacks.
 */
import type { Invitation } from './context';
import type { Org, Values } from './org';
import { presentRecord, type RecordJson } from './present';
import { MODULES, createDefaults, type FieldDef, type ModuleName } from './schema';
import { formatDateTime } from './time';
import { fullName, type NewUser, type SimUser, type UserStatus } from './users';
import { validateRecord } from './validate';

export interface UserInfo {
  id: string;
  email: string;
  full_name: string;
  status: UserStatus;
}

/** Who acts: a user id (default: the org admin). */
export interface ActAs {
  by?: string;
}

export interface DeletedInfo {
  id: string;
  type: 'recycle' | 'permanent';
  deleted_time: string;
  display_name: string | null;
}

export interface SimState {
  /** The org admin: consents in the OAuth flow and owns the pre-issued refresh token. */
  readonly admin: UserInfo;
  addUser(spec: NewUser): UserInfo;
  setUserStatus(id: string, status: UserStatus): void;
  users(): UserInfo[];
  addLead(fields: Values, as?: ActAs): RecordJson;
  addContact(fields: Values, as?: ActAs): RecordJson;
  addEvent(fields: Values, as?: ActAs): RecordJson;
  addTask(fields: Values, as?: ActAs): RecordJson;
  update(module: ModuleName, id: string, patch: Values, as?: ActAs): RecordJson;
  remove(module: ModuleName, id: string, as?: ActAs): void;
  /** Records as the API would answer them (all fields), newest first. */
  records(module: ModuleName): RecordJson[];
  record(module: ModuleName, id: string): RecordJson | undefined;
  counts(): Record<ModuleName, number>;
  deleted(module: ModuleName): DeletedInfo[];
  fields(module: ModuleName): readonly FieldDef[];
  /** The recycle bin empties: its entries turn `permanent`. */
  purgeRecycleBin(): void;
  /** Writes with `$send_notification: true` and participants: who Zoho would have e-mailed. */
  invitations(): Invitation[];
}

const info = (u: SimUser): UserInfo => ({ id: u.id, email: u.email, full_name: fullName(u), status: u.status });

export function createState(org: Org, adminId: string, invitations: Invitation[]): SimState {
  const actor = (as?: ActAs) => as?.by ?? adminId;
  const refuse = (error: unknown): never => {
    throw new Error(`zoho-sim refused the record: ${JSON.stringify(error)}`);
  };
  const add = (module: ModuleName) => (fields: Values, as?: ActAs) => {
    const v = validateRecord(fields, { org, module, index: 0, unknownFields: 'reject', enforceApiUpdate: false });
    if (!v.ok) return refuse(v.error);
    const values = Object.fromEntries(Object.entries({ ...createDefaults(module), Owner: actor(as), ...v.values }).filter(([, x]) => x !== null));
    const record = org.insert(module, values, v.seModule ?? null, actor(as));
    org.emit({ module, operation: 'insert', ids: [record.id], affected: new Map([[record.id, record.values]]) });
    return presentRecord(org, record);
  };
  const find = (module: ModuleName, id: string) => {
    const r = org.get(module, id);
    if (!r) throw new Error(`zoho-sim: no ${module} record ${id}`);
    return r;
  };
  return {
    admin: info(org.users.get(adminId)!),
    addUser: (spec) => info(org.users.add(spec)),
    setUserStatus: (id, status) => org.users.setStatus(id, status),
    users: () => org.users.all().map(info),
    addLead: add('Leads'),
    addContact: add('Contacts'),
    addEvent: add('Events'),
    addTask: add('Tasks'),
    update(module, id, patch, as) {
      const record = find(module, id);
      const v = validateRecord(patch, { org, module, index: 0, existing: record, unknownFields: 'reject', enforceApiUpdate: false });
      if (!v.ok) return refuse(v.error);
      const changed = org.update(record, v.values, v.seModule, actor(as));
      org.emit({ module, operation: 'update', ids: [id], affected: new Map([[id, changed]]) });
      return presentRecord(org, record);
    },
    remove(module, id, as) {
      org.remove(find(module, id), actor(as));
      org.emit({ module, operation: 'delete', ids: [id], affected: new Map() });
    },
    records: (module) =>
      org
        .all(module)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .map((r) => presentRecord(org, r)),
    record: (module, id) => {
      const r = org.get(module, id);
      return r ? presentRecord(org, r) : undefined;
    },
    counts: () => Object.fromEntries(MODULES.map((m) => [m, org.all(m).length])) as Record<ModuleName, number>,
    deleted: (module) =>
      org.deleted(module).map((e) => ({ id: e.id, type: e.type, deleted_time: formatDateTime(e.deletedAt, org.options.timeZone), display_name: e.displayName })),
    fields: (module) => org.schema.fields(module),
    purgeRecycleBin: () => org.purgeRecycleBin(),
    invitations: () => [...invitations],
  };
}
