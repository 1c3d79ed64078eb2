/** What the admin console relies on in the CRM API: sign-in, the cookie and CSRF, paging, devices, its files. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryActivityStore } from '../../lambda/accounts/activity';
import { MemoryAdminStore, issueAdminPassword } from '../../lambda/accounts/admins';
import { consoleAssets } from '../../lambda/console/assets';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { OLIVIA, UMA, apiOn, type ApiHarness } from './harness';

const UMA_EMAIL = UMA.email;

let t: TestTables;
let h: ApiHarness;
let password: string;
const admins = new MemoryAdminStore();
const devices = new MemoryActivityStore();
const FILES = { 'index.html': '<!doctype html><title>console</title>', 'app.js': 'console.log(1)', 'app.css': 'body{}' };

beforeAll(async () => {
  t = await freshTables();
  password = (await issueAdminPassword(admins, 'boss@zillum.com', new Date())).password;
  h = await apiOn(t, { admins, devices, console: consoleAssets(FILES) });
});
afterAll(() => t?.drop());

const CONSOLE = { 'x-requested-with': 'crm-admin-console' };

async function signedIn() {
  const res = await h.call('POST', '/crm/v1/session', { as: null, body: { email: 'Boss@zillum.com', password }, headers: { 'x-forwarded-proto': 'https' } });
  expect(res.status).toBe(200);
  const cookie = res.headers['set-cookie']!.split(';')[0]!;
  return { cookie, csrf: res.json.data.csrfToken as string, setCookie: res.headers['set-cookie']! };
}

describe('console sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict, Secure session cookie and says who is signed in', async () => {
    const { cookie, csrf, setCookie } = await signedIn();
    expect(setCookie).toMatch(/^crm_admin_session=[^;]+; Path=\/crm; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/);
    const me = await h.call('GET', '/crm/v1/session', { as: null, headers: { cookie } });
    expect(me.json.data).toMatchObject({ email: 'boss@zillum.com', csrfToken: csrf });
  });

  it('refuses a wrong password with 401 and no Basic challenge for the console (no browser login pop-up)', async () => {
    const res = await h.call('POST', '/crm/v1/session', { as: null, body: { email: 'boss@zillum.com', password: 'nope-nope-nope' }, headers: CONSOLE });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['www-authenticate']).toBe('Bearer realm="crm-caldav"');
    // Other callers still learn they may use Basic.
    expect((await h.call('GET', '/crm/v1/users', { as: null })).headers['www-authenticate']).toMatch(/Basic realm/);
  });

  it('takes the sign-in as JSON only, so no other site can post a form to it', async () => {
    const res = await h.call('POST', '/crm/v1/session', { as: null, body: JSON.stringify({ email: 'boss@zillum.com', password }), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
  });

  it('lets the cookie act as the admin; unsafe calls need the CSRF header', async () => {
    const { cookie, csrf } = await signedIn();
    expect((await h.call('GET', '/crm/v1/users', { as: null, headers: { cookie } })).status).toBe(200);
    const body = { email: 'new@zillum.com', name: 'New' };
    const without = await h.call('POST', '/crm/v1/users', { as: null, headers: { cookie }, body });
    expect(without.status).toBe(403);
    expect(without.json.error.message).toMatch(/x-csrf-token/);
    expect((await h.call('POST', '/crm/v1/users', { as: null, headers: { cookie, 'x-csrf-token': 'forged' }, body })).status).toBe(403);
    expect(await h.users.getUser('new@zillum.com')).toBeNull();
    expect((await h.call('POST', '/crm/v1/users', { as: null, headers: { cookie, 'x-csrf-token': csrf }, body })).status).toBe(201);
  });

  it('ends the session on sign-out', async () => {
    const { cookie, csrf } = await signedIn();
    const out = await h.call('DELETE', '/crm/v1/session', { as: null, headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toMatch(/^crm_admin_session=; Path=\/crm; Max-Age=0;/);
    const after = await h.call('GET', '/crm/v1/users', { as: null, headers: { cookie, ...CONSOLE } });
    expect(after.status).toBe(401);
    // Why, so the console can say so: this one was signed out.
    expect(after.json.error).toMatchObject({ field: 'session', message: expect.stringMatching(/^Your session was ended \(signed out/) });
  });

  it('says why a session ended: expired after its 12 hours, or the account removed', async () => {
    const { cookie } = await signedIn();
    const expired = await apiOn(t, { admins, now: () => new Date(Date.now() + 13 * 3600_000) });
    const res = await expired.call('GET', '/crm/v1/session', { as: null, headers: { cookie, ...CONSOLE } });
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ field: 'session', message: expect.stringMatching(/expired \(a sign-in lasts 12 hours\)/) });
    await admins.deleteAccount('boss@zillum.com');
    const gone = await h.call('GET', '/crm/v1/users', { as: null, headers: { cookie, ...CONSOLE } });
    expect(gone.json.error.message).toMatch(/admin account no longer exists/);
    password = (await issueAdminPassword(admins, 'boss@zillum.com', new Date())).password;
    // No cookie at all is simply not signed in: nothing to explain.
    const none = await h.call('GET', '/crm/v1/session', { as: null, headers: CONSOLE });
    expect(none.json.error).toEqual({ code: 'AUTHENTICATION_FAILURE', message: 'Not signed in' });
  });
});

describe('GET /crm/v1/users paging and search', () => {
  it('pages by e-mail with a cursor and searches e-mail and name', async () => {
    for (const [email, name] of [['p1@zillum.com', 'Paula'], ['p2@zillum.com', 'Pedro'], ['p3@zillum.com', 'Quinn Paulsen']]) {
      await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email, name } });
    }
    const first = await h.call('GET', '/crm/v1/users', { as: 'admin', query: { q: 'paul', limit: '1' } });
    expect(first.json.data.map((u: { email: string }) => u.email)).toEqual(['p1@zillum.com']);
    expect(first.json.info).toEqual({ count: 1, total: 2, next: 'p1@zillum.com' });
    const second = await h.call('GET', '/crm/v1/users', { as: 'admin', query: { q: 'PAUL', limit: '1', after: first.json.info.next } });
    expect(second.json.data.map((u: { email: string }) => u.email)).toEqual(['p3@zillum.com']);
    expect(second.json.info).toEqual({ count: 1, total: 2 });
    expect((await h.call('GET', '/crm/v1/users', { as: 'admin', query: { limit: '0' } })).status).toBe(400);
    expect((await h.call('GET', '/crm/v1/users', { as: OLIVIA })).status).toBe(403);
  });
});

describe('GET /crm/v1/users/{email}/devices', () => {
  it('lists the devices of a user for the admin and the user themself, nobody else', async () => {
    await devices.record(OLIVIA.email, { userAgent: 'iOS/18.2 (22C152) dataaccessd/1.0', lastSeenAt: '2026-12-01T09:00:00.000Z', lastMethod: 'PROPFIND' });
    const res = await h.call('GET', `/crm/v1/users/${OLIVIA.email}/devices`, { as: 'admin' });
    expect(res.json.data).toEqual([{ userAgent: 'iOS/18.2 (22C152) dataaccessd/1.0', lastSeenAt: '2026-12-01T09:00:00.000Z', lastMethod: 'PROPFIND', client: 'iPhone or iPad', os: 'iOS 18.2' }]);
    expect((await h.call('GET', `/crm/v1/users/${OLIVIA.email}/devices`, { as: OLIVIA })).status).toBe(200);
    expect((await h.call('GET', '/crm/v1/users/uma@crm.example/devices', { as: OLIVIA })).status).toBe(403);
    expect((await h.call('GET', '/crm/v1/users/ghost@crm.example/devices', { as: 'admin' })).status).toBe(404);
  });
});

describe('GET /crm/v1/users?include=activity', () => {
  it('adds to each user of the page how many devices synced, when last, and the changes waiting for the CRM', async () => {
    await devices.record(UMA_EMAIL, { userAgent: 'DAVx5/4.3.9-ose (2023/12/11; dav4jvm; okhttp/4.12.0) Android/14', lastSeenAt: '2026-12-02T09:00:00.000Z', lastMethod: 'REPORT' });
    await devices.record(UMA_EMAIL, { userAgent: 'Thunderbird/128.5.0', lastSeenAt: '2026-12-03T09:00:00.000Z', lastMethod: 'PROPFIND' });
    const status = async () => ({ pending: 2, oldestPendingSince: '2026-12-01T00:00:00.000Z', users: [{ owner: UMA_EMAIL, pending: 2 }] });
    const withStatus = await apiOn(t, { admins, devices, status });
    const res = await withStatus.call('GET', '/crm/v1/users', { as: 'admin', query: { include: 'activity', q: 'crm.example' } });
    const byEmail = Object.fromEntries(res.json.data.map((u: { email: string }) => [u.email, u]));
    expect(byEmail[UMA_EMAIL]).toMatchObject({ devices: 2, lastSeenAt: '2026-12-03T09:00:00.000Z', pending: 2 });
    expect(byEmail[OLIVIA.email]).toMatchObject({ devices: 1, pending: 0 });
    // Without it, the list stays as it was; anything else is refused.
    expect((await withStatus.call('GET', '/crm/v1/users', { as: 'admin' })).json.data[0].devices).toBeUndefined();
    expect((await withStatus.call('GET', '/crm/v1/users', { as: 'admin', query: { include: 'secrets' } })).status).toBe(400);
  });
});

describe('GET /crm/admin/', () => {
  const get = (path: string, headers: Record<string, string> = {}) => h.api({ method: 'GET', path, query: {}, headers, body: '' });

  it('serves the page and its files with a strict policy, and the page for any view', async () => {
    const page = await get('/crm/admin/');
    expect(page.status).toBe(200);
    expect(page.body).toBe(FILES['index.html']);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'.*frame-ancestors 'none'/);
    expect((await get('/crm/admin/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/crm/admin/users')).body).toBe(FILES['index.html']);
    expect((await get('/crm/admin/secret.txt')).status).toBe(404);
    expect(await get('/crm/admin')).toMatchObject({ status: 308, headers: expect.objectContaining({ location: '/crm/admin/' }) });
  });

  it('answers 304 to a matching ETag', async () => {
    const first = await get('/crm/admin/app.css');
    expect((await get('/crm/admin/app.css', { 'if-none-match': first.headers.etag! })).status).toBe(304);
  });
});
