import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltinCrm } from '../../../lambda/crm/builtin';
import { CrmConflict, CrmNotFound } from '../../../lambda/crm/types';
import { freshTables, type TestTables } from '../../helpers/dynamo';
import { OLIVIA, UMA, builtinOn } from './helpers';

let t: TestTables;
let crm: BuiltinCrm;
beforeAll(async () => {
  t = await freshTables();
  ({ crm } = await builtinOn(t));
});
afterAll(async () => {
  await t?.drop();
});

const lead = { module: 'Leads' as const, First_Name: 'Larry', Last_Name: 'Lead', Email: 'Larry@Acme.example', Company: 'Acme' };
const contact = { module: 'Contacts' as const, First_Name: null, Last_Name: 'Carla', Email: 'carla@acme.example', Secondary_Email: 'shared@acme.example' };

describe('leads and contacts', () => {
  it('creates, reads, lists and updates with derived Full_Name and timestamps', async () => {
    const l = await crm.savePerson(lead);
    expect(l).toMatchObject({ ...lead, Full_Name: 'Larry Lead' });
    expect(l.Created_Time).toBe(l.Modified_Time);
    expect(await crm.getPerson('Leads', l.id)).toEqual(l);
    expect(await crm.getPerson('Contacts', l.id)).toBeNull();
    const c = await crm.savePerson(contact);
    expect(c.Full_Name).toBe('Carla');
    expect((await crm.listPeople('Leads')).map((p) => p.id)).toContain(l.id);
    expect((await crm.listPeople('Contacts')).map((p) => p.id)).toContain(c.id);
    const l2 = await crm.savePerson({ ...l, Company: 'Acme GmbH' }, { ifModified: l.Modified_Time });
    expect(l2.Modified_Time > l.Modified_Time).toBe(true);
    await expect(crm.savePerson({ ...l, Company: 'stale' }, { ifModified: l.Modified_Time })).rejects.toBeInstanceOf(CrmConflict);
    expect((await crm.getPerson('Leads', l.id))?.Company).toBe('Acme GmbH');
  });

  it('deletes, and then answers not found', async () => {
    const l = await crm.savePerson({ ...lead, Email: 'temp@acme.example' });
    await crm.deletePerson('Leads', l.id);
    expect(await crm.getPerson('Leads', l.id)).toBeNull();
    expect(await crm.findPersonByEmail('temp@acme.example')).toBeNull();
    await expect(crm.deletePerson('Leads', l.id)).rejects.toBeInstanceOf(CrmNotFound);
  });
});

describe('findPersonByEmail', () => {
  it('matches case-insensitively, a lead before a contact before a user', async () => {
    const c = await crm.savePerson({ ...contact, Email: 'pat@corp.example', Secondary_Email: null });
    expect(await crm.findPersonByEmail('PAT@corp.example')).toEqual({ type: 'contact', id: c.id, email: 'pat@corp.example', name: 'Carla' });
    const l = await crm.savePerson({ ...lead, Email: 'Pat@Corp.example' });
    expect(await crm.findPersonByEmail('pat@corp.example')).toMatchObject({ type: 'lead', id: l.id, name: 'Larry Lead' });
    expect(await crm.findPersonByEmail(UMA.toUpperCase())).toEqual({ type: 'user', id: UMA, email: UMA, name: 'Uma User' });
    expect(await crm.findPersonByEmail('stranger@nowhere.example')).toBeNull();
  });

  it('finds secondary e-mails and follows e-mail changes', async () => {
    const c = await crm.savePerson({ ...contact, Email: 'old@corp.example', Secondary_Email: 'second@corp.example' });
    expect((await crm.findPersonByEmail('second@corp.example'))?.id).toBe(c.id);
    await crm.savePerson({ ...c, Email: 'new@corp.example', Secondary_Email: null });
    expect(await crm.findPersonByEmail('old@corp.example')).toBeNull();
    expect(await crm.findPersonByEmail('second@corp.example')).toBeNull();
    expect((await crm.findPersonByEmail('new@corp.example'))?.id).toBe(c.id);
  });

  it('a lead shadows a user with the same e-mail', async () => {
    const l = await crm.savePerson({ ...lead, Email: OLIVIA });
    expect(await crm.findPersonByEmail(OLIVIA)).toMatchObject({ type: 'lead', id: l.id });
  });
});

describe('getUser', () => {
  it('derives the CRM user from the users table record', async () => {
    expect(await crm.getUser('Uma@CRM.example')).toEqual({
      id: UMA,
      email: UMA,
      name: 'Uma User',
      timeZone: 'America/New_York',
    });
    expect(await crm.getUser('nobody@crm.example')).toBeNull();
  });
});
