/** One-time onboarding links through the CRM API, on DynamoDB Local (the users table's conditional write). */
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
const pathOf = (url: string) => new URL(url).pathname;
const open = (path: string, method = 'GET', suffix = ''): Promise<ApiResponse> =>
  h.api({ method, path: `${path}${suffix}`, query: {}, headers: { ...HOST, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

describe('onboarding links', () => {
  it('the admin makes a link; opening it spends nothing; the profile button spends it and carries a fresh app password', async () => {
    const made = await newLink();
    expect(made.status).toBe(201);
    expect(made.json.data.url).toMatch(/^https:\/\/caldav\.zillum\.com\/crm\/v1\/onboarding\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{24}$/);
    expect(Date.parse(made.json.data.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const link = pathOf(made.json.data.url);

    for (let i = 0; i < 2; i++) {
      const page = await open(link);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain(OLIVIA.email);
      expect(page.body).toContain(`action="${link}/profile"`);
    }

    const profile = await open(link, 'POST', '/profile');
    expect(profile.status).toBe(200);
    expect(profile.headers['content-type']).toBe('application/x-apple-aspen-config');
    const account = (plist.parse(profile.body) as { PayloadContent: Array<Record<string, unknown>> }).PayloadContent[0]!;
    expect(account).toMatchObject({ CalDAVHostName: 'caldav.zillum.com', CalDAVPort: 443, CalDAVUseSSL: true, CalDAVUsername: OLIVIA.email });
    const stored = await h.users.getUser(OLIVIA.email);
    expect(stored?.onboarding).toBeUndefined();
    expect(await verifyPassword(String(account.CalDAVPassword), stored!.passwordHash)).toBe(true);
    expect(await verifyPassword(OLIVIA.password, stored!.passwordHash)).toBe(false);

    // Used: the page, the profile and the manual settings all say so.
    expect((await open(link)).status).toBe(410);
    expect((await open(link, 'POST', '/profile')).status).toBe(410);
    expect((await open(link, 'POST', '/manual')).body).toContain('already used');
  });

  it('the manual button shows the settings as text, and works once', async () => {
    const link = pathOf((await newLink(UMA.email)).json.data.url);
    const manual = await open(link, 'POST', '/manual');
    expect(manual.status).toBe(200);
    expect(manual.headers['content-type']).toBe('text/plain; charset=utf-8');
    const password = /Password: +(\S+)/.exec(manual.body)![1]!;
    expect(await verifyPassword(password, (await h.users.getUser(UMA.email))!.passwordHash)).toBe(true);
    expect((await open(link, 'POST', '/manual')).status).toBe(410);
  });

  it('two phones spending one link at once: exactly one gets a password', async () => {
    const link = pathOf((await newLink(UMA.email)).json.data.url);
    const results = await Promise.all(Array.from({ length: 5 }, () => open(link, 'POST', '/profile')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410, 410, 410]);
  });

  it('a newer link replaces the older; an expired or tampered one is refused', async () => {
    const first = pathOf((await newLink(UMA.email)).json.data.url);
    const second = pathOf((await newLink(UMA.email, { expiresInHours: 1 })).json.data.url);
    expect((await open(first)).status).toBe(410);
    expect((await open(`${second.slice(0, -1)}${second.endsWith('A') ? 'B' : 'A'}`)).status).toBe(410);
    expect((await open('/crm/v1/onboarding/not-a-token')).status).toBe(410);
    const stored = (await h.users.getUser(UMA.email))!;
    await h.users.putUser({ ...stored, onboarding: { ...stored.onboarding!, expiresAt: new Date(Date.now() - 1000).toISOString() } });
    const expired = await open(second, 'POST', '/profile');
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('expired');
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
    const link = pathOf((await newLink(OLIVIA.email)).json.data.url);
    await h.call('PATCH', `/crm/v1/users/${OLIVIA.email}`, { as: 'admin', body: { caldavEnabled: false } });
    const page = await open(link);
    expect(page.status).toBe(410);
    expect(page.body).toContain('turned off');
  });
});
