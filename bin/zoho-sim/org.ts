/**
 * One simulated Zoho org: its schema, users and records, the deleted-records log, the search
 * index (which lags writes by a configurable delay) and a change feed the watch channels read.
 */
import type { SimClock } from './clock';
import type { IdSequence } from './ids';
import { MODULES, Schema, type ModuleName } from './schema';
import { Users } from './users';

export type Values = Record<string, unknown>;

export interface StoredRecord {
  id: string;
  module: ModuleName;
  /** Field values by API name, normalised: date-times in ms, Owner a user id. */
  values: Values;
  /** `$se_module`: the module What_Id points into. */
  seModule: string | null;
  createdBy: string;
  modifiedBy: string;
  createdAt: number;
  modifiedAt: number;
  /** Versions of `values` the search index holds, each searchable from `visibleAt`. */
  indexed: Array<{ visibleAt: number; values: Values }>;
}

export interface DeletedEntry {
  id: string;
  module: ModuleName;
  type: 'recycle' | 'permanent';
  deletedAt: number;
  deletedBy: string | null;
  createdBy: string | null;
  displayName: string | null;
}

export type Operation = 'insert' | 'update' | 'delete';

/** One write call's effect on one module, as the notification channels see it. */
export interface Change {
  module: ModuleName;
  operation: Operation;
  ids: string[];
  /** Per record id: the fields the write changed, with their new stored values. */
  affected: Map<string, Values>;
}

export interface OrgOptions {
  timeZone: string;
  searchIndexDelayMs: number;
  deleteMode: 'recycle' | 'permanent';
}

const clone = <T>(v: T): T => structuredClone(v);

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class Org {
  readonly schema: Schema;
  readonly users: Users;
  private readonly records = new Map<ModuleName, Map<string, StoredRecord>>();
  private readonly deletedLog: DeletedEntry[] = [];
  private readonly listeners: Array<(change: Change) => void> = [];

  constructor(
    readonly ids: IdSequence,
    readonly clock: SimClock,
    readonly options: OrgOptions,
  ) {
    this.schema = new Schema(ids);
    this.users = new Users(ids, () => clock.now(), options.timeZone);
    for (const m of MODULES) this.records.set(m, new Map());
  }

  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  emit(change: Change): void {
    if (change.ids.length === 0) return;
    for (const l of this.listeners) l(change);
  }

  all(module: ModuleName): StoredRecord[] {
    return [...this.records.get(module)!.values()];
  }

  get(module: ModuleName, id: string): StoredRecord | undefined {
    return this.records.get(module)!.get(id);
  }

  /** Stores a new record (values already validated); the caller emits the change. */
  insert(module: ModuleName, values: Values, seModule: string | null, by: string): StoredRecord {
    const now = this.clock.now();
    const record: StoredRecord = {
      id: this.ids.id(),
      module,
      values: clone(values),
      seModule,
      createdBy: by,
      modifiedBy: by,
      createdAt: now,
      modifiedAt: now,
      indexed: [],
    };
    this.derive(record);
    this.index(record);
    this.records.get(module)!.set(record.id, record);
    return record;
  }

  /** Applies a patch; returns the fields whose value changed (Modified_Time moves regardless). */
  update(record: StoredRecord, patch: Values, seModule: string | null | undefined, by: string): Values {
    const changed: Values = {};
    for (const [name, value] of Object.entries(patch)) {
      if (!sameValue(record.values[name], value)) changed[name] = clone(value);
      if (value === null) delete record.values[name];
      else record.values[name] = clone(value);
    }
    if (seModule !== undefined) record.seModule = seModule;
    record.modifiedBy = by;
    record.modifiedAt = this.clock.now();
    this.derive(record);
    this.index(record);
    return changed;
  }

  remove(record: StoredRecord, by: string): DeletedEntry {
    this.records.get(record.module)!.delete(record.id);
    const permanent = this.options.deleteMode === 'permanent';
    const entry: DeletedEntry = {
      id: record.id,
      module: record.module,
      type: permanent ? 'permanent' : 'recycle',
      deletedAt: this.clock.now(),
      deletedBy: permanent ? null : by,
      createdBy: permanent ? null : record.createdBy,
      displayName: permanent ? null : displayName(record),
    };
    this.deletedLog.push(entry);
    return entry;
  }

  deleted(module: ModuleName): DeletedEntry[] {
    return this.deletedLog.filter((e) => e.module === module);
  }

  /** Empties the recycle bin: its entries become `permanent` and lose their names, as Zoho's do. */
  purgeRecycleBin(): void {
    for (const e of this.deletedLog) {
      if (e.type === 'recycle') Object.assign(e, { type: 'permanent', deletedBy: null, createdBy: null, displayName: null });
    }
  }

  /** The values search matches a record by: the newest version the index has caught up with. */
  searchable(record: StoredRecord): Values | undefined {
    const now = this.clock.now();
    let visible: Values | undefined;
    for (const v of record.indexed) if (v.visibleAt <= now) visible = v.values;
    return visible;
  }

  private index(record: StoredRecord): void {
    const now = this.clock.now();
    // Versions superseded by one already visible can never be searched again.
    record.indexed = record.indexed.filter((v, i, all) => !(all[i + 1] && all[i + 1]!.visibleAt <= now));
    record.indexed.push({ visibleAt: now + this.options.searchIndexDelayMs, values: clone(record.values) });
  }

  /** Fields Zoho computes: Full_Name of people. */
  private derive(record: StoredRecord): void {
    if (record.module !== 'Leads' && record.module !== 'Contacts') return;
    const first = typeof record.values.First_Name === 'string' ? record.values.First_Name : '';
    const last = typeof record.values.Last_Name === 'string' ? record.values.Last_Name : '';
    record.values.Full_Name = `${first} ${last}`.trim();
  }
}

export function displayName(record: StoredRecord): string | null {
  const v = record.values;
  const name = record.module === 'Events' ? v.Event_Title : record.module === 'Tasks' ? v.Subject : v.Full_Name;
  return typeof name === 'string' ? name : null;
}
