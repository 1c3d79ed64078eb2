/**
 * The initial export and reconciliation as a phone sees them: tsdav (a real CalDAV client) syncs
 * the calendar of a user whose CRM already has events, before and after a scheduled pass, on the
 * local server with DynamoDB Local and the jobs wired from the server's environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAVClient, calendarMultiGet, type DAVCalendar, type DAVCalendarObject } from 'tsdav';
import { BuiltinCrm } from '../../lambda/crm/builtin';
import { uidForCrmId } from '../../lambda/crm/mapping';
import type { CrmEvent } from '../../lambda/crm/types';
import type { JobDeps } from '../../lambda/jobs/deps';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { fixture, startInteropServer, type InteropServer, type TestUser } from '../helpers/server';
import { event } from '../jobs/world';

const EMAIL = 'patriciab@zillum.com';
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

let server: InteropServer;
let user: TestUser;
let client: DAVClient;
let crm: BuiltinCrm;
let jobs: JobDeps;
let local: DAVCalendar & { objects: DAVCalendarObject[]; objectMultiGet: typeof calendarMultiGet };
const saved: CrmEvent[] = [];

const nameOf = (o: { url: string }) => decodeURIComponent(new URL(o.url, server.url).pathname).split('/').pop()!;

async function sync() {
  const result = await client.smartCollectionSyncDetailed({ collection: local, method: 'webdav' });
  local = { ...local, objects: [...result.objects.created, ...result.objects.updated, ...local.objects.filter((o) => !result.objects.updated.some((u) => u.url === o.url))], syncToken: result.syncToken };
  return result.objects;
}

beforeAll(async () => {
  server = await startInteropServer();
  user = await server.addUser(EMAIL);
  const record = (await server.users.getUser(EMAIL))!;
  await server.users.putUser({ ...record, enabledAt: new Date().toISOString(), timeZone: 'Europe/Berlin', name: 'Patricia B' });
  crm = new BuiltinCrm(server.tables.doc, { table: server.tables.tables.crm, users: server.users });
  await crm.savePerson({ module: 'Contacts', First_Name: 'Dana', Last_Name: 'Client', Email: 'dana@client.example' });
  const now = Date.now();
  const past = [2 * HOUR, 26 * HOUR, 72 * HOUR];
  for (const ago of past) {
    saved.push(
      await crm.upsertEvent(
        event(EMAIL, iso(now - ago), iso(now - ago + HOUR), {
          Event_Title: `Client call ${ago / HOUR}h ago`,
          Remind_At: 15,
          Participants: [{ type: 'email', participant: 'dana@client.example', Email: 'dana@client.example' }],
        }),
      ),
    );
  }
  // The day after tomorrow is past the end of the enable day: not exported.
  saved.push(await crm.upsertEvent(event(EMAIL, iso(now + 48 * HOUR), iso(now + 49 * HOUR), { Event_Title: 'Later' })));
  jobs = server.app.jobDeps!;

  client = new DAVClient({ serverUrl: server.url, credentials: { username: user.email, password: user.password }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  await client.login();
  const [calendar] = await client.fetchCalendars();
  local = { ...calendar!, objects: await client.fetchCalendarObjects({ calendar: calendar! }), objectMultiGet: calendarMultiGet };
});
afterAll(async () => {
  await server?.stop();
});

describe('initial export seen by a syncing client', () => {
  it('the phone starts empty and its own event reaches the CRM', async () => {
    expect(local.objects).toHaveLength(0);
    const ics = fixture('interop', 'ios-event.ics');
    expect((await client.createCalendarObject({ calendar: local, iCalString: ics, filename: 'phone-made.ics' })).status).toBe(201);
    await sync();
    expect(local.objects.map(nameOf)).toEqual(['phone-made.ics']);
  });

  it('after a scheduled pass, one sync-collection brings the three CRM events of the window with attendee and alarm', async () => {
    const report = await runScheduledPass(jobs);
    // The phone-made event (January 2025) is outside the window; its CRM copy is not exported back.
    expect(report.exports).toMatchObject([{ email: EMAIL, outcome: 'done' }]);
    const changes = await sync();
    expect(changes.created.map(nameOf).sort()).toEqual(saved.slice(0, 3).map((e) => `${uidForCrmId(e.id)}.ics`).sort());
    expect(changes.updated).toHaveLength(0);
    expect(changes.deleted).toHaveLength(0);
    for (const o of changes.created) {
      const unfolded = String(o.data).replace(/\r\n[ \t]/g, '');
      expect(unfolded).toMatch(/ATTENDEE[^\r\n]*mailto:dana@client\.example/);
      expect(unfolded).toContain('TRIGGER:-PT15M');
    }
    expect(local.objects.map(nameOf)).not.toContain(`${uidForCrmId(saved[3]!.id)}.ics`);
  });

  it('a second pass changes nothing the phone would fetch', async () => {
    const before = (await client.fetchCalendars())[0]!.ctag;
    await runScheduledPass(jobs);
    expect((await client.fetchCalendars())[0]!.ctag).toBe(before);
    const changes = await sync();
    expect([changes.created, changes.updated, changes.deleted].map((l) => l.length)).toEqual([0, 0, 0]);
  });

  it('an edit written straight into the CRM table reaches the phone through reconciliation', async () => {
    const target = saved[0]!;
    await crm.upsertEvent({ ...(await crm.getEvent(target.id))!, Event_Title: 'Client call (moved by an import)' });
    await runScheduledPass(jobs);
    const changes = await sync();
    expect(changes.updated.map(nameOf)).toEqual([`${uidForCrmId(target.id)}.ics`]);
    expect(String(changes.updated[0]!.data)).toContain('SUMMARY:Client call (moved by an import)');
  });
});
