/**
 * Zoho's Tasks records <-> the port's CrmTask (the same field names), and the org's Status and
 * Priority picklists as TaskPicklists. What Zoho writes differently from us:
 *
 * - picklist values come from `GET /settings/fields?module=Tasks` (`pick_list_values`, objects
 *   with `actual_value`, or plain strings as the simulator gives them); each Status value is
 *   placed on a VTODO STATUS by its meaning (docs/tasks.md, Zoho assumptions), customised values
 *   included, and each Priority value on a PRIORITY level;
 * - `Remind_At` is `{ALARM: "FREQ=NONE;ACTION=EMAILANDPOPUP;TRIGGER=DATE-TIME:<ISO>"}`: we read the
 *   instant after `TRIGGER=DATE-TIME:` and write `ACTION=POPUP` with it;
 * - `Recurring_Activity.RRULE` as for events (mapping.ts rruleFromZoho / rruleForZoho);
 * - `What_Id` carries its module in the record's `$se_module`.
 */
import { DEFAULT_TASK_PICKLISTS, type CaldavLink, type CrmRecordRef, type CrmTask, type CrmTaskDraft, type TaskPicklists, type TodoStatus } from '../types';
import { caldavIdentity, instantText, rruleForZoho, rruleFromZoho, type ZohoRecord } from './mapping';

export const TASK_FIELDS = ['Subject', 'Due_Date', 'Status', 'Priority', 'Description', 'Remind_At', 'Recurring_Activity', 'Closed_Time', 'What_Id', 'Who_Id', 'Owner', 'Created_Time', 'Modified_Time'];

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A picklist's values as Zoho lists them: `actual_value` (what records hold) of each entry. */
export function picklistValues(field: Record<string, unknown> | undefined): string[] {
  const list = Array.isArray(field?.pick_list_values) ? (field!.pick_list_values as unknown[]) : [];
  return list
    .map((v) => (typeof v === 'string' ? v : str((v as { actual_value?: unknown })?.actual_value) ?? str((v as { display_value?: unknown })?.display_value)))
    .filter((v): v is string => v !== null && v !== '-None-');
}

/** Which STATUS a Status value means, by its words; an unknown value is work in progress. */
export function statusOfWords(value: string): TodoStatus {
  const v = value.toLowerCase();
  if (/complet|done|closed|finish/.test(v)) return 'COMPLETED';
  if (/defer|cancel|abandon/.test(v)) return 'CANCELLED';
  if (/not started|^open$|^new$|to ?do/.test(v)) return 'NEEDS-ACTION';
  return 'IN-PROCESS';
}

const PRIORITY_WORDS: Array<{ word: RegExp; writes: number; reads: number[] }> = [
  { word: /^highest$/i, writes: 1, reads: [1] },
  { word: /^high$/i, writes: 3, reads: [2, 3, 4] },
  { word: /^(normal|medium)$/i, writes: 0, reads: [0, 5] },
  { word: /^low$/i, writes: 7, reads: [6, 7, 8] },
  { word: /^lowest$/i, writes: 9, reads: [9] },
];

/**
 * The org's picklists as the mapping uses them. The values Zoho's defaults have keep their
 * levels; a Priority value we cannot place reads no level and writes none (0); a level nobody
 * reads falls to the default value; each STATUS without a value writes the default.
 */
export function taskPicklistsFromFields(fields: Array<Record<string, unknown>>): TaskPicklists {
  const statusValues = picklistValues(fields.find((f) => f.api_name === 'Status'));
  const priorityValues = picklistValues(fields.find((f) => f.api_name === 'Priority'));
  if (statusValues.length === 0) return DEFAULT_TASK_PICKLISTS;
  const statusDefault = statusValues.find((v) => statusOfWords(v) === 'NEEDS-ACTION') ?? statusValues[0]!;
  const status: TaskPicklists['status'] = { 'NEEDS-ACTION': [], 'IN-PROCESS': [], COMPLETED: [], CANCELLED: [] };
  // The usual names first, so they are what a phone's status writes.
  const preferred = ['Not Started', 'In Progress', 'Completed', 'Deferred'];
  for (const v of [...statusValues].sort((a, b) => rank(preferred, a) - rank(preferred, b))) status[statusOfWords(v)].push(v);
  const priority = priorityValues.map((value) => {
    const known = PRIORITY_WORDS.find((p) => p.word.test(value));
    return { value, writes: known?.writes ?? 0, reads: known ? [...known.reads] : [] };
  });
  const priorityDefault = priority.find((p) => p.reads.includes(0))?.value ?? priority[0]?.value ?? null;
  for (let level = 0; level <= 9; level++) {
    if (!priority.some((p) => p.reads.includes(level))) priority.find((p) => p.value === priorityDefault)?.reads.push(level);
  }
  return { status, priority, defaults: { status: statusDefault, priority: priorityDefault } };
}

