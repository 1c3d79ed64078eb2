/**
 * JSON body → CrmTaskDraft for /crm/v1/tasks: field set and JSON types here, Status and Priority
 * against the CRM's picklists, the Owner resolved as for events; then a dry run of the VTODO
 * mapping, which checks what the fields mean (dates, instants, RRULE needing a Due_Date) and
 * names the field it rejects. Closed_Time is the CRM's (set when Status becomes completed).
 */
import { crmTaskToIcs } from '../crm/mapping/task-to-ics';
import { taskFieldDefaults, type CrmRecordRef, type CrmTaskDraft, type CrmTaskFields, type CrmUser, type TaskPicklists } from '../crm/types';
import { invalid } from '../api/errors';
import type { Caller } from '../api/types';
import type { CrmApiBackend } from './types';
import { object, pickFields, requireFields, str, type Json, type JsonObject } from '../api/validate';
import { recurrence, resolveOwner, type EventInputMode } from './event-input';

export const TASK_WRITABLE = ['Subject', 'Due_Date', 'Status', 'Priority', 'Description', 'Remind_At', 'Recurring_Activity', 'What_Id', 'Who_Id', 'Owner'] as const;
/** Present in what GET returns; accepted and ignored so a client can PUT back what it read. */
export const TASK_READ_ONLY = ['id', 'Created_Time', 'Modified_Time', 'Deleted', 'caldav', 'Closed_Time'] as const;
const MAX_TEXT = 32_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function picked(v: Json | undefined, field: string, values: string[], nullable: boolean): string | null {
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || !values.includes(v)) throw invalid(field, `expected one of ${values.join(', ')}${nullable ? ', or null' : ''}`);
  return v;
}

function recordRef(v: Json | undefined, field: string): CrmRecordRef | null {
  if (v === null) return null;
  const o = pickFields(object(v, field), ['id', 'name', 'module'], [], `${field}.`);
  requireFields(o, ['id'], `${field}.`);
  const ref: CrmRecordRef = { id: str(o.id, `${field}.id`, { nonEmpty: true, max: 128 }) as string };
  if ('name' in o && o.name !== null) ref.name = str(o.name, `${field}.name`, { max: 255 }) as string;
  if ('module' in o && o.module !== null) ref.module = str(o.module, `${field}.module`, { nonEmpty: true, max: 64 }) as string;
  return ref;
}

function fieldsOf(o: JsonObject, picklists: TaskPicklists): Partial<CrmTaskFields> & { Owner?: Json } {
  const f: Partial<CrmTaskFields> & { Owner?: Json } = {};
  if ('Subject' in o) f.Subject = str(o.Subject, 'Subject', { nonEmpty: true, max: 255 }) as string;
  if ('Due_Date' in o) {
    const d = str(o.Due_Date, 'Due_Date', { nullable: true });
    if (d !== null && !DATE.test(d)) throw invalid('Due_Date', 'expected YYYY-MM-DD or null');
    f.Due_Date = d;
  }
  if ('Status' in o) f.Status = picked(o.Status, 'Status', Object.values(picklists.status).flat(), false) as string;
  if ('Priority' in o) f.Priority = picked(o.Priority, 'Priority', picklists.priority.map((p) => p.value), true);
  if ('Description' in o) f.Description = str(o.Description, 'Description', { nullable: true, max: MAX_TEXT });
  if ('Remind_At' in o) f.Remind_At = str(o.Remind_At, 'Remind_At', { nullable: true });
  if ('Recurring_Activity' in o) f.Recurring_Activity = recurrence(o.Recurring_Activity);
  if ('What_Id' in o) f.What_Id = recordRef(o.What_Id, 'What_Id');
  if ('Who_Id' in o) f.Who_Id = recordRef(o.Who_Id, 'Who_Id');
  if ('Owner' in o) f.Owner = o.Owner;
  return f;
}

/**
 * Builds the task draft to write. `current` is the stored task for replace/merge: its id, link
 * and timestamps are kept; merge also keeps every field the body leaves out.
 */
export async function taskDraftFrom(
  body: JsonObject,
  mode: EventInputMode,
  ctx: { caller: Caller; crm: CrmApiBackend; picklists: TaskPicklists; current: CrmTaskDraft | null; id?: string; now: Date },
): Promise<{ draft: CrmTaskDraft; owner: CrmUser }> {
  const { Owner: ownerGiven, ...given } = fieldsOf(pickFields(body, TASK_WRITABLE, TASK_READ_ONLY), ctx.picklists);
  if (mode !== 'merge') requireFields(given as JsonObject, ['Subject']);
  const base = mode === 'merge' && ctx.current ? ctx.current : null;
  const owner = await resolveOwner(ownerGiven ?? (ctx.current && mode !== 'create' ? ctx.current.Owner.email : undefined), ctx.caller, ctx.crm);
  const draft: CrmTaskDraft = {
    Subject: '',
    ...taskFieldDefaults(ctx.picklists),
    ...(base ?? {}),
    ...given,
    Closed_Time: ctx.current?.Closed_Time ?? null,
    id: ctx.current?.id ?? ctx.id,
    Owner: { id: owner.id, email: owner.email, name: owner.name },
    caldav: ctx.current?.caldav ?? null,
  };
  // The mapping validates meaning; the text itself is thrown away.
  crmTaskToIcs({ ...draft, id: draft.id ?? 'validation', caldav: draft.caldav ? { uid: draft.caldav.uid } : null }, { owner, picklists: ctx.picklists, now: ctx.now });
  return { draft, owner };
}
