/**
 * The listing index on DynamoDB Local (store/dynamodb/summaries.ts): written with every object,
 * read by listings in place of the objects, and built once for calendars written before it.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../../lambda/store/dynamodb/calendar-store';
import { summaryKey } from '../../../lambda/store/dynamodb/items';
import type { ObjectWrite } from '../../../lambda/store/types';
import { freshTables, type TestTables } from '../../helpers/dynamo';
import { wireFor } from '../../../lambda/platform/dynamodb/wire';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(() => t?.drop());

let n = 0;
const owner = () => `owner${++n}@x.example`;
const store = () => new DynamoCalendarStore(t.doc, { events: t.tables.events, sync: t.tables.sync });
const object = (name: string, etag = `"${Buffer.from(name).toString('base64url')}"`): ObjectWrite => ({
  name,
  uid: name,
  etag,
  ics: `BEGIN:VCALENDAR\r\nUID:${name}\r\nEND:VCALENDAR\r\n`,
  lastModified: '2026-12-01T09:00:00.123Z',
  size: 40,
  rangeStart: 1_000,
  rangeEnd: null,
  recurring: false,
});
const summaryOf = ({ name, etag, lastModified, size, rangeStart, rangeEnd }: ObjectWrite) => ({ name, etag, lastModified, size, rangeStart, rangeEnd });
const sortedByName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
const summaryItems = async (o: string) =>
  (await t.doc.send(new QueryCommand({ TableName: t.tables.events, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': o, ':p': 'sum#' }, ConsistentRead: true }))).Items ?? [];

/** The calendar as an older release left it: objects without summaries, not marked. */
async function asLegacy(o: string) {
  for (const item of await summaryItems(o)) await t.doc.send(new DeleteCommand({ TableName: t.tables.events, Key: { pk: item.pk, sk: item.sk } }));
  await t.doc.send(new UpdateCommand({ TableName: t.tables.sync, Key: { pk: o, seq: 0 }, UpdateExpression: 'REMOVE summarized' }));
}

describe('summary items', () => {
  it('are written, replaced and removed with their objects, and list exactly what the objects say', async () => {
    const o = owner();
    const s = store();
    const odd = object('odd.ics', 'W/"not-base64!"');
    await s.putObject(o, object('a.ics'));
    await s.putObject(o, odd);
    await s.putObject(o, { ...object('a.ics', '"bmV3"'), rangeEnd: 5_000 });
    await s.importObjects(o, [object('b.ics'), object('c.ics')]);
    await s.deleteObject(o, 'c.ics');
    const want = [summaryOf({ ...object('a.ics', '"bmV3"'), rangeEnd: 5_000 }), summaryOf(object('b.ics')), summaryOf(odd)];
    expect(sortedByName(await store().listObjects(o))).toEqual(want);
    expect(await summaryItems(o)).toHaveLength(3);
    // A base64url ETag is stored as its bytes; anything else as text.
    expect((await summaryItems(o)).find((i) => i.sk === 'sum#a.ics')?.e).toBeInstanceOf(Uint8Array);
    expect((await summaryItems(o)).find((i) => i.sk === 'sum#odd.ics')?.e).toBe('W/"not-base64!"');
  });

  it('a calendar written before them is listed from its objects until summarize builds them', async () => {
    const o = owner();
    const s = store();
    await s.putObject(o, object('a.ics'));
    await s.putObject(o, object('b.ics'));
    await asLegacy(o);
    // A stale summary left by a build that a deletion raced.
    await t.doc.send(new UpdateCommand({ TableName: t.tables.events, Key: summaryKey(o, 'gone.ics'), UpdateExpression: 'SET e = :e, m = :m, z = :z', ExpressionAttributeValues: { ':e': 'x', ':m': 0, ':z': 1 } }));
    const fresh = store();
    expect(sortedByName(await fresh.listObjects(o))).toEqual([summaryOf(object('a.ics')), summaryOf(object('b.ics'))]);
    expect(await fresh.summarize(o)).toBe(true);
    expect((await summaryItems(o)).map((i) => i.sk).sort()).toEqual(['sum#a.ics', 'sum#b.ics']);
    expect(sortedByName(await store().listObjects(o))).toEqual([summaryOf(object('a.ics')), summaryOf(object('b.ics'))]);
    expect(await store().summarize(o)).toBe(true);
  });

  it('does not mark a calendar written to during the build: the next build does', async () => {
    const o = owner();
    const s = store();
    await s.putObject(o, object('a.ics'));
    await asLegacy(o);
    // The write lands while the build reads the objects, after its counter read.
    let raced = false;
    const unhook = wireFor(t.doc).use(async (operation, input, next) => {
      const values = input.ExpressionAttributeValues as Record<string, { S?: string }> | undefined;
      if (!raced && operation === 'Query' && values?.[':prefix']?.S === 'obj#') {
        raced = true;
        await s.putObject(o, object('b.ics'));
      }
      return next();
    });
    try {
      expect(await store().summarize(o)).toBe(false);
    } finally {
      unhook();
    }
    expect(raced).toBe(true);
    expect(await store().summarize(o)).toBe(true);
    expect(sortedByName(await store().listObjects(o))).toEqual([summaryOf(object('a.ics')), summaryOf(object('b.ics'))]);
  });
});
