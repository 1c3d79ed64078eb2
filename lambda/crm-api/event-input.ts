/**
 * JSON body → CrmEventDraft: field set and types here; links (Owner, Participants) resolved
 * against the CRM; then a dry run of the iCalendar mapping, which checks what the fields mean
 * (times, end before start, RRULE, exception dates) and names the field it rejects. Nothing is
 * written unless all of it passes.
 */
import { validateRrule, crmEventToIcs } from '../crm/mapping';
import {
  eventFieldDefaults,
  type CrmEventDraft,
  type CrmEventFields,
  type CrmParticipant,
  type CrmRecurrence,
  type CrmRecurrenceException,
  type CrmUser,
  type ParticipantStatus,
} from '../crm/types';
import { invalid } from '../api/errors';
import type { Caller } from '../api/types';
import type { CrmApiBackend } from './types';
import { array, bool, email, object, pickFields, requireFields, str, type Json, type JsonObject } from '../api/validate';

export const EVENT_WRITABLE = [
  'Event_Title',
  'Start_DateTime',
  'End_DateTime',
  'All_day',
  'Venue',
  'Description',
  'Participants',
  'Remind_At',
  'Recurring_Activity',
  'Recurrence_Exceptions',
  'Owner',
] as const;
/** Present in what GET returns; accepted and ignored so a client can PUT back what it read. */
export const EVENT_READ_ONLY = ['id', 'Created_Time', 'Modified_Time', 'Deleted', 'caldav'] as const;
const REQUIRED = ['Event_Title', 'Start_DateTime', 'End_DateTime'] as const;

const STATUSES = new Set<ParticipantStatus>(['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED']);
const MAX_TEXT = 32_000;


function remindAt(v: Json | undefined, field: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 40_320) throw invalid(field, 'expected whole minutes before start (0 to 40320) or null');
  return v;
}

function dates(v: Json | undefined, field: string): string[] {
  return array(v, field).map((d, i) => str(d, `${field}[${i}]`) as string);
}

export function recurrence(v: Json | undefined): CrmRecurrence | null {
  if (v === null) return null;
  const o = pickFields(object(v, 'Recurring_Activity'), ['RRULE', 'EXDATE', 'RDATE'], [], 'Recurring_Activity.');
  requireFields(o, ['RRULE'], 'Recurring_Activity.');
  const rule = str(o.RRULE, 'Recurring_Activity.RRULE') as string;
  validateRrule(rule, 'Recurring_Activity.RRULE');
  const rec: CrmRecurrence = { RRULE: rule.replace(/^RRULE:/i, '') };
  if ('EXDATE' in o) rec.EXDATE = dates(o.EXDATE, 'Recurring_Activity.EXDATE');
  if ('RDATE' in o) rec.RDATE = dates(o.RDATE, 'Recurring_Activity.RDATE');
  return rec;
}

/** A participant as given: without `type`, the link is looked up by e-mail. */
type ParticipantInput = Omit<CrmParticipant, 'type'> & { type?: CrmParticipant['type'] };

/** Shape of one participant; the link is resolved by `resolveParticipants`. */
function participant(v: Json, field: string): ParticipantInput {
  const o = pickFields(object(v, field), ['type', 'participant', 'Email', 'name', 'status'], [], `${field}.`);
  requireFields(o, ['Email'], `${field}.`);
  const p: ParticipantInput = { participant: '', Email: email(o.Email, `${field}.Email`) as string };
  if ('type' in o) {
    if (!['lead', 'contact', 'user', 'email'].includes(o.type as string)) throw invalid(`${field}.type`, 'expected lead, contact, user or email');
    p.type = o.type as CrmParticipant['type'];
    if (p.type !== 'email') p.participant = str(o.participant, `${field}.participant`, { nonEmpty: true }) as string;
  } else if ('participant' in o) {
    throw invalid(`${field}.participant`, 'give type with participant');
  }
  if ('name' in o && o.name !== null) p.name = str(o.name, `${field}.name`) as string;
  if ('status' in o && o.status !== null) {
    if (!STATUSES.has(o.status as ParticipantStatus)) throw invalid(`${field}.status`, `expected one of ${[...STATUSES].join(', ')}`);
    p.status = o.status as ParticipantStatus;
  }
  return p;
}

