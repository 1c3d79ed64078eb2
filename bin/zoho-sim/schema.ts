/**
 * The modules the simulator serves and their fields, with the metadata `/settings/fields` reports.
 * Field names and types follow the SDK's Events/Tasks classes and the Events layout example in
 * `zoho/crm-oas` (`v8.0/layouts/mds/examples/getLayouts.md`): Remind_At is `multireminder` (an
 * array) on Events and `ALARM` (an object) on Tasks, Recurring_Activity is `RRULE`, What_Id a
 * lookup on `se_module`. Custom fields added through the API join their module here.
 */
import type { IdSequence } from './ids';

export const MODULES = ['Events', 'Tasks', 'Leads', 'Contacts'] as const;
export type ModuleName = (typeof MODULES)[number];

/** How the simulator validates and stores a field (data_type alone is ambiguous, e.g. `bigint`). */
export type FieldKind =
  | 'text'
  | 'email'
  | 'phone'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'integer'
  | 'picklist'
  | 'owner'
  | 'lookup'
  | 'what'
  | 'reminders'
  | 'alarm'
  | 'rrule'
  | 'participants'
  | 'tags'
  | 'system';

export interface FieldDef {
  id: string;
  api_name: string;
  field_label: string;
  kind: FieldKind;
  data_type: string;
  json_type: 'string' | 'boolean' | 'integer' | 'jsonobject' | 'jsonarray';
  length: number;
  system_mandatory: boolean;
  /** Set by the server only (Created_Time, Modified_By…): writing it is refused. */
  read_only: boolean;
  custom_field: boolean;
  unique: { case_sensitive?: boolean };
  pick_list_values: string[];
  /** Target module of a lookup (`Contacts` for Who_Id); `se_module` for What_Id. */
  lookup?: string;
  /** What the layout example says the API may do with the field. */
  api_update: boolean;
}

type Spec = Partial<Omit<FieldDef, 'id' | 'api_name' | 'kind'>> & { kind: FieldKind };

const TYPES: Record<FieldKind, Pick<FieldDef, 'data_type' | 'json_type' | 'length'>> = {
  text: { data_type: 'text', json_type: 'string', length: 255 },
  email: { data_type: 'email', json_type: 'string', length: 100 },
  phone: { data_type: 'phone', json_type: 'string', length: 30 },
  boolean: { data_type: 'boolean', json_type: 'boolean', length: 5 },
  datetime: { data_type: 'datetime', json_type: 'string', length: 120 },
  date: { data_type: 'date', json_type: 'string', length: 20 },
  integer: { data_type: 'integer', json_type: 'integer', length: 9 },
  picklist: { data_type: 'picklist', json_type: 'string', length: 120 },
  owner: { data_type: 'ownerlookup', json_type: 'jsonobject', length: 120 },
  lookup: { data_type: 'lookup', json_type: 'jsonobject', length: 120 },
  what: { data_type: 'lookup', json_type: 'jsonobject', length: 120 },
  reminders: { data_type: 'multireminder', json_type: 'jsonarray', length: 100 },
  alarm: { data_type: 'ALARM', json_type: 'jsonobject', length: 100 },
  rrule: { data_type: 'RRULE', json_type: 'jsonobject', length: 100 },
  participants: { data_type: 'bigint', json_type: 'jsonarray', length: 120 },
  tags: { data_type: 'text', json_type: 'jsonarray', length: 2000 },
  system: { data_type: 'datetime', json_type: 'string', length: 120 },
};

const AUDIT: Record<string, Spec> = {
  Created_By: { kind: 'system', field_label: 'Created By', data_type: 'ownerlookup', json_type: 'jsonobject', read_only: true },
  Modified_By: { kind: 'system', field_label: 'Modified By', data_type: 'ownerlookup', json_type: 'jsonobject', read_only: true },
  Created_Time: { kind: 'system', field_label: 'Created Time', read_only: true },
  Modified_Time: { kind: 'system', field_label: 'Modified Time', read_only: true },
};

export const TASK_STATUSES = ['Not Started', 'Deferred', 'In Progress', 'Completed', 'Waiting for input'];
export const TASK_PRIORITIES = ['High', 'Highest', 'Low', 'Lowest', 'Normal'];

const PERSON: Record<string, Spec> = {
  Owner: { kind: 'owner', field_label: 'Lead Owner' },
  First_Name: { kind: 'text', field_label: 'First Name', length: 40 },
  Last_Name: { kind: 'text', field_label: 'Last Name', length: 80, system_mandatory: true },
  Full_Name: { kind: 'text', field_label: 'Full Name', read_only: true },
  Email: { kind: 'email', field_label: 'Email' },
  Secondary_Email: { kind: 'email', field_label: 'Secondary Email' },
  Phone: { kind: 'phone', field_label: 'Phone' },
  Mobile: { kind: 'phone', field_label: 'Mobile' },
  Description: { kind: 'text', field_label: 'Description', data_type: 'textarea', length: 32000 },
  Tag: { kind: 'tags', field_label: 'Tag' },
};

