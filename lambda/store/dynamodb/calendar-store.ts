/**
 * CalendarStore on DynamoDB (layout in schema.ts). This class only wires the port to the
 * per-concern modules: read.ts (object reads), summaries.ts (listings), write.ts
 * (transactional put/delete), sync.ts (counter and change log), props.ts (dead properties),
 * import.ts (bulk creation).
 */
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import type {
  CalendarMeta,
  CalendarStore,
  Change,
  CommitOptions,
  DeleteResult,
  ImportResult,
  ObjectImporter,
  ObjectSummary,
  ObjectWrite,
  PutResult,
  ReadOptions,
  StoredObject,
  WriteCondition,
} from '../types';
import { deleteCalendar } from './delete';
import { importObjects } from './import';
import type { StoreContext } from './items';
import type { TransactionParticipant } from './participant';
import { KeyReader } from '../../platform/dynamodb/key-reader';
import { patchCalendarProps } from './props';
import { findInRange, getObject, getObjects } from './read';
import { listObjects, summarize, type SummarizedSet } from './summaries';
import { changesSince, readCalendar } from './sync';
import { deleteObject, putObject, readUidDeletedAt, readUidHolder } from './write';

export interface DynamoCalendarStoreOptions {
  /** Change-log retention, i.e. how long a sync token stays usable. Default 30 days. */
  retentionSeconds?: number;
  /** Clock for change-log expiry (tests inject one). */
  now?: () => Date;
  /** The App's one reader, shared with the user store; default a reader of its own. */
  reader?: KeyReader;
  /** What commits with clients' writes (the built-in CRM, or the outbox of a CRM that cannot join). */
  participant?: TransactionParticipant;
}

const DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600;

export class DynamoCalendarStore implements CalendarStore, ObjectImporter {
  private readonly ctx: StoreContext;
  private readonly summarized: SummarizedSet = new Set();

  constructor(
    doc: DynamoDoc,
    tables: { events: string; sync: string },
    options: DynamoCalendarStoreOptions = {},
  ) {
    this.ctx = {
      doc,
      reader: options.reader ?? new KeyReader(doc),
      tables: { events: tables.events, sync: tables.sync },
      retentionSeconds: options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
      now: options.now ?? (() => new Date()),
      participant: options.participant,
    };
  }

  getCalendar(owner: string): Promise<CalendarMeta> {
    return readCalendar(this.ctx, owner, (o) => this.summarized.add(o));
  }

  patchCalendarProps(owner: string, set: Record<string, string>, remove: string[]): Promise<void> {
    return patchCalendarProps(this.ctx, owner, set, remove);
  }

  listObjects(owner: string): Promise<ObjectSummary[]> {
    return listObjects(this.ctx, owner, this.summarized);
  }

  summarize(owner: string): Promise<boolean> {
    return summarize(this.ctx, owner, this.summarized);
  }

  getObject(owner: string, name: string): Promise<StoredObject | null> {
    return getObject(this.ctx, owner, name);
  }

  getObjects(owner: string, names: string[]): Promise<StoredObject[]> {
    return getObjects(this.ctx, owner, names);
  }

  findInRange(owner: string, start: number | null, end: number | null): Promise<StoredObject[]> {
    return findInRange(this.ctx, owner, start, end);
  }

  findNameByUid(owner: string, uid: string): Promise<string | null> {
    return readUidHolder(this.ctx, owner, uid);
  }

  uidDeletedAt(owner: string, uid: string): Promise<string | null> {
    return readUidDeletedAt(this.ctx, owner, uid);
  }

  putObject(owner: string, obj: ObjectWrite, cond: WriteCondition = {}, opts: CommitOptions = {}): Promise<PutResult> {
    return putObject(this.ctx, owner, obj, cond, opts);
  }

  deleteObject(owner: string, name: string, cond: WriteCondition = {}, opts: CommitOptions = {}): Promise<DeleteResult> {
    return deleteObject(this.ctx, owner, name, cond, opts);
  }

  changesSince(owner: string, since: number, atSeq?: number | Promise<number>, opts: ReadOptions = {}): Promise<Change[] | null> {
    return changesSince(this.ctx, owner, since, atSeq, opts);
  }

  deleteCalendar(owner: string): Promise<number> {
    return deleteCalendar(this.ctx, owner);
  }

  importObjects(owner: string, objects: ObjectWrite[], opts?: Pick<CommitOptions, 'commitAfter'>): Promise<ImportResult> {
    return importObjects(this.ctx, owner, objects, opts);
  }
}