type ExceptionInput = Omit<CrmRecurrenceException, 'Participants'> & { Participants?: ParticipantInput[] };
type FieldsInput = Partial<Omit<CrmEventFields, 'Participants' | 'Recurrence_Exceptions'>> & {
  Participants?: ParticipantInput[];
  Recurrence_Exceptions?: ExceptionInput[];
  Owner?: Json;
};

const EXCEPTION_FIELDS = ['Recurrence_Id', 'Event_Title', 'Start_DateTime', 'End_DateTime', 'All_day', 'Venue', 'Description', 'Participants', 'Remind_At'] as const;

function exception(v: Json, field: string): ExceptionInput {
  const o = pickFields(object(v, field), EXCEPTION_FIELDS, [], `${field}.`);
  requireFields(o, ['Recurrence_Id'], `${field}.`);
  const ex: ExceptionInput = { Recurrence_Id: str(o.Recurrence_Id, `${field}.Recurrence_Id`) as string };
  if ('Event_Title' in o) ex.Event_Title = str(o.Event_Title, `${field}.Event_Title`, { max: 255 }) as string;
  if ('Start_DateTime' in o) ex.Start_DateTime = str(o.Start_DateTime, `${field}.Start_DateTime`) as string;
  if ('End_DateTime' in o) ex.End_DateTime = str(o.End_DateTime, `${field}.End_DateTime`) as string;
  if ('All_day' in o) ex.All_day = bool(o.All_day, `${field}.All_day`);
  if ('Venue' in o) ex.Venue = str(o.Venue, `${field}.Venue`, { nullable: true, max: MAX_TEXT });
  if ('Description' in o) ex.Description = str(o.Description, `${field}.Description`, { nullable: true, max: MAX_TEXT });
  if ('Participants' in o) ex.Participants = array(o.Participants, `${field}.Participants`).map((p, i) => participant(p, `${field}.Participants[${i}]`));
  if ('Remind_At' in o) ex.Remind_At = remindAt(o.Remind_At, `${field}.Remind_At`);
  return ex;
}

/** The writable fields present in `o`, typed. */
function fieldsOf(o: JsonObject): FieldsInput {
  const f: FieldsInput = {};
  if ('Event_Title' in o) f.Event_Title = str(o.Event_Title, 'Event_Title', { nonEmpty: true, max: 255 }) as string;
  if ('Start_DateTime' in o) f.Start_DateTime = str(o.Start_DateTime, 'Start_DateTime') as string;
  if ('End_DateTime' in o) f.End_DateTime = str(o.End_DateTime, 'End_DateTime') as string;
  if ('All_day' in o) f.All_day = bool(o.All_day, 'All_day');
  if ('Venue' in o) f.Venue = str(o.Venue, 'Venue', { nullable: true, max: MAX_TEXT });
  if ('Description' in o) f.Description = str(o.Description, 'Description', { nullable: true, max: MAX_TEXT });
  if ('Participants' in o) f.Participants = array(o.Participants, 'Participants').map((p, i) => participant(p, `Participants[${i}]`));
  if ('Remind_At' in o) f.Remind_At = remindAt(o.Remind_At, 'Remind_At');
  if ('Recurring_Activity' in o) f.Recurring_Activity = recurrence(o.Recurring_Activity);
  if ('Recurrence_Exceptions' in o) f.Recurrence_Exceptions = array(o.Recurrence_Exceptions, 'Recurrence_Exceptions').map((x, i) => exception(x, `Recurrence_Exceptions[${i}]`));
  if ('Owner' in o) f.Owner = o.Owner;
  return f;
}