const SPECS: Record<ModuleName, Record<string, Spec>> = {
  Events: {
    Event_Title: { kind: 'text', field_label: 'Title', system_mandatory: true },
    Venue: { kind: 'text', field_label: 'Location' },
    All_day: { kind: 'boolean', field_label: 'All day' },
    Start_DateTime: { kind: 'datetime', field_label: 'From', system_mandatory: true },
    End_DateTime: { kind: 'datetime', field_label: 'To', system_mandatory: true },
    Owner: { kind: 'owner', field_label: 'Host' },
    Description: { kind: 'text', field_label: 'Description', data_type: 'textarea', length: 32000 },
    Participants: { kind: 'participants', field_label: 'Participants' },
    Remind_Participants: { kind: 'reminders', field_label: 'Participants Reminder' },
    Tag: { kind: 'tags', field_label: 'Tag' },
    Who_Id: { kind: 'lookup', field_label: 'Contact Name', lookup: 'Contacts' },
    // The layout example marks Recurring_Activity api_update:false; see docs/zoho-simulator.md.
    Recurring_Activity: { kind: 'rrule', field_label: 'Repeat', api_update: false },
    Remind_At: { kind: 'reminders', field_label: 'Reminder' },
    What_Id: { kind: 'what', field_label: 'Related To', lookup: 'se_module' },
    Check_In_Status: { kind: 'text', field_label: 'Check-In Status', read_only: true },
    ...AUDIT,
  },
  Tasks: {
    Subject: { kind: 'text', field_label: 'Subject', system_mandatory: true },
    Due_Date: { kind: 'date', field_label: 'Due Date' },
    Status: { kind: 'picklist', field_label: 'Status', pick_list_values: TASK_STATUSES },
    Priority: { kind: 'picklist', field_label: 'Priority', pick_list_values: TASK_PRIORITIES },
    Owner: { kind: 'owner', field_label: 'Task Owner' },
    Description: { kind: 'text', field_label: 'Description', data_type: 'textarea', length: 32000 },
    Closed_Time: { kind: 'system', field_label: 'Closed Time', read_only: true },
    Send_Notification_Email: { kind: 'boolean', field_label: 'Send Notification Email' },
    Recurring_Activity: { kind: 'rrule', field_label: 'Repeat', api_update: false },
    Remind_At: { kind: 'alarm', field_label: 'Reminder' },
    Who_Id: { kind: 'lookup', field_label: 'Contact Name', lookup: 'Contacts' },
    What_Id: { kind: 'what', field_label: 'Related To', lookup: 'se_module' },
    Tag: { kind: 'tags', field_label: 'Tag' },
    ...AUDIT,
  },
  Leads: { ...PERSON, Company: { kind: 'text', field_label: 'Company', length: 200 }, ...AUDIT },
  Contacts: {
    ...PERSON,
    Owner: { kind: 'owner', field_label: 'Contact Owner' },
    Account_Name: { kind: 'lookup', field_label: 'Account Name', lookup: 'Accounts' },
    ...AUDIT,
  },
};

function build(apiName: string, spec: Spec, id: string): FieldDef {
  const base = TYPES[spec.kind];
  return {
    id,
    api_name: apiName,
    field_label: spec.field_label ?? apiName.replace(/_/g, ' '),
    kind: spec.kind,
    data_type: spec.data_type ?? base.data_type,
    json_type: spec.json_type ?? base.json_type,
    length: spec.length ?? base.length,
    system_mandatory: spec.system_mandatory ?? false,
    read_only: spec.read_only ?? false,
    custom_field: spec.custom_field ?? false,
    unique: spec.unique ?? {},
    pick_list_values: spec.pick_list_values ?? [],
    ...(spec.lookup ? { lookup: spec.lookup } : {}),
    api_update: spec.api_update ?? !(spec.read_only ?? false),
  };
}

/** One org's field definitions: the standard ones plus the custom fields created through the API. */
export class Schema {
  private readonly byModule = new Map<ModuleName, FieldDef[]>();

  constructor(private readonly ids: IdSequence) {
    for (const module of MODULES) {
      this.byModule.set(module, Object.entries(SPECS[module]).map(([name, spec]) => build(name, spec, ids.id())));
    }
  }

  fields(module: ModuleName): readonly FieldDef[] {
    return this.byModule.get(module) ?? [];
  }

  field(module: ModuleName, apiName: string): FieldDef | undefined {
    return this.fields(module).find((f) => f.api_name === apiName);
  }

  uniqueFields(module: ModuleName): FieldDef[] {
    return this.fields(module).filter((f) => f.unique.case_sensitive !== undefined);
  }

  addCustom(module: ModuleName, apiName: string, spec: Spec): FieldDef {
    const def = build(apiName, { ...spec, custom_field: true }, this.ids.id());
    this.byModule.get(module)!.push(def);
    return def;
  }
}

/** Zoho matches module API names in URLs without regard to case (`/crm/v8/events`). */
export function moduleNamed(name: string): ModuleName | undefined {
  return MODULES.find((m) => m.toLowerCase() === name.toLowerCase());
}

/** Values Zoho fills in on create when the request leaves them out (layout `default_value`s). */
const CREATE_DEFAULTS: Record<ModuleName, Record<string, unknown>> = {
  Events: { All_day: false, Participants: [], Tag: [] },
  Tasks: { Status: 'Not Started', Tag: [] },
  Leads: { Tag: [] },
  Contacts: { Tag: [] },
};

export const createDefaults = (module: ModuleName): Record<string, unknown> => structuredClone(CREATE_DEFAULTS[module]);
