/**
 * The admin API as a door with more than a password: sign-in throttling and lockout per account
 * and per client address, the audit log of every change (and its page), re-enabling a user with
 * the password kept, time zones in their canonical spelling. On DynamoDB Local, with the stores
 * the App builds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminStore } from '../../lambda/accounts/admin-store-dynamodb';
import { issueAdminPassword } from '../../lambda/accounts/admins';
import { AuditLog } from '../../lambda/accounts/audit';
import { DynamoAuditStore } from '../../lambda/accounts/audit-store-dynamodb';
import { SignInThrottle } from '../../lambda/accounts/throttle';
import { DynamoThrottleStore } from '../../lambda/accounts/throttle-store-dynamodb';
import { verifyPassword } from '../../lambda/accounts/passwords';
import type { ApiResponse } from '../../lambda/api/types';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { ADMIN_TOKEN, apiOn, type ApiHarness } from './harness';

let t: TestTables;
let h: ApiHarness;
let admins: DynamoAdminStore;
let audit: DynamoAuditStore;
// Today's date: items past their TTL may be removed by the engine at any moment.
let clock = Math.floor(Date.now() / 60_000) * 60_000;
const now = () => new Date(clock);
const passwords: Record<string, string> = {};

beforeAll(async () => {
  t = await freshTables();
  admins = new DynamoAdminStore(t.doc, t.tables.admins);
  audit = new DynamoAuditStore(t.doc, t.tables.audit, 400, now);
  for (const email of ['boss@zillum.com', 'deputy@zillum.com', 'third@zillum.com']) passwords[email] = (await issueAdminPassword(admins, email, now())).password;
  h = await apiOn(t, { admins, now, throttle: new SignInThrottle(new DynamoThrottleStore(t.doc, t.tables.admins)), audit: new AuditLog(audit, now) });
});
afterAll(() => t?.drop());

const CONSOLE = { 'x-requested-with': 'crm-admin-console', 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15' };

function request(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<ApiResponse> {
  return h.api({ method, path, query: {}, headers: { ...CONSOLE, ...opts.headers }, body: opts.body === undefined ? '' : JSON.stringify(opts.body), sourceIp: opts.from ?? '198.51.100.20' });
}

const signIn = (email: string, password: string, from?: string) => request('POST', '/crm/v1/session', { body: { email, password }, from });
const json = (res: ApiResponse) => JSON.parse(res.body);
/** A second between actions, so the log's order is theirs. */
const tick = <T>(result: Promise<T>) => result.finally(() => (clock += 1000));

describe('sign-in throttling', () => {
  it('locks an account out after 5 failures in 15 minutes with 429, Retry-After and a clear message, even for the right password', async () => {
    for (let i = 0; i < 4; i++) expect((await signIn('boss@zillum.com', 'wrong-wrong-wrong')).status).toBe(401);
    const fifth = await signIn('boss@zillum.com', 'wrong-wrong-wrong');
    expect(fifth.status).toBe(429);
    expect(fifth.headers['retry-after']).toBe('900');
    expect(json(fifth).error).toEqual({ code: 'TOO_MANY_REQUESTS', message: 'Too many failed sign-ins for this account: try again in 15 minutes' });
    clock += 5 * 60_000;
    const right = await signIn('boss@zillum.com', passwords['boss@zillum.com']!);
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toBe('600');
    expect(json(right).error.message).toBe('Too many failed sign-ins for this account: try again in 10 minutes');
    expect(right.headers['set-cookie']).toBeUndefined();
    // Another admin at the same address is not locked out by it.
    expect((await signIn('deputy@zillum.com', passwords['deputy@zillum.com']!)).status).toBe(200);
    clock += 10 * 60_000;
    expect((await signIn('boss@zillum.com', passwords['boss@zillum.com']!)).status).toBe(200);
  });

  it('counts unknown e-mails too, so a lockout never tells whether an admin exists', async () => {
    for (let i = 0; i < 4; i++) expect((await signIn('nobody@zillum.com', 'guess-guess-guess', '198.51.100.30')).status).toBe(401);
    const locked = await signIn('nobody@zillum.com', 'guess-guess-guess', '198.51.100.30');
    expect(locked.status).toBe(429);
    expect(json(locked).error.message).toMatch(/this account/);
  });

  it('clears an account\'s count on success: failures must come in a row', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await signIn('third@zillum.com', 'nope-nope-nope', '198.51.100.40')).status).toBe(401);
      expect((await signIn('third@zillum.com', passwords['third@zillum.com']!, '198.51.100.40')).status).toBe(200);
    }
  });

  it('locks a client address out after 20 failures across accounts; other addresses still sign in', async () => {
    const from = '203.0.113.66';
    let last: ApiResponse | undefined;
    for (let i = 0; i < 20; i++) last = await signIn(`spray${i % 5}-${Math.floor(i / 5)}@zillum.com`, 'password-spray-1', from);
    expect(last!.status).toBe(429);
    expect(json(last!).error.message).toBe('Too many failed sign-ins for this network address: try again in 15 minutes');
    expect((await signIn('deputy@zillum.com', passwords['deputy@zillum.com']!, from)).status).toBe(429);
    expect((await signIn('deputy@zillum.com', passwords['deputy@zillum.com']!, '203.0.113.67')).status).toBe(200);
    clock += 16 * 60_000;
  });
});

