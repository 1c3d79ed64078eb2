/**
 * What the Zoho connector keeps on our side, in the CRM connector's table (schema.ts CRM_TABLE,
 * which the built-in CRM uses for its records when it is the CRM):
 *
 *   zoho#connection / oauth        credentials the console's "Connect to Zoho" stored
 *   zoho#consent    / <state>      an OAuth consent in flight (state → who started it, when)
 *   zoho#token      / access       the access token every container shares, its lease, recent mints
 *   zoho#event#<id> / link         the CalDAV link of a Zoho event: UID, name, iCalendar, reminder marks
 *   zoho#owner#<e>  / uid#<uid>    UID → Zoho event id, per owner
 *   zoho#task#<id>  / link         the CalDAV link of a Zoho task (the tasks list's VTODO)
 *   zoho#owner#<e>  / taskuid#<uid> UID → Zoho task id, per owner
 *   zoho#meta       / tasks        the org's Tasks picklists and UID field (connector tasks.ts)
 *   zoho#users      / all          the org's users (id, e-mail, name, zone, active), as last listed
 *   zoho#person#<e> / match        who an attendee address is in Zoho (lead, contact, user, nobody)
 *   zoho#meta       / events       what the org's Events fields look like (reminder shape, the UID field)
 *   zoho#channel    / watch        the notification channel: id, token hash, expiry
 *   zoho#credits    / day#<date>   API credits spent that day (UTC)
 *   zoho#status     / pass         the last reconcile and channel renewal, for the console
 */
import { deleteItem, putItem, updateItem } from '../../platform/dynamodb/document';
import type { DynamoDoc } from '../../platform/dynamodb/wire';
import type { KeyReader } from '../../platform/dynamodb/key-reader';
import { conditionally } from '../../platform/dynamodb/retry';
import type { CaldavLink, PersonMatch, TaskPicklists } from '../types';
import type { ZohoCredentials } from './config';

export interface StoredConnection extends ZohoCredentials {
  connectedAt: string;
  /** The admin who connected (console e-mail), or 'environment'. */
  connectedBy: string;
}

export interface TokenState {
  accessToken: string | null;
  apiDomain: string | null;
  /** Epoch ms the access token stops working. */
  expiresAt: number;
  /** Epoch ms of recent mints (Zoho allows 10 per 10 minutes per refresh token). */
  mints: number[];
  leaseHolder?: string;
  leaseUntil?: number;
  /** Zoho's refusal of the refresh token or client at the last refresh (cleared by the next success). */
  refused?: TokenRefusal;
}

/** When Zoho refused the credentials, and its error code (`invalid_code`, `invalid_client`, …). */
export interface TokenRefusal {
  at: number;
  error: string;
  /** Which credentials it refused (a digest of the client id and refresh token). */
  credentials?: string;
}

/** What we keep of a Zoho event: its CalDAV link, our last write, its deletion. */
export interface LinkState {
  owner: string;
  /** The CalDAV side, once the event has been on a phone (absent: the tombstone of a CRM-only event). */
  caldav?: CaldavLink;
  /** Zoho's Modified_Time of the record as our last write got it back. */
  zohoModified?: string;
  /** When we last wrote it (epoch ms, our clock): Zoho's versions are whole seconds. */
  writtenAt?: number;
  /** When the event was deleted (by us, or found gone from Zoho): the record stays as its tombstone. */
  deletedAt?: string;
  /** A task's completion as we were told it (Zoho's Closed_Time is its own, read-only). */
  closedAt?: string;
}

/** What the org's Tasks fields say: the picklists as the mapping uses them, our unique UID field. */
export interface TaskMeta {
  picklists: TaskPicklists;
  uidField: string | null;
  fetchedAt: string;
}

/** Whose link: an event's (the calendar) or a task's (the tasks list); their UIDs are indexed apart. */
export type LinkKind = 'event' | 'task';
const uidPrefix = (kind: LinkKind) => (kind === 'task' ? 'taskuid#' : 'uid#');

export interface ZohoUser {
  id: string;
  email: string;
  name: string;
  timeZone: string;
  active: boolean;
}

export interface FieldsMeta {
  /** Events' Remind_At: Zoho's array of {unit, period}, or an ALARM string. */
  remindAt: 'reminders' | 'alarm';
  /** API name of our custom unique field holding the CalDAV identity, or null when the org has none. */
  uidField: string | null;
  fetchedAt: string;
}

export interface ChannelState {
  channelId: string;
  tokenHash: string;
  expiresAt: string;
  notifyUrl: string;
  /** What it watches (`Events.create`, …); absent on a channel made before Tasks were watched: Events only. */
  events?: string[];
}