export async function resolveOwner(v: Json | undefined, caller: Caller, crm: CrmApiBackend): Promise<CrmUser> {
  let address: string | null;
  if (v === undefined) {
    if (caller.kind !== 'user') throw invalid('Owner', 'Owner is required');
    address = caller.email;
  } else if (typeof v === 'string') {
    address = email(v, 'Owner');
  } else {
    const o = pickFields(object(v, 'Owner'), ['email', 'id'], ['name'], 'Owner.');
    // Built-in user ids are their e-mails; a hosted CRM's connector resolves its own ids.
    address = 'email' in o ? email(o.email, 'Owner.email') : 'id' in o ? (str(o.id, 'Owner.id', { nonEmpty: true }) as string) : null;
    if (address === null) throw invalid('Owner', 'give the owner’s email');
  }
  const user = await crm.getUser(address as string);
  if (!user) throw invalid('Owner', `no CRM user ${address}`);
  return user;
}

/** Links each participant: a given type/id must exist; a bare e-mail is matched lead > contact > user. */
async function resolveParticipants(list: ParticipantInput[], field: string, crm: CrmApiBackend): Promise<CrmParticipant[]> {
  return Promise.all(
    list.map(async ({ type, ...p }, i): Promise<CrmParticipant> => {
      if (type === undefined) {
        const match = await crm.findPersonByEmail(p.Email);
        return match ? { ...p, type: match.type, participant: match.id, name: p.name ?? match.name } : { ...p, type: 'email', participant: p.Email };
      }
      if (type === 'email') return { ...p, type, participant: p.Email };
      const exists = type === 'user' ? await crm.getUser(p.participant) : await crm.getPerson(type === 'lead' ? 'Leads' : 'Contacts', p.participant);
      if (!exists) throw invalid(`${field}[${i}].participant`, `no ${type} ${p.participant}`);
      return { ...p, type };
    }),
  );
}

/** Only what the body gives is resolved: links already stored stay as they are. */
async function resolveGiven(f: FieldsInput, crm: CrmApiBackend): Promise<Partial<CrmEventFields>> {
  const { Owner: _owner, Participants, Recurrence_Exceptions, ...rest } = f;
  const out: Partial<CrmEventFields> = { ...rest };
  if (Participants) out.Participants = await resolveParticipants(Participants, 'Participants', crm);
  if (Recurrence_Exceptions) {
    out.Recurrence_Exceptions = await Promise.all(
      Recurrence_Exceptions.map(async ({ Participants: ps, ...ex }, i): Promise<CrmRecurrenceException> =>
        ps ? { ...ex, Participants: await resolveParticipants(ps, `Recurrence_Exceptions[${i}].Participants`, crm) } : ex,
      ),
    );
  }
  return out;
}

export type EventInputMode = 'create' | 'replace' | 'merge';

/**
 * Builds the draft to write. `current` is the stored event for replace/merge: its id, link and
 * timestamps are kept; merge also keeps every field the body leaves out.
 */
export async function eventDraftFrom(
  body: JsonObject,
  mode: EventInputMode,
  ctx: { caller: Caller; crm: CrmApiBackend; current: CrmEventDraft | null; id?: string; now: Date },
): Promise<{ draft: CrmEventDraft; owner: CrmUser }> {
  const fields = fieldsOf(pickFields(body, EVENT_WRITABLE, EVENT_READ_ONLY));
  if (mode !== 'merge') requireFields(fields as JsonObject, REQUIRED);
  const base = mode === 'merge' && ctx.current ? ctx.current : null;
  const ownerInput = fields.Owner ?? (ctx.current && mode !== 'create' ? ctx.current.Owner.email : undefined);
  const owner = await resolveOwner(ownerInput, ctx.caller, ctx.crm);
  const given = await resolveGiven(fields, ctx.crm);
  const draft: CrmEventDraft = {
    ...eventFieldDefaults(),
    ...(base ?? {}),
    ...(given as Pick<CrmEventFields, (typeof REQUIRED)[number]>),
    id: ctx.current?.id ?? ctx.id,
    Owner: { id: owner.id, email: owner.email, name: owner.name },
    caldav: ctx.current?.caldav ?? null,
  };
  // The mapping validates meaning; the text itself is thrown away.
  crmEventToIcs({ ...draft, id: draft.id ?? 'validation', caldav: draft.caldav ? { uid: draft.caldav.uid } : null }, { owner, now: ctx.now });
  return { draft, owner };
}
