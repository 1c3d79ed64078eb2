/**
 * The CRM port: record shapes and the connector interface. Field names follow Zoho CRM's
 * Events/Leads/Contacts modules so a hosted-CRM connector is a thin adapter; nothing here does
 * I/O. The built-in CRM (lambda/crm/builtin) and any hosted CRM implement `CrmConnector`.
 */

/**
 * A CRM user: owner of events. Whether they have CalDAV access is ours to know, not the CRM's:
 * the users table (store/types.ts UserRecord) says so.
 */
export interface CrmUser {
  id: string;
  /** Lower-cased CRM e-mail; also the CalDAV account name. */
  email: string;
  name: string;
  /** IANA zone, e.g. `Europe/Berlin`: interprets floating times and names new events' TZID. */
  timeZone: string;
}

export type PersonModule = 'Leads' | 'Contacts';

/** A lead or a contact. */
export interface CrmPerson {
  id: string;
  module: PersonModule;
  First_Name: string | null;
  Last_Name: string;
  Full_Name?: string;
  Email: string | null;
  Secondary_Email?: string | null;
  Company?: string | null;
}

/** A reference to a user as Zoho embeds it (`Owner`). */
export interface CrmUserRef {
  id: string;
  email: string;
  name: string;
}

export type ParticipantType = 'lead' | 'contact' | 'user' | 'email';

/** iCalendar PARTSTAT values (RFC 5545 §3.2.12) for VEVENT attendees. */
export type ParticipantStatus = 'NEEDS-ACTION' | 'ACCEPTED' | 'DECLINED' | 'TENTATIVE' | 'DELEGATED';

export interface CrmParticipant {
  type: ParticipantType;
  /** The linked record id (lead, contact or user), or the e-mail itself for `type: 'email'`. */
  participant: string;
  Email: string;
  name?: string;
  status?: ParticipantStatus;
}

/**
 * Recurrence in RFC 5545 terms. `RRULE` is the property value without the `RRULE:` prefix
 * (e.g. `FREQ=WEEKLY;BYDAY=MO;UNTIL=20240601T000000Z`); EXDATE/RDATE hold values in the same
 * form as `Start_DateTime` (ISO with offset, or `YYYY-MM-DD` for all-day events).
 */
export interface CrmRecurrence {
  RRULE: string;
  EXDATE?: string[];
  RDATE?: string[];
}

/** The fields the CRM owns: what the mapping reads from and writes to iCalendar. */
export interface CrmEventFields {
  Event_Title: string;
  /**
   * ISO 8601 with offset (`2024-03-10T09:00:00-07:00`); for all-day events `YYYY-MM-DD`.
   * The offset is that of the event's own zone (its TZID), so the CRM shows local wall time.
   */
  Start_DateTime: string;
  /**
   * Same form as Start_DateTime. For all-day events the date is INCLUSIVE (the last day the event
   * covers; a one-day event has End = Start), unlike iCalendar's exclusive DTEND.
   */
  End_DateTime: string;
  All_day: boolean;
  Venue: string | null;
  Description: string | null;
  /** Everyone invited except the owner/organizer. */
  Participants: CrmParticipant[];
  /** Popup reminder, minutes before start (0 = at start); null = none. */
  Remind_At: number | null;
  Recurring_Activity: CrmRecurrence | null;
  /** Overridden instances of a recurring event (iCalendar RECURRENCE-ID components). */
  Recurrence_Exceptions: CrmRecurrenceException[];
}

/** What an event has when only title and times are given: no venue, people, reminder or recurrence. Fresh arrays each call. */
export const eventFieldDefaults = (): Omit<CrmEventFields, 'Event_Title' | 'Start_DateTime' | 'End_DateTime'> => ({
  All_day: false,
  Venue: null,
  Description: null,
  Participants: [],
  Remind_At: null,
  Recurring_Activity: null,
  Recurrence_Exceptions: [],
});

