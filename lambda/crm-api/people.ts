/**
 * /crm/v1/leads, /crm/v1/contacts (CRUD; users read, the admin writes) and
 * /crm/v1/people?email= (the lookup the sync uses for attendees: lead > contact > user).
 */
import type { PersonModule } from '../crm/types';
import { requireAdmin } from '../api/auth';
import { invalid, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import type { CrmApiDeps, PersonDraft, StoredPerson } from './types';
import { email, parseJsonObject, pickFields, requireFields, str, type JsonObject } from '../api/validate';
import { checkIfMatch, etagOf, exactVersion, ifMatchOf } from './versions';

const WRITABLE = ['First_Name', 'Last_Name', 'Email', 'Secondary_Email', 'Company'] as const;
const READ_ONLY = ['id', 'module', 'Full_Name', 'Created_Time', 'Modified_Time'] as const;
const ID = /^[A-Za-z0-9._~-]{1,128}$/;

function personFields(body: JsonObject): Partial<PersonDraft> {
  const o = pickFields(body, WRITABLE, READ_ONLY);
  const f: Partial<PersonDraft> = {};
  if ('First_Name' in o) f.First_Name = str(o.First_Name, 'First_Name', { nullable: true, max: 255 });
  if ('Last_Name' in o) f.Last_Name = str(o.Last_Name, 'Last_Name', { nonEmpty: true, max: 255 }) as string;
  if ('Email' in o) f.Email = email(o.Email, 'Email', true);
  if ('Secondary_Email' in o) f.Secondary_Email = email(o.Secondary_Email, 'Secondary_Email', true);
  if ('Company' in o) f.Company = str(o.Company, 'Company', { nullable: true, max: 255 });
  return f;
}

const one = (status: number, p: StoredPerson, extra: Record<string, string> = {}) =>
  json(status, { data: p }, { etag: etagOf(p.Modified_Time), ...extra });

export class PeopleRoutes {
  constructor(private readonly deps: CrmApiDeps) {}

  async list(module: PersonModule): Promise<ApiResponse> {
    const people = await this.deps.crm.listPeople(module);
    return json(200, { data: people, info: { count: people.length } });
  }

  async get(module: PersonModule, id: string): Promise<ApiResponse> {
    return one(200, await this.existing(module, id));
  }

  async create(req: ApiRequest, caller: Caller, module: PersonModule): Promise<ApiResponse> {
    requireAdmin(caller);
    const fields = personFields(parseJsonObject(req.body));
    requireFields(fields as JsonObject, ['Last_Name']);
    const draft: PersonDraft = { First_Name: null, Email: null, Secondary_Email: null, Company: null, ...fields, module } as PersonDraft;
    const p = await this.deps.crm.savePerson(draft);
    const path = module === 'Leads' ? 'leads' : 'contacts';
    return one(201, p, { location: `/crm/v1/${path}/${encodeURIComponent(p.id)}` });
  }

  /** PUT replaces every writable field (absent ones become null), PATCH only those given. */
  async update(req: ApiRequest, caller: Caller, module: PersonModule, id: string, merge: boolean): Promise<ApiResponse> {
    requireAdmin(caller);
    const fields = personFields(parseJsonObject(req.body));
    if (!merge) requireFields(fields as JsonObject, ['Last_Name']);
    const current = await this.existing(module, id);
    const wanted = ifMatchOf(req.headers);
    checkIfMatch(wanted, current);
    const base: PersonDraft = merge ? current : { ...current, First_Name: null, Email: null, Secondary_Email: null, Company: null };
    const p = await this.deps.crm.savePerson({ ...base, ...fields, id, module }, { ifModified: exactVersion(wanted) ?? current.Modified_Time });
    return one(200, p);
  }

  async remove(req: ApiRequest, caller: Caller, module: PersonModule, id: string): Promise<ApiResponse> {
    requireAdmin(caller);
    const current = await this.existing(module, id);
    const wanted = ifMatchOf(req.headers);
    checkIfMatch(wanted, current);
    await this.deps.crm.deletePerson(module, id, { ifModified: exactVersion(wanted) ?? current.Modified_Time });
    return json(204, null);
  }

  async lookup(req: ApiRequest): Promise<ApiResponse> {
    for (const key of Object.keys(req.query)) if (key !== 'email') throw invalid(key, `unknown parameter ${key}`);
    const address = email(req.query.email ?? null, 'email');
    const match = await this.deps.crm.findPersonByEmail(address as string);
    if (!match) throw notFound(`Nobody in the CRM has the e-mail ${address}`);
    return json(200, { data: match });
  }

  private async existing(module: PersonModule, id: string): Promise<StoredPerson> {
    const p = ID.test(id) ? await this.deps.crm.getPerson(module, id) : null;
    if (!p) throw notFound(`No ${module === 'Leads' ? 'lead' : 'contact'} ${id}`);
    return p;
  }
}
