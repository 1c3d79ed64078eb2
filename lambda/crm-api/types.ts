/**
 * What the built-in CRM's REST API (/crm/v1/events, /leads, /contacts, /people, /changes) needs:
 * the built-in CRM itself, the users who own events, and the sync bridge's listener so a CRM
 * write reaches the owner's calendar. Wired only when the built-in CRM is the App's CRM.
 */
import type { AuthDeps, Logger } from '../api/types';
import type { CrmConnector, CrmEvent, CrmEventListener, CrmTaskListener, PersonModule, UpsertOptions } from '../crm/types';
import type { PersonDraft, StoredPerson } from '../crm/builtin/person-types';

export type { PersonDraft, StoredPerson } from '../crm/builtin/person-types';

/** What the API needs from the built-in CRM beyond the connector port: people and modified-since. */
export interface CrmApiBackend extends CrmConnector {
  listPeople(module: PersonModule): Promise<StoredPerson[]>;
  getPerson(module: PersonModule, id: string): Promise<StoredPerson | null>;
  savePerson(person: PersonDraft, opts?: UpsertOptions): Promise<StoredPerson>;
  deletePerson(module: PersonModule, id: string, opts?: UpsertOptions): Promise<StoredPerson>;
  /** Events of `ownerEmail` modified at or after `since` (ISO), soft-deleted ones included. */
  listEventsModifiedSince(ownerEmail: string, since: string): Promise<CrmEvent[]>;
}

export interface CrmApiDeps extends Pick<AuthDeps, 'users' | 'now'> {
  crm: CrmApiBackend;
  /** Told after every successful event or task write (the sync bridge updates CalDAV). Default: no-op. */
  listener?: CrmEventListener & Partial<CrmTaskListener>;
  /** Where listener failures are reported; default one JSON line. */
  log?: Logger;
}