/** Fields of one overridden instance. Absent fields mean "as in the series" (new) or "leave". */
export type CrmRecurrenceException = Partial<
  Pick<
    CrmEventFields,
    | 'Event_Title'
    | 'Start_DateTime'
    | 'End_DateTime'
    | 'All_day'
    | 'Venue'
    | 'Description'
    | 'Participants'
    | 'Remind_At'
  >
> & {
  /** Original start of the instance being overridden, same form as Start_DateTime. */
  Recurrence_Id: string;
};

/** Link between a CRM event and its CalDAV object. */
export interface CaldavLink {
  uid: string;
  /** Resource name in the owner's calendar, e.g. `<uid>.ics`. */
  name?: string;
  /**
   * The last iCalendar text exchanged with the CalDAV side. Keeps what the CRM has no field for
   * (URL, CATEGORIES, X- and X-APPLE-* properties, extra VALARMs, VTIMEZONEs, attendee params)
   * so CRM-side edits change only CRM-owned properties.
   */
  ics?: string;
  /**
   * Which VALARM stands for the CRM reminder, per component ('series', else the overridden
   * instance's RECURRENCE-ID key): the alarm's identity (mapping/alarms.ts alarmKey), or null for
   * none. Decided when the link is made; absent on links made before (the first alarm then).
   */
  reminders?: Record<string, string | null>;
}

/** What the CRM keeps about any record it syncs: identity, owner, versions, soft deletion, link. */
export interface CrmRecordMeta {
  id: string;
  Owner: CrmUserRef;
  Created_Time: string;
  Modified_Time: string;
  /** Soft delete: the record stays so the deletion reaches CalDAV through the change feed. */
  Deleted: boolean;
  /** The link to the record's calendar object; its `ics` keeps what the CRM has no field for. */
  caldav: CaldavLink | null;
}

export interface CrmEvent extends CrmEventFields, CrmRecordMeta {}

/** A record as written by a caller: the store assigns id and timestamps on create. */
export type CrmDraft<Fields> = Fields & Partial<Pick<CrmRecordMeta, 'id' | 'Created_Time' | 'Modified_Time' | 'Deleted'>> & Pick<CrmRecordMeta, 'Owner' | 'caldav'>;

export type CrmEventDraft = CrmDraft<CrmEventFields>;

/** Result of matching an attendee e-mail against the CRM. */
export interface PersonMatch {
  type: Exclude<ParticipantType, 'email'>;
  id: string;
  email: string;
  name?: string;
}

export interface EventRange {
  /** ISO instant; events ending before it are skipped. */
  from?: string;
  /** ISO instant; events starting at or after it are skipped. */
  to?: string;
}

export interface ChangeBatch {
  /** Created or changed events, including ones whose Owner changed. */
  events: CrmEvent[];
  /** Events hard- or soft-deleted since the cursor. */
  deletedIds: string[];
  /** Opaque; pass to the next call. */
  nextCursor: string;
  /**
   * False when the CRM said this was the feed's last page: asking again now would only read the
   * margin's changes once more (a hosted CRM's call, its credits). Absent: ask until a page is empty.
   */
  more?: boolean;
}

export interface UpsertOptions {
  /** Modified_Time the caller last saw; a different current value throws CrmConflict. */
  ifModified?: string;
  /**
   * The record as the caller just read it (its Modified_Time is `ifModified`): a connector may
   * take it instead of reading again; the write still commits only if the record is unchanged.
   */
  current?: CrmEvent;
}