describe('audit log', () => {
  const asAdmin = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${ADMIN_TOKEN}`, 'user-agent': 'curl/8.5.0', ...extra });

  it('records each change with who, how, whom, from where and when; never a secret', async () => {
    const since = now().toISOString();
    const created = await tick(request('POST', '/crm/v1/users', { body: { email: 'ana@zillum.com', caldavEnabled: true, generatePassword: true, timeZone: 'europe/berlin' }, headers: asAdmin(), from: '192.0.2.5' }));
    expect(created.status).toBe(201);
    const appPassword = json(created).data.appPassword as string;
    expect((await tick(request('POST', '/crm/v1/users/ana@zillum.com/onboarding', { body: {}, headers: asAdmin({ host: 'caldav.zillum.com' }), from: '192.0.2.5' }))).status).toBe(201);
    await tick(request('PATCH', '/crm/v1/users/ana@zillum.com', { body: { caldavEnabled: false }, headers: asAdmin(), from: '192.0.2.5' }));

    const page = await request('GET', '/crm/v1/audit', { headers: asAdmin() });
    expect(page.status).toBe(200);
    const entries = json(page).data.filter((e: { at: string }) => e.at >= since);
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['user.disable', 'link.create', 'user.create']);
    expect(entries[2]).toMatchObject({ actor: 'admin token', via: 'token', target: 'ana@zillum.com', from: '192.0.2.5', userAgent: 'curl/8.5.0', at: since });
    expect(entries[2].detail).toBe('CalDAV on; new app password; time zone Europe/Berlin');
    expect(entries[2].id.startsWith(`${since}#`)).toBe(true);
    expect(entries[1].detail).toBe('valid 24 h, replacing any earlier link');
    expect(entries[0].detail).toBeUndefined();
    expect(page.body).not.toContain(appPassword);
  });

  it('records console sign-ins, failures, lockouts and sign-outs under the admin\'s e-mail', async () => {
    const since = now().toISOString();
    await tick(signIn('deputy@zillum.com', 'not-it-not-it', '198.51.100.9'));
    const ok = await tick(signIn('deputy@zillum.com', passwords['deputy@zillum.com']!, '198.51.100.9'));
    const cookie = ok.headers['set-cookie']!.split(';')[0]!;
    const csrf = json(ok).data.csrfToken as string;
    const changed = await tick(request('PATCH', '/crm/v1/users/ana@zillum.com', { body: { name: 'Ana Lopez' }, headers: { cookie, 'x-csrf-token': csrf }, from: '198.51.100.9' }));
    expect(changed.status).toBe(200);
    await tick(request('DELETE', '/crm/v1/session', { headers: { cookie, 'x-csrf-token': csrf }, from: '198.51.100.9' }));
    const { entries } = await audit.list({ limit: 50 });
    const mine = entries.filter((e) => e.at >= since).reverse();
    expect(mine.map((e) => [e.action, e.actor, e.via, e.from])).toEqual([
      ['admin.sign-in-failed', 'deputy@zillum.com', 'console', '198.51.100.9'],
      ['admin.sign-in', 'deputy@zillum.com', 'console', '198.51.100.9'],
      ['user.update', 'deputy@zillum.com', 'console', '198.51.100.9'],
      ['admin.sign-out', 'deputy@zillum.com', 'console', '198.51.100.9'],
    ]);
    expect(mine[2]!.detail).toBe('name Ana Lopez');
    expect(JSON.stringify(mine)).not.toMatch(new RegExp([passwords['deputy@zillum.com'], cookie.split('=')[1], csrf].join('|')));
  });

  it('pages for the admin only, newest first, with a cursor', async () => {
    const first = await request('GET', '/crm/v1/audit', { headers: asAdmin() });
    const all = json(first).data as Array<{ id: string }>;
    const small = json(await h.api({ method: 'GET', path: '/crm/v1/audit', query: { limit: '2' }, headers: asAdmin(), body: '' }));
    expect(small.data.map((e: { id: string }) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    const next = json(await h.api({ method: 'GET', path: '/crm/v1/audit', query: { limit: '2', before: small.info.next }, headers: asAdmin(), body: '' }));
    expect(next.data.map((e: { id: string }) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    expect((await h.api({ method: 'GET', path: '/crm/v1/audit', query: { limit: '0' }, headers: asAdmin(), body: '' })).status).toBe(400);
    expect((await h.api({ method: 'GET', path: '/crm/v1/audit', query: { before: 'x' }, headers: asAdmin(), body: '' })).status).toBe(400);
    expect((await h.call('GET', '/crm/v1/audit')).status).toBe(403);
  });
});

describe('users', () => {
  it('re-enables with the password kept when no new one is asked for, and says so in the audit log', async () => {
    const made = await tick(h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'kim@zillum.com', caldavEnabled: true, generatePassword: true } }));
    const password = made.json.data.appPassword as string;
    expect(made.json.data.hasAppPassword).toBe(true);
    await tick(h.call('PATCH', '/crm/v1/users/kim@zillum.com', { as: 'admin', body: { caldavEnabled: false } }));
    const back = await tick(h.call('PATCH', '/crm/v1/users/kim@zillum.com', { as: 'admin', body: { caldavEnabled: true } }));
    expect(back.status).toBe(200);
    expect(back.json.data).toMatchObject({ caldavEnabled: true, hasAppPassword: true });
    expect(back.json.data.appPassword).toBeUndefined();
    expect(await verifyPassword(password, (await h.users.getUser('kim@zillum.com'))!.passwordHash)).toBe(true);
    expect((await h.call('GET', '/crm/v1/users/kim@zillum.com', { as: { email: 'kim@zillum.com', password } })).status).toBe(200);
    const [latest] = (await audit.list({ limit: 1 })).entries;
    expect(latest).toMatchObject({ action: 'user.enable', target: 'kim@zillum.com', detail: 'password kept' });
  });

  it('stores time zones as the zone database spells them, whatever the case typed', async () => {
    const made = await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'tz@zillum.com', timeZone: ' europe/berlin ' } });
    expect(made.json.data.timeZone).toBe('Europe/Berlin');
    expect((await h.users.getUser('tz@zillum.com'))!.timeZone).toBe('Europe/Berlin');
    const patched = await h.call('PATCH', '/crm/v1/users/tz@zillum.com', { as: 'admin', body: { timeZone: 'AMERICA/NEW_YORK' } });
    expect(patched.json.data.timeZone).toBe('America/New_York');
    for (const bad of ['Mars/Base', '+02:00', '']) {
      const refused = await h.call('PATCH', '/crm/v1/users/tz@zillum.com', { as: 'admin', body: { timeZone: bad } });
      expect(refused.status, bad).toBe(400);
      expect(refused.json.error.field).toBe('timeZone');
    }
  });
});
