/**
 * Who answers to an address (crm/builtin/who.ts): the per-address summary person writes keep,
 * the index it falls back to for addresses saved before summaries, and the create-only repair.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltinCrm } from '../../../lambda/crm/builtin';
import type { CrmContext } from '../../../lambda/crm/builtin/context';
import { emailKey, personKey } from '../../../lambda/crm/builtin/keys';
import { lookupAttendees, readWho } from '../../../lambda/crm/builtin/who';
import { KeyReader } from '../../../lambda/platform/dynamodb/key-reader';
import { freshTables, type TestTables } from '../../helpers/dynamo';
import { UMA, builtinOn } from './helpers';

let t: TestTables;
let crm: BuiltinCrm;
let ctx: CrmContext;
beforeAll(async () => {
  t = await freshTables();
  const made = await builtinOn(t);
  crm = made.crm;
  ctx = { doc: t.doc, reader: new KeyReader(t.doc), table: t.tables.crm, users: made.users, now: () => new Date() };
});
afterAll(() => t?.drop());

const carriers = async (email: string) => (await readWho(ctx, email))?.carriers.map((c) => [c.module, c.name, c.email]);

describe('the per-address summary', () => {
  it('follows saves, renames, address changes and deletions, lead before contact', async () => {
    const contact = await crm.savePerson({ module: 'Contacts', First_Name: 'Carla', Last_Name: 'C', Email: 'carla@acme.example', Secondary_Email: 'shared@acme.example' });
    const lead = await crm.savePerson({ module: 'Leads', First_Name: 'Larry', Last_Name: 'L', Email: 'Shared@Acme.example' });
    expect(await carriers('shared@acme.example')).toEqual([
      ['Leads', 'Larry L', 'Shared@Acme.example'],
      ['Contacts', 'Carla C', 'carla@acme.example'],
    ]);
    expect(await crm.findPersonByEmail('SHARED@acme.example')).toMatchObject({ type: 'lead', id: lead.id, name: 'Larry L' });

    await crm.savePerson({ ...lead, First_Name: 'Lawrence' });
    expect((await carriers('shared@acme.example'))![0]).toEqual(['Leads', 'Lawrence L', 'Shared@Acme.example']);

    await crm.savePerson({ ...contact, Secondary_Email: null });
    expect(await carriers('shared@acme.example')).toEqual([['Leads', 'Lawrence L', 'Shared@Acme.example']]);

    await crm.deletePerson('Leads', lead.id);
    expect(await carriers('shared@acme.example')).toEqual([]);
    expect(await crm.findPersonByEmail('shared@acme.example')).toBeNull();
    expect(await crm.findPersonByEmail('carla@acme.example')).toMatchObject({ type: 'contact', id: contact.id });
  });

  it('answers an address saved before summaries from the index, and a phone write stores what it found', async () => {
    // A contact as an older release stored it: record and index item, no summary.
    await t.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: t.tables.crm, Item: { ...personKey('Contacts', 'old-1'), id: 'old-1', module: 'Contacts', Full_Name: 'Olga Old', Email: 'olga@old.example' } } },
          { Put: { TableName: t.tables.crm, Item: { ...emailKey('olga@old.example', 'Contacts', 'old-1'), module: 'Contacts', id: 'old-1' } } },
        ],
      }),
    );
    expect(await readWho(ctx, 'olga@old.example')).toBeNull();
    expect(await crm.findPersonByEmail('olga@old.example')).toMatchObject({ type: 'contact', id: 'old-1', name: 'Olga Old' });

    const found = await lookupAttendees(ctx, ['Olga@Old.example', UMA, 'nobody@nowhere.example']);
    expect(Object.fromEntries(found.matches)).toEqual({
      'olga@old.example': { type: 'contact', id: 'old-1', email: 'olga@old.example', name: 'Olga Old' },
      [UMA]: { type: 'user', id: UMA, email: UMA, name: 'Uma User' },
      'nobody@nowhere.example': null,
    });
    expect(found.repairs).toHaveLength(3);
    await t.doc.send(new TransactWriteCommand({ TransactItems: found.repairs }));
    expect(await carriers('olga@old.example')).toEqual([['Contacts', 'Olga Old', 'olga@old.example']]);
    expect(await carriers('nobody@nowhere.example')).toEqual([]);
    expect((await lookupAttendees(ctx, ['olga@old.example'])).repairs).toEqual([]);
  });

  it('a repair never overwrites a summary a person save wrote meanwhile', async () => {
    const stale = await lookupAttendees(ctx, ['late@new.example']);
    expect(stale.matches.get('late@new.example')).toBeNull();
    const late = await crm.savePerson({ module: 'Leads', First_Name: 'Lou', Last_Name: 'Late', Email: 'late@new.example' });
    await expect(t.doc.send(new TransactWriteCommand({ TransactItems: stale.repairs }))).rejects.toThrow(/ConditionalCheckFailed|cancel/i);
    expect(await crm.findPersonByEmail('late@new.example')).toMatchObject({ type: 'lead', id: late.id });
  });
});
