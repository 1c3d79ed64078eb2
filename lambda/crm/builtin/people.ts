/**
 * Leads and contacts, and the e-mail index that answers "who is this attendee?". A person and
 * its index items change in one transaction, so a lookup never finds an e-mail the person no
 * longer has. Writes are optimistic on Modified_Time like events.
 */
import type { TransactItem } from '../../platform/dynamodb/retry';
import { randomUUID } from 'node:crypto';
import { transactWrite } from '../../platform/dynamodb/transact';
import { queryAll } from '../../platform/dynamodb/paging';
import { CrmConflict, CrmNotFound, type CrmPerson, type PersonMatch, type PersonModule, type UpsertOptions } from '../types';
import type { PersonDraft, StoredPerson } from './person-types';
import { nextModifiedTime, retryOnRace, type CrmContext } from './context';
import { emailKey, peoplePk, personKey } from './keys';
import { matchOf, readWho, whoForUpdate, whoFromIndex, whoWrite, withCarrier, type Carrier } from './who';



const fullName = (p: Pick<CrmPerson, 'First_Name' | 'Last_Name'>) => [p.First_Name, p.Last_Name].filter(Boolean).join(' ');

/** Distinct lower-cased e-mails of a person, Email first. */
const emailsOf = (p: Pick<CrmPerson, 'Email' | 'Secondary_Email'>) =>
  [...new Set([p.Email, p.Secondary_Email].filter((e): e is string => !!e).map((e) => e.trim().toLowerCase()))];

function fromItem(item: Record<string, unknown>): StoredPerson {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as StoredPerson;
}

export type { PersonDraft, StoredPerson };

export async function getPerson(ctx: CrmContext, module: PersonModule, id: string): Promise<StoredPerson | null> {
  const Item = await ctx.reader.get(ctx.table, personKey(module, id));
  return Item ? fromItem(Item) : null;
}

export async function listPeople(ctx: CrmContext, module: PersonModule): Promise<StoredPerson[]> {
  const items = await queryAll(ctx.doc, {
    TableName: ctx.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': peoplePk(module) },
    ConsistentRead: true,
  });
  return items.map(fromItem);
}

function checkVersion(what: string, current: StoredPerson | null, opts: UpsertOptions): void {
  if (opts.ifModified !== undefined && current?.Modified_Time !== opts.ifModified) {
    throw new CrmConflict(`${what} changed since ${opts.ifModified}`);
  }
}

/** The record's Modified_Time as read, or its absence, must still hold at commit. */
const unchanged = (current: StoredPerson | null) =>
  current
    ? { ConditionExpression: 'Modified_Time = :read', ExpressionAttributeValues: { ':read': current.Modified_Time } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };

export async function savePerson(ctx: CrmContext, draft: PersonDraft, opts: UpsertOptions = {}): Promise<StoredPerson> {
  const id = draft.id ?? randomUUID();
  return retryOnRace(`save ${draft.module} ${id}`, async () => {
    const current = draft.id ? await getPerson(ctx, draft.module, id) : null;
    checkVersion(`${draft.module} ${id}`, current, opts);
    const now = nextModifiedTime(ctx.now(), current?.Modified_Time);
    const person: StoredPerson = {
      ...draft,
      id,
      Full_Name: fullName(draft),
      Created_Time: current?.Created_Time ?? now,
      Modified_Time: now,
    };
    const before = current ? emailsOf(current) : [];
    const after = emailsOf(person);
    const carrier = (e: string): Carrier => ({ module: draft.module, id, name: person.Full_Name, email: person.Email ?? e });
    const items: TransactItem[] = [
      { Put: { TableName: ctx.table, Item: { ...personKey(draft.module, id), ...person }, ...unchanged(current) } },
      ...before.filter((e) => !after.includes(e)).map((e): TransactItem => ({ Delete: { TableName: ctx.table, Key: emailKey(e, draft.module, id) } })),
      ...after.map((e): TransactItem => ({ Put: { TableName: ctx.table, Item: { ...emailKey(e, draft.module, id), module: draft.module, id } } })),
      ...(await whoUpdates(ctx, [...new Set([...before, ...after])], draft.module, id, (e) => (after.includes(e) ? carrier(e) : null))),
    ];
    await transactWrite(ctx.doc, items);
    return person;
  });
}

export async function deletePerson(ctx: CrmContext, module: PersonModule, id: string, opts: UpsertOptions = {}): Promise<StoredPerson> {
  return retryOnRace(`delete ${module} ${id}`, async () => {
    const current = await getPerson(ctx, module, id);
    if (!current) throw new CrmNotFound(`no ${module} record ${id}`);
    checkVersion(`${module} ${id}`, current, opts);
    const items: TransactItem[] = [
      { Delete: { TableName: ctx.table, Key: personKey(module, id), ...unchanged(current) } },
      ...emailsOf(current).map((e): TransactItem => ({ Delete: { TableName: ctx.table, Key: emailKey(e, module, id) } })),
      ...(await whoUpdates(ctx, emailsOf(current), module, id, () => null)),
    ];
    await transactWrite(ctx.doc, items);
    return current;
  });
}

/** The who-summaries of `emails` with (module, id) as `carrierFor` says (null: gone), versioned. */
async function whoUpdates(ctx: CrmContext, emails: string[], module: PersonModule, id: string, carrierFor: (email: string) => Carrier | null): Promise<TransactItem[]> {
  const whos = await whoForUpdate(ctx, emails);
  return emails.map((e) => whoWrite(ctx, e, withCarrier(whos.get(e)!, module, id, carrierFor(e))));
}

/** Lead, then contact (oldest key first within a module), then user; case-insensitive. */
export async function findPersonByEmail(ctx: CrmContext, email: string): Promise<PersonMatch | null> {
  const key = email.trim().toLowerCase();
  if (!key) return null;
  // The summary and the user together; the index only for an address without a summary.
  const [who, user] = await Promise.all([readWho(ctx, key), ctx.users.getUser(key)]);
  return matchOf(who ?? (await whoFromIndex(ctx, key)), user);
}
