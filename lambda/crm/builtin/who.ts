/**
 * Who answers to an e-mail address: the leads and contacts that carry it, kept per address in
 * one item (`email#<address> / who`) so that an attendee is matched with a key read, batched with
 * everything else a phone write reads, instead of a Query of the e-mail index and then the hits.
 *
 * The index items (`email#<address> / <Module>#<id>`) stay the truth the summary is built from.
 * Person writes keep the summary of every address they touch in the same transaction, guarded
 * by its version. An address without a summary (people saved before summaries existed, or one
 * nobody carries) is answered from the index once; the phone write that asked then stores what
 * it found, even "nobody", with a create-only write, so a person saved meanwhile always wins.
 */
import type { TransactItem } from '../../platform/dynamodb/retry';
import { queryAll } from '../../platform/dynamodb/paging';
import type { UserRecord } from '../../store/types';
import type { PersonMatch, PersonModule } from '../types';
import type { CrmContext } from './context';
import { emailPk, personKey } from './keys';
import { crmUserOf } from './users';


/** One lead or contact carrying the address. */
export interface Carrier {
  module: PersonModule;
  id: string;
  /** The person's Full_Name. */
  name: string;
  /** The person's Email (the address matched may be its Secondary_Email). */
  email: string;
}

export interface Who {
  carriers: Carrier[];
  /** Absent on a summary not stored yet. */
  ver?: number;
}

const MODULE_ORDER: Record<PersonModule, number> = { Leads: 0, Contacts: 1 };
const lower = (email: string) => email.trim().toLowerCase();

export const whoKey = (email: string) => ({ pk: emailPk(email), sk: 'who' });

/** Lead before contact, the oldest key first within a module (the index's own order). */
export const ordered = (carriers: Carrier[]) =>
  [...carriers].sort((a, b) => MODULE_ORDER[a.module] - MODULE_ORDER[b.module] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** The stored summary, or null when the address has none yet. */
export async function readWho(ctx: CrmContext, email: string): Promise<Who | null> {
  const item = await ctx.reader.get(ctx.table, whoKey(email));
  return item ? { carriers: (item.carriers as Carrier[] | undefined) ?? [], ver: Number(item.ver) } : null;
}

/** The summary as the e-mail index says it now: a Query, then the people it names. */
export async function whoFromIndex(ctx: CrmContext, email: string): Promise<Who> {
  const hits = await queryAll(ctx.doc, {
    TableName: ctx.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': emailPk(lower(email)) },
    ConsistentRead: true,
  });
  const refs = hits.filter((i) => i.module === 'Leads' || i.module === 'Contacts').map((i) => ({ module: i.module as PersonModule, id: String(i.id) }));
  const people = await Promise.all(refs.map(({ module, id }) => ctx.reader.get(ctx.table, personKey(module, id))));
  return {
    carriers: ordered(
      people.flatMap((p, i) => (p ? [{ ...refs[i]!, name: String(p.Full_Name ?? ''), email: typeof p.Email === 'string' && p.Email ? p.Email : lower(email) }] : [])),
    ),
  };
}

/** Lead, then contact, then a CRM user with that address; null for nobody. */
export function matchOf(who: Who, user: UserRecord | null): PersonMatch | null {
  const first = ordered(who.carriers)[0];
  if (first) return { type: first.module === 'Leads' ? 'lead' : 'contact', id: first.id, email: first.email, name: first.name };
  if (!user) return null;
  const u = crmUserOf(user);
  return { type: 'user', id: u.id, email: u.email, name: u.name };
}

/** Stores `who` for `email`: a new version of the one read, or a first one (create-only). */
export function whoWrite(ctx: CrmContext, email: string, who: Who): TransactItem {
  const next = (who.ver ?? 0) + 1;
  return {
    Put: {
      TableName: ctx.table,
      Item: { ...whoKey(lower(email)), carriers: ordered(who.carriers), ver: next },
      ...(who.ver === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'ver = :read', ExpressionAttributeValues: { ':read': who.ver } }),
    },
  };
}

/** The summaries of `emails` for a person write: stored ones, else built from the index. */
export async function whoForUpdate(ctx: CrmContext, emails: string[]): Promise<Map<string, Who>> {
  const stored = await Promise.all(emails.map((e) => readWho(ctx, e)));
  const built = await Promise.all(emails.map((e, i) => stored[i] ?? whoFromIndex(ctx, e)));
  return new Map(emails.map((e, i) => [e, built[i]!]));
}

/** `who` without (module, id), plus `carrier` when given. */
export function withCarrier(who: Who, module: PersonModule, id: string, carrier: Carrier | null): Who {
  const others = who.carriers.filter((c) => !(c.module === module && c.id === id));
  return { ...who, carriers: carrier ? [...others, carrier] : others };
}

export interface AttendeeLookup {
  matches: Map<string, PersonMatch | null>;
  /** Summaries found missing and built from the index, to store with the caller's transaction. */
  repairs: TransactItem[];
}

/** At most this many summaries stored by one phone write (a transaction takes 100 items). */
const MAX_REPAIRS = 40;

/**
 * Every address at once: its summary and the CRM user of that address, in one batch of key
 * reads; addresses without a summary then read the index (the first time only).
 */
export async function lookupAttendees(ctx: CrmContext, emails: string[]): Promise<AttendeeLookup> {
  const keys = [...new Set(emails.map(lower))];
  const [whos, users] = await Promise.all([Promise.all(keys.map((e) => readWho(ctx, e))), Promise.all(keys.map((e) => ctx.users.getUser(e)))]);
  const missing = keys.filter((_, i) => whos[i] === null);
  const built = new Map(await Promise.all(missing.map(async (e) => [e, await whoFromIndex(ctx, e)] as const)));
  const matches = new Map(keys.map((e, i) => [e, matchOf(whos[i] ?? built.get(e)!, users[i] ?? null)]));
  const repairs = [...built].slice(0, MAX_REPAIRS).map(([e, who]) => whoWrite(ctx, e, who));
  return { matches, repairs };
}
