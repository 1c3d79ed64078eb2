/**
 * The scheduled jobs on fresh DynamoDB Local tables: built-in CRM, calendar store, outbox, the
 * CRM -> CalDAV listener and the jobs table, with a clock the test moves.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { composeApp, type App } from '../../lambda/app/app';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { BuiltinCrm, crmUserOf } from '../../lambda/crm/builtin';
import { eventKey, ownerEventKey } from '../../lambda/crm/builtin/keys';
import { spanOfEvent } from '../../lambda/crm/builtin/span';
import { draft } from '../crm/builtin/helpers';
import type { CrmEvent, CrmEventDraft } from '../../lambda/crm/types';
import type { JobDeps } from '../../lambda/jobs/deps';
import { DynamoJobStore } from '../../lambda/jobs/job-store-dynamodb';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import type { UserRecord } from '../../lambda/store/types';
import { DynamoOutbox } from '../../lambda/sync/outbox-dynamodb';
import { freshTables, type TestTables } from '../helpers/dynamo';

export const PAT = 'patriciab@zillum.com';
export const SAM = 'sam@zillum.com';
/** Enabled on 25 November 2026, 11:00 in Berlin: the window is 1 October 00:00 .. 26 November 00:00. */
export const ENABLED_AT = '2026-11-25T10:00:00.000Z';

export const user = (email: string, extra: Partial<UserRecord> = {}): UserRecord => ({
  email,
  passwordHash: '',
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  enabledAt: ENABLED_AT,
  name: email.split('@')[0],
  timeZone: 'Europe/Berlin',
  ...extra,
});

export const event = (owner: string, start: string, end: string, extra: Partial<CrmEventDraft> = {}): CrmEventDraft =>
  draft({ Event_Title: `at ${start}`, Start_DateTime: start, End_DateTime: end, Owner: { id: owner, email: owner, name: owner.split('@')[0]! }, ...extra });

export interface JobWorld {
  t: TestTables;
  /** The composed App: its writeAlongside and onObjectChange are the phone side's doors into the bridge. */
  app: App;
  deps: JobDeps;
  crm: BuiltinCrm;
  users: DynamoUserStore;
  store: DynamoCalendarStore;
  outbox: DynamoOutbox;
  jobs: DynamoJobStore;
  clock: { now: Date };
  /** Saves straight into the CRM's store: no API, no listener. */
  save(draft: CrmEventDraft): Promise<CrmEvent>;
  /**
   * Writes events straight into the CRM table as a bulk import would (records and owner index,
   * no change feed), much faster than one transaction per event.
   */
  bulkLoad(drafts: CrmEventDraft[]): Promise<CrmEvent[]>;
  /** UIDs in a user's calendar. */
  uids(owner: string): Promise<string[]>;
}

export async function jobWorld(records: UserRecord[] = [user(PAT), user(SAM)]): Promise<JobWorld> {
  const t = await freshTables();
  const clock = { now: new Date('2026-11-25T12:00:00.000Z') };
  const now = () => clock.now;
  const users = new DynamoUserStore(t.doc, t.tables.users);
  for (const r of records) await users.putUser(r);
  const crm = new BuiltinCrm(t.doc, { table: t.tables.crm, users, now });
  // As shipped: the built-in CRM joins the calendar's transaction for phone writes.
  const store = new DynamoCalendarStore(t.doc, { events: t.tables.events, sync: t.tables.sync }, { retentionSeconds: 30 * 86_400, now, participant: crm.participant() });
  const outbox = new DynamoOutbox(t.doc, t.tables.outbox);
  const jobs = new DynamoJobStore(t.doc, t.tables.jobs);
  const app = composeApp({ config: DEFAULT_CONFIG, now, users, store, jobs, bridge: { connector: crm, outbox, delivery: 'in-transaction' } });
  const deps: JobDeps = app.jobDeps!;
  return {
    t,
    app,
    deps,
    crm,
    users,
    store,
    outbox,
    jobs,
    clock,
    save: (draft) => crm.upsertEvent(draft),
    async bulkLoad(drafts) {
      const at = clock.now.toISOString();
      const events: CrmEvent[] = drafts.map((d) => ({ ...d, id: randomUUID(), Created_Time: at, Modified_Time: at, Deleted: false, caldav: null }));
      const items: Array<Record<string, unknown>> = [];
      for (const e of events) {
        const span = spanOfEvent(e, crmUserOf((await users.getUser(e.Owner.email))!));
        items.push({ ...eventKey(e.id), ...e, ...span }, { ...ownerEventKey(e.Owner.email, e.id), id: e.id, Modified_Time: at, Deleted: false, ...span });
      }
      const batches = [];
      for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
      for (let i = 0; i < batches.length; i += 8) {
        await Promise.all(
          batches.slice(i, i + 8).map(async (batch) => {
            let requests = batch.map((Item) => ({ PutRequest: { Item } }));
            while (requests.length) {
              const res = await t.doc.send(new BatchWriteCommand({ RequestItems: { [t.tables.crm]: requests } }));
              requests = (res.UnprocessedItems?.[t.tables.crm] ?? []) as typeof requests;
            }
          }),
        );
      }
      return events;
    },
    async uids(owner) {
      const names = (await store.listObjects(owner)).map((o) => o.name);
      return (await store.getObjects(owner, names)).map((o) => o.uid).sort();
    },
  };
}
