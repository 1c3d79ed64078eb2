/**
 * `npm run bench:zoho`: what one simulated day costs in Zoho API credits, and how fast a phone's
 * change reaches Zoho. The local server (the very Lambda handlers) with CRM_CONNECTOR=zoho on
 * DynamoDB Local, against the Zoho simulator (bin/zoho-sim) whose clock the App shares, so a day
 * passes in a minute:
 *
 * - N users (default 10), each with CalDAV enabled (its initial export) before the day starts;
 * - every 15 minutes, each phone polls as iOS does (PROPFIND getctag + sync-token, and a
 *   sync-collection REPORT when the ctag moved) and the scheduled pass runs (the deployed default);
 * - over the day, 10 changes per user from the phone: 2 creates, 7 edits, 1 delete;
 * - Zoho notifies our webhook of every write, our own included (its channel is org-wide);
 * - the events and tasks feeds are read as the scheduled pass decides (hourly while the channel lives).
 *
 * Credits are counted from the simulator's request log: each API call it answered costs 1 (every
 * call we make holds one record, facts §9); token refreshes go to the accounts server and cost none.
 * Delivery latency is wall time from the phone's 2xx to the change being visible in Zoho.
 *
 *   npm run bench:zoho -- [--users 10] [--json]
 */
import { parseArgs } from 'node:util';
import { freePort } from '../bin/dynamodb-local';
import { startLocalServer } from '../bin/local-server';
import { startZohoSimulator, type CallRecord } from '../bin/zoho-sim/index';
import { buildApp } from '../lambda/app/build';
import { runScheduledPass } from '../lambda/jobs/pass';
import { tableEnv } from '../lambda/store/dynamodb/client';
import { startEngine } from './engine';
import { BenchClient, syncTokenOf } from './http';
import { percentile } from './measure';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users);
if (!Number.isInteger(USERS) || USERS < 1) throw new Error(`--users must be a positive whole number, got ${args.users}`);

const TICK_MS = 15 * 60_000;
const TICKS = 96;
const CHANGES_PER_USER = 10;
/** Issue #22's targets. */
const TARGET_CREDITS_PER_USER = 50;
const TARGET_P95_MS = 5000;
const ADMIN_TOKEN = 'bench-zoho-admin-token-0123456789abcdef';
const START = Date.parse('2026-12-07T00:00:00Z');

const log = (line = '') => {
  if (!args.json) console.log(line);
};