export interface PassStatus {
  lastReconcileAt?: string;
  lastChannelRenewalAt?: string;
  lastError?: string | null;
}

type Item = Record<string, unknown>;

const lower = (email: string) => email.trim().toLowerCase();

export class ZohoState {
  constructor(
    private readonly doc: DynamoDoc,
    private readonly table: string,
    private readonly reader: KeyReader,
  ) {}

  private get(pk: string, sk: string): Promise<Item | undefined> {
    return this.reader.get(this.table, { pk, sk });
  }

  private async put(pk: string, sk: string, value: Item): Promise<void> {
    await putItem(this.doc, { TableName: this.table, Item: { ...value, pk, sk } });
  }

  private async remove(pk: string, sk: string): Promise<void> {
    await deleteItem(this.doc, { TableName: this.table, Key: { pk, sk } });
  }

  private static strip<T>(item: Item | undefined): T | null {
    if (!item) return null;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as T;
  }

  // Connection and consent.
  async connection(): Promise<StoredConnection | null> {
    return ZohoState.strip<StoredConnection>(await this.get('zoho#connection', 'oauth'));
  }
  saveConnection(c: StoredConnection): Promise<void> {
    return this.put('zoho#connection', 'oauth', { ...c });
  }
  async forgetConnection(): Promise<void> {
    await Promise.all([this.remove('zoho#connection', 'oauth'), this.remove('zoho#token', 'access'), this.remove('zoho#channel', 'watch')]);
  }
  saveConsent(state: string, value: { accountsUrl: string; clientId: string; clientSecret: string; redirectUri: string; by: string; at: string }): Promise<void> {
    return this.put('zoho#consent', state, value);
  }
  /** The consent, once: a second callback with the same state finds nothing. */
  async takeConsent(state: string): Promise<{ accountsUrl: string; clientId: string; clientSecret: string; redirectUri: string; by: string; at: string } | null> {
    const out = await deleteItem(this.doc, { TableName: this.table, Key: { pk: 'zoho#consent', sk: state }, ReturnValues: 'ALL_OLD' });
    return ZohoState.strip(out.Attributes);
  }

  // The shared access token.
  async token(): Promise<TokenState | null> {
    return ZohoState.strip<TokenState>(await this.get('zoho#token', 'access'));
  }
  /** Takes the refresh lease if nobody holds it (or theirs ran out). */
  leaseToken(holder: string, now: number, until: number): Promise<boolean> {
    return conditionally(() =>
      updateItem(this.doc, {
        TableName: this.table,
        Key: { pk: 'zoho#token', sk: 'access' },
        UpdateExpression: 'SET leaseHolder = :h, leaseUntil = :until',
        ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseHolder = :h',
        ExpressionAttributeValues: { ':h': holder, ':until': until, ':now': now },
      }),
    );
  }
  /**
   * Stores a fresh token (or a failed attempt's mint) and lets the lease go. `refused`: Zoho's
   * refusal to record, or null to clear one (a token was issued); absent leaves it as it is.
   */
  async storeToken(holder: string, token: Pick<TokenState, 'accessToken' | 'apiDomain' | 'expiresAt' | 'mints'> & { refused?: TokenRefusal | null }): Promise<void> {
    const removeRefusal = token.refused === null ? ', refused' : '';
    await conditionally(() =>
      updateItem(this.doc, {
        TableName: this.table,
        Key: { pk: 'zoho#token', sk: 'access' },
        UpdateExpression: `SET accessToken = :t, apiDomain = :d, expiresAt = :e, mints = :m${token.refused ? ', refused = :r' : ''} REMOVE leaseHolder, leaseUntil${removeRefusal}`,
        ConditionExpression: 'leaseHolder = :h',
        ExpressionAttributeValues: { ':t': token.accessToken, ':d': token.apiDomain, ':e': token.expiresAt, ':m': token.mints, ':h': holder, ...(token.refused ? { ':r': token.refused } : {}) },
      }),
    );
  }

  /** Zoho refused this token: every container refreshes (unless another did already). */
  async expireToken(accessToken: string): Promise<void> {
    await conditionally(() =>
      updateItem(this.doc, {
        TableName: this.table,
        Key: { pk: 'zoho#token', sk: 'access' },
        UpdateExpression: 'SET expiresAt = :zero',
        ConditionExpression: 'accessToken = :t',
        ExpressionAttributeValues: { ':zero': 0, ':t': accessToken },
      }),
    );
  }

