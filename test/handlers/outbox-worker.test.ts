/**
 * The outbox stream's trigger on AWS (handlers/outbox-worker.ts), fed DynamoDB stream records as
 * Lambda hands them over, on DynamoDB Local with a memory CRM standing in for a hosted one.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lambda/app/build';
import { fixedApp } from '../../lambda/app/container';
import type { App } from '../../lambda/app/app';
import { put } from '../../lambda/core/methods/put';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { MemoryCrmConnector } from '../../lambda/crm/memory';
import { entryToDeliver, outboxWorkerHandler } from '../../lambda/handlers/outbox-worker';
import { freshTables, type TestTables } from '../helpers/dynamo';

const OWNER = { id: 'u1', email: 'ana@remote.example', name: 'Ana', timeZone: 'UTC' };
const ics = (uid: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:${uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', name: string, seq: string, revs: [string | undefined, string | undefined] = [undefined, '1']): DynamoDBRecord => ({
  eventName,
  dynamodb: {
    SequenceNumber: seq,
    Keys: { pk: { S: OWNER.email }, sk: { S: name } },
    ...(revs[0] ? { OldImage: { rev: { N: revs[0] } } } : {}),
    ...(revs[1] ? { NewImage: { rev: { N: revs[1] } } } : {}),
  },
});

let t: TestTables;
let crm: MemoryCrmConnector;
let app: App;
const handler = () => outboxWorkerHandler(fixedApp(app));
const phonePut = (name: string) =>
  put({ method: 'PUT', path: `/calendars/${OWNER.email}/crm/${name}`, headers: { 'content-type': 'text/calendar' }, body: ics(name.replace('.ics', '')) }, { user: { email: OWNER.email }, store: app.store, config: DEFAULT_CONFIG, now: app.now, onObjectChange: app.onObjectChange });

beforeAll(async () => {
  t = await freshTables();
  crm = new MemoryCrmConnector();
  crm.addUser(OWNER);
  app = buildApp({ env: { ...t.env, CRM_CONNECTOR: 'none' }, doc: t.doc, tables: t.tables, hostedCrm: crm, deliverInProcess: false });
});
afterAll(() => t.drop());

describe('the outbox stream trigger', () => {
  it('knows which records are writes to deliver: inserts and bumped revs, not a delivery\'s bookkeeping or removals', () => {
    expect(entryToDeliver(record('INSERT', 'a.ics', '1'))).toEqual({ owner: OWNER.email, name: 'a.ics' });
    expect(entryToDeliver(record('MODIFY', 'a.ics', '2', ['1', '2']))).toEqual({ owner: OWNER.email, name: 'a.ics' });
    expect(entryToDeliver(record('MODIFY', 'a.ics', '3', ['2', '2']))).toBeNull();
    expect(entryToDeliver(record('REMOVE', 'a.ics', '4', ['2', undefined]))).toBeNull();
  });

  it('delivers the entry a phone write committed, which nothing in the request delivered', async () => {
    expect((await phonePut('a.ics')).status).toBe(201);
    expect(await crm.listEvents(OWNER.email)).toEqual([]);
    const event: DynamoDBStreamEvent = { Records: [record('INSERT', 'a.ics', '10'), record('MODIFY', 'a.ics', '11', ['1', '1'])] };
    expect(await handler()(event)).toEqual({ batchItemFailures: [] });
    expect((await crm.listEvents(OWNER.email)).map((e) => e.caldav?.uid)).toEqual(['a']);
    expect(await app.crm!.outbox.list()).toEqual([]);
  });

  it('reports a failed delivery back for Lambda to retry, and keeps the entry with its error', async () => {
    expect((await phonePut('b.ics')).status).toBe(201);
    crm.available = false;
    expect(await handler()({ Records: [record('INSERT', 'b.ics', '20')] })).toEqual({ batchItemFailures: [{ itemIdentifier: '20' }] });
    expect(await app.crm!.outbox.list()).toEqual([expect.objectContaining({ name: 'b.ics', attempts: 1, lastError: expect.stringContaining('CrmUnavailable') })]);
    crm.available = true;
    expect(await handler()({ Records: [record('INSERT', 'b.ics', '21')] })).toEqual({ batchItemFailures: [] });
    expect((await crm.listEvents(OWNER.email)).map((e) => e.caldav?.uid).sort()).toEqual(['a', 'b']);
  });
});