const ics = (uid: string, summary: string) =>
  [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Apple Inc.//iPhone OS 18.1//EN',
    'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261207T090000Z', 'DTSTART;TZID=Europe/Berlin:20261214T090000', 'DTEND;TZID=Europe/Berlin:20261214T100000',
    `SUMMARY:${summary}`, 'BEGIN:VALARM', `UID:${uid}-A1`, 'TRIGGER:-PT15M', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');

const POLL = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>';
const syncReport = (token: string) =>
  `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;

/** What a call was for, for the breakdown. */
function purpose(call: CallRecord): string {
  const path = call.url.split('?')[0]!;
  if (/\/actions\/watch/.test(path)) return 'notification channel';
  if (/\/users/.test(path)) return 'org users';
  if (/\/settings\/fields/.test(path)) return 'field metadata';
  if (/\/Events\/deleted/.test(path)) return 'reconcile (deleted)';
  if (/\/Tasks\/deleted/.test(path)) return 'tasks reconcile (deleted)';
  if (call.method === 'GET' && /\/Tasks\/?$/.test(path)) return 'tasks reconcile / export (list)';
  if (call.method === 'GET' && /\/Events\/?$/.test(path) && call.url.includes('ids=')) return 'read by id (webhook, delivery)';
  if (call.method === 'GET' && /\/Events\/?$/.test(path)) return 'reconcile / export (list)';
  if (call.method === 'GET' && /\/Events\/\d+$/.test(path)) return 'read one (delivery)';
  if (call.method === 'POST' && /\/Events\/?$/.test(path)) return 'create';
  if (call.method === 'PUT') return 'update';
  if (call.method === 'DELETE') return 'delete';
  if (/\/(Leads|Contacts)\/search|\/coql/.test(path)) return 'attendee lookup';
  return `${call.method} ${path}`;
}

const charged = (c: CallRecord) => c.server === 'api' && c.status !== null && c.status !== 429 && c.status !== 401;

async function main(): Promise<void> {
  const engine = await startEngine(process.env, 'zb');
  const sim = await startZohoSimulator({ searchIndexDelayMs: 0, startAt: START, creditsPerDay: 1_000_000 });
  const stops: (() => Promise<unknown>)[] = [() => sim.stop(), () => engine.stop()];
  try {
    const port = await freePort();
    const env = {
      CALDAV_DYNAMODB_ENDPOINT: engine.endpoint,
      ...tableEnv(engine.tables),
      ...sim.connectorEnv(),
      CRM_ADMIN_TOKEN: ADMIN_TOKEN,
      ZOHO_NOTIFY_URL: `http://127.0.0.1:${port}/crm/zoho/notify`,
      ZOHO_DAILY_CREDITS: '1000000',
    };
    const app = buildApp({ env, doc: engine.doc, tables: engine.tables, now: () => new Date(sim.clock.now()), log: () => {} });
    const server = await startLocalServer({ port, app });
    stops.unshift(() => server.stop());
    const base = server.url.replace(/\/$/, '');
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(base + path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const settle = async () => {
      await sim.notifications.settled();
      await app.crm!.idle();
    };

    // Set-up (not part of the day): the org's users, the first pass (UID field, channel), CalDAV on.
    const emails = Array.from({ length: USERS }, (_, i) => `seller${i + 1}@zillum.com`);
    for (const email of emails) sim.state.addUser({ email, firstName: 'Seller', lastName: email.split('@')[0]!, timeZone: 'Europe/Berlin' });
    await runScheduledPass(app.jobDeps!);
    const phones: { email: string; client: BenchClient; calendar: string; ctag: string; token: string }[] = [];
    for (const email of emails) {
      const made = await admin('POST', '/crm/v1/users', { email, caldavEnabled: true, generatePassword: true });
      if (made.status !== 201) throw new Error(`enabling ${email}: ${made.status} ${await made.text()}`);
      const { appPassword } = ((await made.json()) as { data: { appPassword: string } }).data;
      const client = new BenchClient(base, `Basic ${Buffer.from(`${email}:${appPassword}`).toString('base64')}`);
      phones.push({ email, client, calendar: `/calendars/${email}/crm/`, ctag: '', token: '' });
    }
    // The enables started each user's initial export in this process: wait until all say done.
    for (const email of emails) {
      for (let i = 0; ; i++) {
        const progress = ((await (await admin('GET', `/crm/v1/users/${email}/export`)).json()) as { data: { state: string } }).data;
        if (progress.state === 'done') break;
        if (i > 600) throw new Error(`${email}'s export did not finish`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await settle();
    const setupCalls = sim.calls().length;

    // The day.
    const latencies: number[] = [];
    const visible = async (check: () => boolean, started: number) => {
      while (!check()) {
        if (performance.now() - started > 30_000) throw new Error('a change did not reach Zoho within 30 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - started);
    };
    const events = () => sim.state.records('Events');
    // Each user's 10 changes at evenly spread ticks, offset per user: create, 7 edits, create, delete.
    const changeAt = (tick: number, user: number) => (tick + user * 3) % Math.floor(TICKS / CHANGES_PER_USER) === 0 && Math.floor(tick / Math.floor(TICKS / CHANGES_PER_USER)) < CHANGES_PER_USER;
    const done = new Array<number>(USERS).fill(0);
    let passes = 0;
    let pollCalls = 0;
    for (let tick = 0; tick < TICKS; tick++) {
      sim.clock.advance(TICK_MS);
      for (const phone of phones) {
        const before = sim.calls().length;
        const poll = await phone.client.expect({ method: 'PROPFIND', path: phone.calendar, headers: { depth: '0', 'content-type': 'application/xml' }, body: POLL }, 207);
        const ctag = /getctag[^>]*>([^<]*)</.exec(poll.text)?.[1] ?? '';
        if (ctag !== phone.ctag) {
          const report = await phone.client.expect({ method: 'REPORT', path: phone.calendar, headers: { depth: '1', 'content-type': 'application/xml' }, body: syncReport(phone.token) }, 207);
          phone.token = syncTokenOf(report.text);
          phone.ctag = ctag;
        }
        pollCalls += sim.calls().length - before;
      }
      for (const [u, phone] of phones.entries()) {
        if (!changeAt(tick, u) || done[u]! >= CHANGES_PER_USER) continue;
        const n = done[u]!++;
        const uid = `bench-${u}-${n < 8 ? 'a' : 'b'}`;
        const path = `${phone.calendar}${uid}.ics`;
        const title = `Call ${u}.${n}`;
        const started = performance.now();
        if (n === 9) {
          const id = events().find((e) => e.Event_Title === `Call ${u}.8`)?.id;
          await phone.client.expect({ method: 'DELETE', path }, 204);
          await visible(() => !events().some((e) => e.id === id), started);
        } else {
          await phone.client.expect({ method: 'PUT', path, headers: { 'content-type': 'text/calendar; charset=utf-8' }, body: ics(uid, title) }, [201, 204]);
          await visible(() => events().some((e) => e.Event_Title === title), started);
        }
      }
      await runScheduledPass(app.jobDeps!);
      passes++;
      await settle();
    }

    const day = sim.calls().slice(setupCalls).filter(charged);
    const byPurpose = new Map<string, number>();
    for (const c of day) byPurpose.set(purpose(c), (byPurpose.get(purpose(c)) ?? 0) + 1);
    const perUser = day.length / USERS;
    const sorted = [...latencies].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    const changes = done.reduce((a, b) => a + b, 0);
    // Org-wide work (reconcile, channel, users) does not grow with users; the rest does.
    const fixed = [...byPurpose].filter(([p]) => /reconcile|channel|org users|field metadata/.test(p)).reduce((s, [, n]) => s + n, 0);
    const result = {
      users: USERS,
      polls: USERS * TICKS,
      changes,
      scheduledPasses: passes,
      credits: { total: day.length, perUser, orgWide: fixed, perUserMarginal: (day.length - fixed) / USERS, byPurpose: Object.fromEntries([...byPurpose].sort((a, b) => b[1] - a[1])) },
      pollCalls,
      deliveryMs: { p50: percentile(sorted, 50), p95, max: sorted.at(-1) ?? 0 },
      targets: { creditsPerUser: TARGET_CREDITS_PER_USER, p95Ms: TARGET_P95_MS },
    };
    if (args.json) console.log(JSON.stringify(result, null, 2));
    log(`Zoho, one simulated day: ${USERS} users, ${result.polls} polls, ${changes} phone changes, ${passes} scheduled passes (engine: ${engine.engine})`);
    log();
    log('| Credits | Day |');
    log('| --- | ---: |');
    for (const [p, n] of Object.entries(result.credits.byPurpose)) log(`| ${p} | ${n} |`);
    log(`| **total** | **${day.length}** |`);
    log();
    log(`Credits per user per day: ${perUser.toFixed(1)} (target ≤ ${TARGET_CREDITS_PER_USER}: ${perUser <= TARGET_CREDITS_PER_USER ? 'met' : 'NOT met'});`);
    log(`  = ${result.credits.perUserMarginal.toFixed(1)} per user + ${fixed} org-wide (reconcile, channel, users) shared by ${USERS}.`);
    log(`Phone change → visible in Zoho: p50 ${result.deliveryMs.p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${result.deliveryMs.max.toFixed(0)} ms (target p95 ≤ ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? 'met' : 'NOT met'}).`);
    log(`Zoho calls made while phones polled (PROPFIND, REPORT): ${pollCalls}.`);
  } finally {
    for (const stop of stops) await stop().catch((err: unknown) => console.error('cleanup:', err));
  }
}

await main();
