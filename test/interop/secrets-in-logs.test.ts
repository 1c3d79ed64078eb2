/**
 * No credential ever reaches a log. The local server runs with its access log on; an admin and
 * users go through everything that carries a secret (the admin bearer token, app passwords
 * generated and chosen, a console sign-in with its cookie and CSRF token, wrong passwords, a
 * full one-tap onboarding, a link of the old form whose token is in the path, CalDAV requests
 * with Basic credentials) and every line written to stdout or stderr, and every audit entry, is
 * searched for each secret in every form it travelled in.
 */
import plist from 'plist';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueAdminPassword } from '../../lambda/accounts/admins';
import { DynamoAuditStore } from '../../lambda/accounts/audit-store-dynamodb';
import { startInteropServer, type InteropServer } from '../helpers/server';

const ADMIN_TOKEN = 'logs-admin-token-9f8e7d6c5b4a3210';
const CHOSEN = 'chosen-password-Q7w!x2';
const IOS = 'iOS/18.2 (22C152) dataaccessd/1.0';

let server: InteropServer;
const captured: string[] = [];
const secrets = new Map<string, string>();
const before = process.env.CALDAV_ACCESS_LOG;

function capture() {
  const keep = (...args: unknown[]) => void captured.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.message}\n${a.stack}` : JSON.stringify(a))).join(' '));
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, method).mockImplementation(keep);
  // Loggers that write to the streams themselves (not through console) are caught here.
  const stream = (chunk: unknown) => (captured.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(stream as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(stream as typeof process.stderr.write);
}

/** A secret, and the forms it travels in: as is, in a Basic header, percent-encoded. */
function secret(name: string, value: string, user?: string) {
  secrets.set(name, value);
  secrets.set(`${name} (URL-encoded)`, encodeURIComponent(value));
  if (user) secrets.set(`${name} (Basic)`, Buffer.from(`${user}:${value}`).toString('base64'));
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
const json = { 'content-type': 'application/json' };

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(new URL(path, server.url), { method, headers, body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  process.env.CALDAV_ACCESS_LOG = '1';
  capture();
  server = await startInteropServer({ CRM_ADMIN_TOKEN: ADMIN_TOKEN });
  secret('admin token', ADMIN_TOKEN);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  vi.restoreAllMocks();
  if (before === undefined) delete process.env.CALDAV_ACCESS_LOG;
  else process.env.CALDAV_ACCESS_LOG = before;
});

describe('credentials in logs', () => {
  it('no log line and no audit entry holds a secret after every flow that carries one', async () => {
    // The admin token: users with a generated and a chosen password; a wrong token.
    const ana = JSON.parse((await call('POST', '/crm/v1/users', { ...bearer, ...json }, JSON.stringify({ email: 'ana@zillum.com', caldavEnabled: true, generatePassword: true }))).text);
    secret('generated app password', ana.data.appPassword, 'ana@zillum.com');
    expect((await call('POST', '/crm/v1/users', { ...bearer, ...json }, JSON.stringify({ email: 'bob@zillum.com', caldavEnabled: true, password: CHOSEN }))).status).toBe(201);
    secret('chosen password', CHOSEN, 'bob@zillum.com');
    secret('wrong admin token', 'wrong-admin-token-0123456789abcdef');
    expect((await call('GET', '/crm/v1/users', { authorization: 'Bearer wrong-admin-token-0123456789abcdef' })).status).toBe(401);

    // The console: a wrong password, a sign-in, its cookie and CSRF token, a forged token.
    const adminPassword = (await issueAdminPassword(server.app.admins!, 'boss@zillum.com', new Date())).password;
    secret('admin password', adminPassword);
    secret('wrong admin password', 'not-the-password-42');
    expect((await call('POST', '/crm/v1/session', json, JSON.stringify({ email: 'boss@zillum.com', password: 'not-the-password-42' }))).status).toBe(401);
    const signedIn = await call('POST', '/crm/v1/session', json, JSON.stringify({ email: 'boss@zillum.com', password: adminPassword }));
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = JSON.parse(signedIn.text).data.csrfToken as string;
    secret('session cookie', cookie.slice(cookie.indexOf('=') + 1));
    secret('CSRF token', csrf);
    secret('forged CSRF token', 'forged-csrf-token-value-123456');
    expect((await call('PATCH', '/crm/v1/users/ana@zillum.com', { cookie, ...json, 'x-csrf-token': csrf }, JSON.stringify({ name: 'Ana' }))).status).toBe(200);
    expect((await call('PATCH', '/crm/v1/users/ana@zillum.com', { cookie, ...json, 'x-csrf-token': 'forged-csrf-token-value-123456' }, '{}')).status).toBe(403);

    // A full one-tap onboarding: the link, the page, the check, the profile with a new password.
    const made = JSON.parse((await call('POST', '/crm/v1/users/ana@zillum.com/onboarding', { ...bearer, ...json }, '{}')).text);
    const link = new URL(made.data.url);
    const token = decodeURIComponent(link.hash.slice(1));
    secret('set-up link token', token);
    secret('set-up link secret part', token.split('.')[1]!);
    expect((await call('GET', link.pathname, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X)' })).status).toBe(200);
    expect((await call('POST', '/crm/v1/onboarding/check', json, JSON.stringify({ token }))).status).toBe(200);
    const profile = await call('POST', '/crm/v1/onboarding/profile', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ token }).toString());
    expect(profile.status).toBe(200);
    const onboarded = String((plist.parse(profile.text) as { PayloadContent: Array<Record<string, unknown>> }).PayloadContent[0]!.CalDAVPassword);
    secret('app password from the profile', onboarded, 'ana@zillum.com');

    // A link of the old form: its token in the path, as a scanner or an old mail would open it.
    const old = JSON.parse((await call('POST', '/crm/v1/users/bob@zillum.com/onboarding', { ...bearer, ...json }, '{}')).text);
    const oldToken = decodeURIComponent(new URL(old.data.url).hash.slice(1));
    secret('old-form link token', oldToken);
    expect((await call('GET', `/crm/v1/onboarding/${oldToken}`)).status).toBe(410);

    // CalDAV with Basic credentials, right and wrong; a browser at the root.
    expect((await call('PROPFIND', '/calendars/ana@zillum.com/crm/', { authorization: basic('ana@zillum.com', onboarded), depth: '0', 'user-agent': IOS })).status).toBe(207);
    expect((await call('PROPFIND', '/calendars/bob@zillum.com/crm/', { authorization: basic('bob@zillum.com', CHOSEN), depth: '0' })).status).toBe(207);
    expect((await call('PROPFIND', '/calendars/ana@zillum.com/crm/', { authorization: basic('ana@zillum.com', ana.data.appPassword), depth: '0' })).status).toBe(401);
    expect((await call('GET', '/', { accept: 'text/html' })).status).toBe(200);
    expect((await call('DELETE', '/crm/v1/session', { cookie, 'x-csrf-token': csrf })).status).toBe(204);

    // What was written: the access log has a line per request, the old link's token redacted.
    const lines = captured.join('\n').split('\n').filter((l) => l.trim());
    const requests = lines.filter((l) => l.includes('"message":"request"'));
    expect(requests.length, lines.join('\n')).toBeGreaterThanOrEqual(18);
    expect(requests.some((l) => l.includes('"path":"/crm/v1/onboarding/[redacted]"'))).toBe(true);
    expect(requests.some((l) => l.includes('"path":"/crm/v1/onboarding/profile"'))).toBe(true);

    const audit = (await new DynamoAuditStore(server.tables.doc, server.tables.tables.audit).list({ limit: 200 })).entries.map((e) => JSON.stringify(e));
    expect(audit.length).toBeGreaterThanOrEqual(8);
    for (const [name, value] of secrets) {
      for (const line of [...lines, ...audit]) expect(line.includes(value), `${name} in: ${line}`).toBe(false);
    }
    // Nor any header that carries one, whatever its value.
    for (const line of lines) expect(line, line).not.toMatch(/"(authorization|cookie|set-cookie|x-csrf-token)"\s*:/i);
  });
});