/** The port every CRM implements. Errors are the Crm* classes below, never transport errors. */
export interface CrmConnector {
  /**
   * True when the CRM itself e-mails an event's participants (a hosted CRM's own invitations,
   * e.g. Zoho's `$send_notification`): the server then sends no iMIP of its own, so nobody gets
   * two invitations (lambda/imip/config.ts). Absent = false.
   */
  readonly sendsInvitations?: boolean;
  /**
   * The CRM's tasks (see "Tasks" below), which sync with each user's tasks list; absent = a CRM
   * whose tasks do not sync (the tasks list then only keeps what the phones put there).
   */
  readonly tasks?: CrmTaskConnector;
  /** Non-deleted events owned by `ownerEmail`, optionally overlapping a range. */
  listEvents(ownerEmail: string, range?: EventRange): Promise<CrmEvent[]>;
  /** Changes after `cursor` (null: from the beginning). */
  listChangesSince(cursor: string | null): Promise<ChangeBatch>;
  /**
   * A cursor at the current end of the change feed: where a new reader starts when it must not
   * replay history (reconciliation's first run must not bypass the initial export's bounds).
   */
  latestCursor(): Promise<string>;
  getEvent(id: string): Promise<CrmEvent | null>;
  /** The records of `ids` that exist (soft-deleted ones included), in any order: one round trip per batch. */
  getEvents(ids: string[]): Promise<CrmEvent[]>;
  findEventByUid(ownerEmail: string, uid: string): Promise<CrmEvent | null>;
  /** Creates (no id) or replaces an event; returns it as stored. */
  upsertEvent(event: CrmEventDraft, opts?: UpsertOptions): Promise<CrmEvent>;
  deleteEvent(id: string, opts?: UpsertOptions): Promise<void>;
  /** Case-insensitive; a lead wins over a contact, a contact over a user. */
  findPersonByEmail(email: string): Promise<PersonMatch | null>;
  getUser(email: string): Promise<CrmUser | null>;
}

/**
 * Told after every successful event write made outside the CalDAV side (the CRM REST API, a
 * reconciliation job) so the owner's calendar follows. `before` is the record as it was before
 * the write (null on create); an owner change is a save whose `before.Owner` differs. Each
 * resolves to whether a calendar changed, so a job re-applying changes can count what it did.
 */
export interface CrmEventListener {
  /**
   * `fresh`: `after` was read from the CRM just now (a reconciliation page, a notification's
   * re-read), so the listener need not read it again; otherwise it reads the current record, as
   * a notification may arrive after a newer write.
   */
  eventSaved(after: CrmEvent, before: CrmEvent | null, opts?: { fresh?: boolean }): Promise<boolean>;
  eventDeleted(before: CrmEvent): Promise<boolean>;
}

/**
 * How changes a hosted CRM tells us of outside its feeds (a webhook naming records, read again by
 * id) are applied: as a page of the matching reconciliation (jobs/reconcile.ts, reconcile-tasks.ts).
 */
export interface ChangeAppliers {
  events(events: CrmEvent[], deletedIds: string[]): Promise<unknown>;
  tasks(tasks: CrmTask[], deletedIds: string[]): Promise<unknown>;
}

/**
 * What a CRM reached over the network needs on each scheduled pass (its users list, its
 * notification channel), and how often it needs reconciling: a CRM that notifies us of changes
 * needs the feed read less often.
 */
export interface CrmUpkeep {
  /** Resolves to a report for the pass's log. */
  run(): Promise<Record<string, unknown>>;
  /** Whether this pass reads the change feed, given when it was last read (ISO, or null). */
  reconcileDue(lastRunAt: string | null): Promise<boolean>;
}

/** For callers with nothing to notify (tests, a CRM without CalDAV sync). */
export const NO_EVENT_LISTENER: CrmEventListener = {
  eventSaved: async () => false,
  eventDeleted: async () => false,
};

export class CrmError extends Error {}

/** Optimistic concurrency failed: the record changed since the caller read it. */
export class CrmConflict extends CrmError {
  override name = 'CrmConflict';
  constructor(message: string, readonly current?: CrmEvent | CrmTask) {
    super(message);
  }
}

/** The CRM could not be reached or refused temporarily; the caller should retry later. */
export class CrmUnavailable extends CrmError {
  override name = 'CrmUnavailable';
  constructor(message: string, readonly cause?: unknown) {
    super(message);
  }
}