const rank = (order: string[], v: string) => (order.includes(v) ? order.indexOf(v) : order.length);

/** Remind_At of a Zoho task: the instant of its ALARM's absolute trigger. */
export function remindAtOfAlarm(value: unknown): string | null {
  const alarm = str((value as { ALARM?: unknown } | null)?.ALARM);
  const at = alarm ? /TRIGGER=DATE-TIME:([^;]+)/i.exec(alarm)?.[1] : undefined;
  return at && !Number.isNaN(Date.parse(at)) ? at : null;
}

export const alarmFor = (remindAt: string | null) => (remindAt === null ? null : { ALARM: `FREQ=NONE;ACTION=POPUP;TRIGGER=DATE-TIME:${remindAt}` });

function refOf(value: unknown, module?: unknown): CrmRecordRef | null {
  const v = value as { id?: unknown; name?: unknown } | null;
  const id = str(v?.id);
  if (!id) return null;
  const name = str(v?.name);
  const mod = str(module);
  return { id, ...(name ? { name } : {}), ...(mod ? { module: mod } : {}) };
}

/** The port's task for a Zoho record. Closed_Time: Zoho's, else (a completed task) `closedFallback`. */
export function taskFromZoho(record: ZohoRecord, owner: { id: string; email: string; name: string }, caldav: CaldavLink | null, closedFallback: string | null): CrmTask {
  const due = str(record.Due_Date);
  const rrule = str((record.Recurring_Activity as { RRULE?: unknown } | null)?.RRULE);
  const status = str(record.Status) ?? DEFAULT_TASK_PICKLISTS.defaults.status;
  const closed = str(record.Closed_Time);
  return {
    id: String(record.id),
    Subject: str(record.Subject) ?? '',
    Due_Date: due ? due.slice(0, 10) : null,
    Status: status,
    Priority: str(record.Priority),
    Description: str(record.Description),
    Remind_At: remindAtOfAlarm(record.Remind_At),
    Recurring_Activity: rrule ? { RRULE: rruleFromZoho(rrule, `${due ?? '1970-01-01'}T00:00:00+00:00`, true) } : null,
    Closed_Time: closed ? instantText(closed) : closedFallback,
    What_Id: refOf(record.What_Id, record.$se_module),
    Who_Id: refOf(record.Who_Id),
    Owner: owner,
    Created_Time: instantText(String(record.Created_Time ?? record.Modified_Time ?? '')),
    Modified_Time: instantText(String(record.Modified_Time ?? '')),
    Deleted: false,
    caldav,
  };
}

/**
 * The fields a task write sends: what the port owns (Zoho's PUT changes only the fields given),
 * the owner on create, What_Id with its `$se_module`, our CalDAV identity in the unique field.
 * Closed_Time is Zoho's (read-only) and never sent.
 */
export function taskRecordForZoho(draft: CrmTaskDraft, ownerId: string | null, uidField: string | null): ZohoRecord {
  const rec = draft.Recurring_Activity;
  const record: ZohoRecord = {
    Subject: draft.Subject,
    Due_Date: draft.Due_Date,
    Status: draft.Status,
    Priority: draft.Priority,
    Description: draft.Description,
    Remind_At: alarmFor(draft.Remind_At),
    Recurring_Activity: rec ? { RRULE: rruleForZoho(rec.RRULE, `${draft.Due_Date ?? '1970-01-01'}T00:00:00+00:00`) } : null,
    What_Id: draft.What_Id ? { id: draft.What_Id.id } : null,
    Who_Id: draft.Who_Id ? { id: draft.Who_Id.id } : null,
  };
  if (draft.What_Id?.module) record.$se_module = draft.What_Id.module;
  if (ownerId) record.Owner = { id: ownerId };
  if (uidField && draft.caldav?.uid) record[uidField] = caldavIdentity(draft.Owner.email, draft.caldav.uid);
  return record;
}