  // Links between Zoho events (or tasks: `kind`) and CalDAV objects.
  async link(id: string, kind: LinkKind = 'event'): Promise<LinkState | null> {
    return ZohoState.strip<LinkState>(await this.get(`zoho#${kind}#${id}`, 'link'));
  }
  async links(ids: string[], kind: LinkKind = 'event'): Promise<Map<string, LinkState>> {
    const found = await Promise.all(ids.map(async (id) => [id, await this.link(id, kind)] as const));
    return new Map(found.filter((e): e is readonly [string, LinkState] => e[1] !== null));
  }
  async idByUid(owner: string, uid: string, kind: LinkKind = 'event'): Promise<string | null> {
    const item = await this.get(`zoho#owner#${lower(owner)}`, `${uidPrefix(kind)}${uid}`);
    return item ? String(item.id) : null;
  }
  async saveLink(id: string, link: LinkState, previous?: LinkState | null, kind: LinkKind = 'event'): Promise<void> {
    const owner = lower(link.owner);
    const uid = link.caldav?.uid;
    const before = previous?.caldav?.uid;
    await Promise.all([
      this.put(`zoho#${kind}#${id}`, 'link', { ...link, owner }),
      uid ? this.put(`zoho#owner#${owner}`, `${uidPrefix(kind)}${uid}`, { id }) : undefined,
      // The record moved to another owner or UID: the old index entry goes.
      previous && before && (lower(previous.owner) !== owner || before !== uid) ? this.remove(`zoho#owner#${lower(previous.owner)}`, `${uidPrefix(kind)}${before}`) : undefined,
    ]);
  }
  /** The record is gone: its UID is free again, its link stays as the tombstone a deletion is told by. */
  async buryLink(id: string, link: LinkState, at: string, kind: LinkKind = 'event'): Promise<void> {
    await Promise.all([
      this.put(`zoho#${kind}#${id}`, 'link', { ...link, owner: lower(link.owner), deletedAt: at }),
      link.caldav ? this.remove(`zoho#owner#${lower(link.owner)}`, `${uidPrefix(kind)}${link.caldav.uid}`) : undefined,
    ]);
  }

  // The org's users and who attendee addresses are.
  async users(): Promise<{ users: ZohoUser[]; fetchedAt: string } | null> {
    return ZohoState.strip(await this.get('zoho#users', 'all'));
  }
  saveUsers(users: ZohoUser[], fetchedAt: string): Promise<void> {
    return this.put('zoho#users', 'all', { users, fetchedAt });
  }
  async person(email: string): Promise<{ match: PersonMatch | null; fetchedAt: string } | null> {
    return ZohoState.strip(await this.get(`zoho#person#${lower(email)}`, 'match'));
  }
  savePerson(email: string, match: PersonMatch | null, fetchedAt: string): Promise<void> {
    return this.put(`zoho#person#${lower(email)}`, 'match', { match, fetchedAt });
  }

  // The org's Events fields.
  async fieldsMeta(): Promise<FieldsMeta | null> {
    return ZohoState.strip<FieldsMeta>(await this.get('zoho#meta', 'events'));
  }
  saveFieldsMeta(meta: FieldsMeta): Promise<void> {
    return this.put('zoho#meta', 'events', { ...meta });
  }

  // The org's Tasks fields.
  async taskMeta(): Promise<TaskMeta | null> {
    return ZohoState.strip<TaskMeta>(await this.get('zoho#meta', 'tasks'));
  }
  saveTaskMeta(meta: TaskMeta): Promise<void> {
    return this.put('zoho#meta', 'tasks', { ...meta });
  }

  // The notification channel.
  async channel(): Promise<ChannelState | null> {
    return ZohoState.strip<ChannelState>(await this.get('zoho#channel', 'watch'));
  }
  saveChannel(c: ChannelState): Promise<void> {
    return this.put('zoho#channel', 'watch', { ...c });
  }

  // Credits.
  /** Adds `n` to the day's count; the new total. */
  async spend(day: string, n: number): Promise<number> {
    const out = await updateItem(this.doc, {
      TableName: this.table,
      Key: { pk: 'zoho#credits', sk: `day#${day}` },
      UpdateExpression: 'ADD used :n',
      ExpressionAttributeValues: { ':n': n },
      ReturnValues: 'UPDATED_NEW',
    });
    return Number(out.Attributes?.used ?? n);
  }
  async creditsOn(day: string): Promise<number> {
    return Number((await this.get('zoho#credits', `day#${day}`))?.used ?? 0);
  }

  // What the console reports.
  async passStatus(): Promise<PassStatus> {
    return ZohoState.strip<PassStatus>(await this.get('zoho#status', 'pass')) ?? {};
  }
  /** Sets what `status` names; fields left undefined keep their value. */
  async notePass(status: PassStatus): Promise<void> {
    const current = await this.passStatus();
    const given = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
    await this.put('zoho#status', 'pass', { ...current, ...given });
  }
}
