/** One-time onboarding links through the CRM API, on DynamoDB Local (the users table's conditional write). */
import { createHash } from 'node:crypto';
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../lambda/accounts/passwords';
import type { ApiResponse } from '../../lambda/api/types';
import { OLIVIA, UMA, useFreshApi, type ApiHarness } from './harness';

let h: ApiHarness;
useFreshApi((harness) => (h = harness));

const HOST = { host: 'caldav.zillum.com', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' };

async function newLink(email = OLIVIA.email, body: unknown = {}) {
  const res = await h.call('POST', `/crm/v1/users/${email}/onboarding`, { as: 'admin', body, headers: HOST });
  return res;
}
/** The secret is the fragment: what the page's script reads and posts. */
const tokenOf = (url: string) => decodeURIComponent(new URL(url).hash.slice(1));
const form = { ...HOST, 'content-type': 'application/x-www-form-urlencoded' };
const landing = (): Promise<ApiResponse> => h.api({ method: 'GET', path: '/crm/v1/onboarding', query: {}, headers: HOST, body: '' });
const check = (token: string): Promise<ApiResponse> =>
  h.api({ method: 'POST', path: '/crm/v1/onboarding/check', query: {}, headers: { ...HOST, 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
const spend = (token: string, button: 'profile' | 'manual' = 'profile'): Promise<ApiResponse> =>
  h.api({ method: 'POST', path: `/crm/v1/onboarding/${button}`, query: {}, headers: form, body: new URLSearchParams({ token }).toString() });
const raw = (method: string, path: string): Promise<ApiResponse> => h.api({ method, path, query: {}, headers: form, body: '' });

describe('onboarding links', () => {
  it('the admin makes a link with its secret in the fragment; opening spends nothing; the profile button spends it and carries a fresh app password', async () => {
    const made = await newLink();
    expect(made.status).toBe(201);
    expect(made.json.data.url).toMatch(/^https:\/\/caldav\.zillum\.com\/crm\/v1\/onboarding#[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{24}$/);
    expect(Date.parse(made.json.data.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const token = tokenOf(made.json.data.url);

    for (let i = 0; i < 2; i++) {
      const page = await landing();
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('action="/crm/v1/onboarding/profile"');
      const checked = await check(token);
      expect(checked.status).toBe(200);
      expect(JSON.parse(checked.body).data.email).toBe(OLIVIA.email);
    }

    const profile = await spend(token);
    expect(profile.status).toBe(200);
    expect(profile.headers['content-type']).toBe('application/x-apple-aspen-config');
    const account = (plist.parse(profile.body) as { PayloadContent: Array<Record<string, unknown>> }).PayloadContent[0]!;
    expect(account).toMatchObject({ CalDAVHostName: 'caldav.zillum.com', CalDAVPort: 443, CalDAVUseSSL: true, CalDAVUsername: OLIVIA.email });
    const stored = await h.users.getUser(OLIVIA.email);
    expect(stored?.onboarding).toBeUndefined();
    expect(await verifyPassword(String(account.CalDAVPassword), stored!.passwordHash)).toBe(true);
    expect(await verifyPassword(OLIVIA.password, stored!.passwordHash)).toBe(false);

    // Used: the check, the profile and the manual settings all say so.
    const used = await check(token);
    expect(used.status).toBe(410);
    expect(JSON.parse(used.body).error.message).toContain('already used');
    expect((await spend(token)).status).toBe(410);
    expect((await spend(token, 'manual')).body).toContain('already used');
  });

  it('lets only the page\'s own script run: its hash in the CSP, no inline scripts otherwise, no framing', async () => {
    const page = await landing();
    const csp = page.headers['content-security-policy']!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(/script-src ([^;]*)/.exec(csp)![1]).toBe(`'sha256-${hash}'`);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/connect-src 'self'/);
    // The page names no link: it is the same for every one.
    expect((await landing()).body).toBe(page.body);
  });

  it('the manual button shows the settings as text, and works once', async () => {
    const token = tokenOf((await newLink(UMA.email)).json.data.url);
    const manual = await spend(token, 'manual');
    expect(manual.status).toBe(200);
    expect(manual.headers['content-type']).toBe('text/plain; charset=utf-8');
    const password = /Password: +(\S+)/.exec(manual.body)![1]!;
    expect(await verifyPassword(password, (await h.users.getUser(UMA.email))!.passwordHash)).toBe(true);
    expect((await spend(token, 'manual')).status).toBe(410);
  });

  it('two phones spending one link at once: exactly one gets a password', async () => {
    const token = tokenOf((await newLink(UMA.email)).json.data.url);
    const results = await Promise.all(Array.from({ length: 5 }, () => spend(token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410, 410, 410]);
  });

  it('a newer link replaces the older; an expired, tampered or missing one is refused', async () => {
    const first = tokenOf((await newLink(UMA.email)).json.data.url);
    const second = tokenOf((await newLink(UMA.email, { expiresInHours: 1 })).json.data.url);
    expect((await check(first)).status).toBe(410);
    expect((await check(`${second.slice(0, -1)}${second.endsWith('A') ? 'B' : 'A'}`)).status).toBe(410);
    expect((await check('not-a-token')).status).toBe(410);
    expect((await spend('')).status).toBe(410);
    expect((await h.api({ method: 'POST', path: '/crm/v1/onboarding/profile', query: {}, headers: form, body: '' })).status).toBe(400);
    const stored = (await h.users.getUser(UMA.email))!;
    await h.users.putUser({ ...stored, onboarding: { ...stored.onboarding!, expiresAt: new Date(Date.now() - 1000).toISOString() } });
    const expired = await spend(second);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('expired');
  });

  it('refuses a link in the old form (token in the path) with a clear page, and ends it: the token reached the access logs', async () => {
    const token = tokenOf((await newLink(UMA.email)).json.data.url);
    const old = await raw('GET', `/crm/v1/onboarding/${token}`);
    expect(old.status).toBe(410);
    expect(old.headers['content-type']).toMatch(/^text\/html/);
    expect(old.body).toContain('older version');
    expect(old.body).toContain('Ask your CRM admin for a new link');
    // Whoever read the token from a log finds it dead, by any route.
    expect((await check(token)).status).toBe(410);
    expect((await spend(token)).status).toBe(410);
    expect((await raw('POST', `/crm/v1/onboarding/${token}/profile`)).status).toBe(410);
    expect((await h.users.getUser(UMA.email))!.onboarding).toBeUndefined();
  });

  it('only the admin makes links, for an enabled user, with a sane lifetime', async () => {
    const made = await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'vera@crm.example', caldavEnabled: true, generatePassword: true } });
    const vera = { email: 'vera@crm.example', password: made.json.data.appPassword as string };
    expect((await h.call('POST', `/crm/v1/users/${vera.email}/onboarding`, { as: vera, body: {} })).status).toBe(403);
    expect((await newLink('nobody@crm.example')).status).toBe(404);
    expect((await newLink(UMA.email, { expiresInHours: 0 })).json.error.field).toBe('expiresInHours');
    expect((await newLink(UMA.email, { expiresInHours: 24 * 8 })).status).toBe(400);
    await h.call('PATCH', `/crm/v1/users/${UMA.email}`, { as: 'admin', body: { caldavEnabled: false } });
    const refused = await newLink(UMA.email);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('enable it first');
  });

  it('a link made before CalDAV was turned off does not work while it is off', async () => {
    const token = tokenOf((await newLink(OLIVIA.email)).json.data.url);
    await h.call('PATCH', `/crm/v1/users/${OLIVIA.email}`, { as: 'admin', body: { caldavEnabled: false } });
    const checked = await check(token);
    expect(checked.status).toBe(410);
    expect(JSON.parse(checked.body).error.message).toContain('turned off');
    expect((await spend(token)).body).toContain('turned off');
  });
});
