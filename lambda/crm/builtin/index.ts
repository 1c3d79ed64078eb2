/**
 * The built-in CRM: the CrmConnector port on DynamoDB (the crm table, plus the users table for
 * users), with what the CRM REST API needs beyond the port (people, modified-since listing, the
 * before/after of each write for the change listener). Storage failures surface as
 * CrmUnavailable, never as SDK errors.
 */
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import { KeyReader } from '../../platform/dynamodb/key-reader';
import type { UserStore } from '../../store/types';
import {
  type ChangeBatch,
  type CrmConnector,
  type CrmTaskConnector,
  type CrmEvent,
  type CrmEventDraft,
  type CrmUser,
  type EventRange,
  type PersonMatch,
  type PersonModule,
  type UpsertOptions,
} from '../types';
import { guard, type CrmContext } from './context';
import { phoneWriteParticipant } from './phone-write';
import type { TransactionParticipant } from '../../store/dynamodb/participant';
import type { Logger } from '../../platform/log';
import { eventIdByUid, getEvent, getEvents, ownerIndex } from './event-reads';
import { deleteEvent, upsertEvent } from './event-writes';
import { latestCursor, listChangesSince } from './feed';
import { deletePerson, findPersonByEmail, getPerson, listPeople, savePerson, type PersonDraft, type StoredPerson } from './people';
import { overlaps } from './span';
import { crmUserOf } from './users';

export type { PersonDraft, StoredPerson } from './people';
export { crmUserOf, userRefOf } from './users';

export interface BuiltinCrmOptions {
  table: string;
  users: UserStore;
  /** The App's one reader, shared with the CalDAV stores; default a reader of its own. */
  reader?: KeyReader;
  now?: () => Date;
  /** Feed entries read per listChangesSince call (tests use small pages). */
  feedPageSize?: number;
}

const instant = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));


/** Beyond the port: people and the modified-since listing its own REST API (lambda/crm-api) serves. */
export class BuiltinCrm implements CrmConnector {
  private readonly ctx: CrmContext;
  private readonly feedPageSize: number | undefined;
  /** The Tasks module (tasks.ts attachBuiltinTasks), plugged in by the App that syncs tasks. */
  tasks?: CrmTaskConnector;

  constructor(doc: DynamoDoc, opts: BuiltinCrmOptions) {
    this.ctx = { doc, reader: opts.reader ?? new KeyReader(doc), table: opts.table, users: opts.users, now: opts.now ?? (() => new Date()) };
    this.feedPageSize = opts.feedPageSize;
  }

  /** What the Tasks module shares with the events (table, clients, users, clock). */
  get context(): CrmContext {
    return this.ctx;
  }

  listEvents(ownerEmail: string, range: EventRange = {}): Promise<CrmEvent[]> {
    return guard('listEvents', async () => {
      const [from, to] = [instant(range.from), instant(range.to)];
      const ids = (await ownerIndex(this.ctx, ownerEmail)).filter((i) => !i.Deleted && overlaps(i, from, to)).map((i) => i.id);
      // Re-checked on the records: the index and a concurrent write may briefly disagree.
      const owner = ownerEmail.toLowerCase();
      return (await getEvents(this.ctx, ids)).filter((e) => !e.Deleted && e.Owner.email.toLowerCase() === owner);
    });
  }

  listEventsModifiedSince(ownerEmail: string, since: string): Promise<CrmEvent[]> {
    return guard('listEventsModifiedSince', async () => {
      const t = Date.parse(since);
      const ids = (await ownerIndex(this.ctx, ownerEmail)).filter((i) => Date.parse(i.Modified_Time) >= t).map((i) => i.id);
      const owner = ownerEmail.toLowerCase();
      return (await getEvents(this.ctx, ids)).filter((e) => e.Owner.email.toLowerCase() === owner && Date.parse(e.Modified_Time) >= t);
    });
  }

  listChangesSince(cursor: string | null): Promise<ChangeBatch> {
    return guard('listChangesSince', () => listChangesSince(this.ctx, cursor, this.feedPageSize));
  }

  latestCursor(): Promise<string> {
    return guard('latestCursor', () => latestCursor(this.ctx));
  }

  getEvent(id: string): Promise<CrmEvent | null> {
    return guard('getEvent', () => getEvent(this.ctx, id));
  }

  getEvents(ids: string[]): Promise<CrmEvent[]> {
    return guard('getEvents', () => getEvents(this.ctx, ids));
  }

  findEventByUid(ownerEmail: string, uid: string): Promise<CrmEvent | null> {
    return guard('findEventByUid', async () => {
      const id = await eventIdByUid(this.ctx, ownerEmail, uid);
      const event = id === null ? null : await getEvent(this.ctx, id);
      const owner = ownerEmail.toLowerCase();
      return event && !event.Deleted && event.caldav?.uid === uid && event.Owner.email.toLowerCase() === owner ? event : null;
    });
  }

  upsertEvent(event: CrmEventDraft, opts?: UpsertOptions): Promise<CrmEvent> {
    return guard('upsertEvent', async () => (await upsertEvent(this.ctx, event, opts)).after);
  }

  deleteEvent(id: string, opts?: UpsertOptions): Promise<void> {
    return guard('deleteEvent', async () => {
      await deleteEvent(this.ctx, id, opts);
    });
  }

  /** The CRM side of each phone PUT and DELETE, for the DynamoDB calendar store to commit with its own (phone-write.ts). */
  participant(log?: Logger): TransactionParticipant {
    return phoneWriteParticipant(this.ctx, log);
  }

  findPersonByEmail(email: string): Promise<PersonMatch | null> {
    return guard('findPersonByEmail', () => findPersonByEmail(this.ctx, email));
  }

  getUser(email: string): Promise<CrmUser | null> {
    return guard('getUser', async () => {
      const record = await this.ctx.users.getUser(email);
      return record ? crmUserOf(record) : null;
    });
  }

  listPeople(module: PersonModule): Promise<StoredPerson[]> {
    return guard('listPeople', () => listPeople(this.ctx, module));
  }

  getPerson(module: PersonModule, id: string): Promise<StoredPerson | null> {
    return guard('getPerson', () => getPerson(this.ctx, module, id));
  }

  savePerson(person: PersonDraft, opts?: UpsertOptions): Promise<StoredPerson> {
    return guard('savePerson', () => savePerson(this.ctx, person, opts));
  }

  deletePerson(module: PersonModule, id: string, opts?: UpsertOptions): Promise<StoredPerson> {
    return guard('deletePerson', () => deletePerson(this.ctx, module, id, opts));
  }
}