/** Input the CRM cannot accept; `field` names it (e.g. `Recurring_Activity.RRULE`). */
export class CrmValidationError extends CrmError {
  override name = 'CrmValidationError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

export class CrmNotFound extends CrmError {
  override name = 'CrmNotFound';
}

// ─── Tasks ──────────────────────────────────────────────────────────────────────────────────
//
// The CRM's Tasks module (Zoho's field names) and the port a connector implements to sync it with
// each user's tasks list (a VTODO collection, iOS Reminders). A connector offers it as
// `CrmConnector.tasks`; the built-in CRM (crm/builtin/tasks.ts) and the memory CRM do. What a
// connector must implement is `CrmTaskConnector`; the mapping (crm/mapping/tasks/) and the bridge
// (sync/) do the rest, the same for every CRM.

/** iCalendar STATUS values of a VTODO (RFC 5545 §3.8.1.11); a VTODO without STATUS counts as NEEDS-ACTION. */
export type TodoStatus = 'NEEDS-ACTION' | 'IN-PROCESS' | 'COMPLETED' | 'CANCELLED';

/**
 * How a CRM's Status and Priority picklists stand for iCalendar's STATUS and PRIORITY. The values
 * are the CRM's own (Zoho: a picklist value's `actual_value`, from the org's field metadata), so a
 * customised picklist syncs too. Reading keeps the CRM's value whenever the phone's still means
 * it (a task "Waiting for input" stays so while the phone shows it IN-PROCESS); writing writes
 * the first value listed for it.
 */
export interface TaskPicklists {
  /** Status values for each STATUS, the one written first. Every Status value appears once. */
  status: Record<TodoStatus, string[]>;
  /**
   * Priority values with the PRIORITY written for each (1 highest to 9 lowest; 0 = no PRIORITY
   * line) and every PRIORITY read as it (0 standing for a missing one). Each of 0-9 appears once.
   */
  priority: Array<{ value: string; writes: number; reads: number[] }>;
  /** What a task gets when the phone says nothing of it: the picklists' defaults. */
  defaults: { status: string; priority: string | null };
}

/**
 * Zoho's default Tasks picklists, which the built-in CRM uses: Status Not Started (the default),
 * In Progress, Waiting for input, Completed, Deferred; Priority Highest, High, Normal (the
 * default, written as no PRIORITY), Low, Lowest.
 */
export const DEFAULT_TASK_PICKLISTS: TaskPicklists = {
  status: {
    'NEEDS-ACTION': ['Not Started'],
    'IN-PROCESS': ['In Progress', 'Waiting for input'],
    COMPLETED: ['Completed'],
    CANCELLED: ['Deferred'],
  },
  priority: [
    { value: 'Highest', writes: 1, reads: [1] },
    { value: 'High', writes: 3, reads: [2, 3, 4] },
    { value: 'Normal', writes: 0, reads: [0, 5] },
    { value: 'Low', writes: 7, reads: [6, 7, 8] },
    { value: 'Lowest', writes: 9, reads: [9] },
  ],
  defaults: { status: 'Not Started', priority: 'Normal' },
};

/** A lookup to another record, as Zoho embeds it (`What_Id` with its `$se_module`, `Who_Id`). */
export interface CrmRecordRef {
  id: string;
  name?: string;
  /** The module the record is in (What_Id: Leads, Accounts, Deals…; Who_Id: Contacts). */
  module?: string;
}

/** The fields of a task the CRM owns. */
export interface CrmTaskFields {
  Subject: string;
  /** `YYYY-MM-DD`, or null: a date, as Zoho's; a time of day stays on the phone (DUE). */
  Due_Date: string | null;
  /** A value of the Status picklist (TaskPicklists). */
  Status: string;
  /** A value of the Priority picklist, or null for none. */
  Priority: string | null;
  Description: string | null;
  /** The reminder: an ISO 8601 instant with offset (`2025-03-12T09:00:00+01:00`), or null. */
  Remind_At: string | null;
  /** Recurrence by due date: RRULE as for events; EXDATE/RDATE values `YYYY-MM-DD` or ISO. Needs a Due_Date. */
  Recurring_Activity: CrmRecurrence | null;
  /** When the task was completed (ISO instant); null while it is not. */
  Closed_Time: string | null;
  /** What the task is about (a lead, an account, a deal…) and whom (a contact). CRM-side only. */
  What_Id: CrmRecordRef | null;
  Who_Id: CrmRecordRef | null;
}

/** What a task has when only its subject is given. Fresh objects each call. */
export const taskFieldDefaults = (picklists: TaskPicklists = DEFAULT_TASK_PICKLISTS): Omit<CrmTaskFields, 'Subject'> => ({
  Due_Date: null,
  Status: picklists.defaults.status,
  Priority: picklists.defaults.priority,
  Description: null,
  Remind_At: null,
  Recurring_Activity: null,
  Closed_Time: null,
  What_Id: null,
  Who_Id: null,
});

export interface CrmTask extends CrmTaskFields, CrmRecordMeta {}

export type CrmTaskDraft = CrmDraft<CrmTaskFields>;

export interface TaskUpsertOptions {
  /** Modified_Time the caller last saw; a different current value throws CrmConflict. */
  ifModified?: string;
  /** The record as the caller just read it (its Modified_Time is `ifModified`). */
  current?: CrmTask;
}

export interface TaskFilter {
  /** Only open tasks and those closed at or after this ISO instant (the initial export's rule). */
  closedSince?: string;
}

export interface TaskChangeBatch {
  /** Created or changed tasks, including ones whose Owner changed. */
  tasks: CrmTask[];
  /** Tasks hard- or soft-deleted since the cursor. */
  deletedIds: string[];
  /** Opaque; pass to the next call. */
  nextCursor: string;
}

/**
 * What a CRM implements for its tasks to sync. Mirrors the event half of CrmConnector: records
 * with Zoho's field names and values from the CRM's own picklists, a CalDAV link stored with
 * each record (`caldav`, round-tripped untouched), optimistic concurrency on Modified_Time
 * (CrmConflict), soft or hard deletes, and a change feed with its own cursor. Errors are the
 * Crm* classes, never transport errors.
 */
export interface CrmTaskConnector {
  /** The Status and Priority picklists (Zoho: from the Tasks module's field metadata). */
  picklists(): Promise<TaskPicklists>;
  /** Non-deleted tasks owned by `ownerEmail`. */
  listTasks(ownerEmail: string, filter?: TaskFilter): Promise<CrmTask[]>;
  getTask(id: string): Promise<CrmTask | null>;
  /** The records of `ids` that exist (soft-deleted ones included), in any order. */
  getTasks(ids: string[]): Promise<CrmTask[]>;
  /** The live task of `ownerEmail` linked to this CalDAV UID. */
  findTaskByUid(ownerEmail: string, uid: string): Promise<CrmTask | null>;
  /**
   * Creates (no id, or an id not stored yet) or replaces a task; returns it as stored. Closed_Time
   * is the CRM's: set when Status becomes a COMPLETED value (the draft's, else now), cleared when
   * it leaves one.
   */
  upsertTask(task: CrmTaskDraft, opts?: TaskUpsertOptions): Promise<CrmTask>;
  deleteTask(id: string, opts?: TaskUpsertOptions): Promise<void>;
  /** Task changes after `cursor` (null: from the beginning). */
  listTaskChangesSince(cursor: string | null): Promise<TaskChangeBatch>;
  /** A cursor at the current end of the task feed. */
  latestTaskCursor(): Promise<string>;
}

/** Told after every task write made outside the CalDAV side (the CRM REST API, reconciliation). */
export interface CrmTaskListener {
  taskSaved(after: CrmTask, before: CrmTask | null, opts?: { fresh?: boolean }): Promise<boolean>;
  taskDeleted(before: CrmTask): Promise<boolean>;
}
