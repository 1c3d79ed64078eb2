/**
 * The one-tap set-up end to end over HTTP: the admin asks the running server for a link, the
 * phone's browser opens it and downloads the profile, and a real CalDAV client (tsdav) connects
 * with exactly what the profile says.
 */
import plist from 'plist';
import { DAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInteropServer, type InteropServer } from '../helpers/server';

const ADMIN_TOKEN = 'onboarding-admin-token-0123456789';
const EMAIL = 'nadia@example.com';
let server: InteropServer;

beforeAll(async () => {
  server = await startInteropServer({ CRM_ADMIN_TOKEN: ADMIN_TOKEN });
  await server.addUser(EMAIL);
});
afterAll(async () => {
  await server?.stop();
});

describe('onboarding link → profile → account', () => {
  it('the profile carries this server and a fresh password a CalDAV client can use', async () => {
    const made = await fetch(new URL(`/crm/v1/users/${EMAIL}/onboarding`, server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(made.status).toBe(201);
    const { url } = ((await made.json()) as { data: { url: string } }).data;
    expect(url.startsWith(server.url.replace(/\/$/, ''))).toBe(true);

    // The secret rides in the fragment, which no request carries; the page's script posts it.
    const link = new URL(url);
    expect(link.pathname).toBe('/crm/v1/onboarding');
    const token = decodeURIComponent(link.hash.slice(1));
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const action = /action="([^"]+\/profile)"/.exec(await page.text())![1]!;
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() };
    const download = await fetch(new URL(action, url), form);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/x-apple-aspen-config');
    const account = (plist.parse(await download.text()) as { PayloadContent: Array<Record<string, string | number | boolean>> }).PayloadContent[0]!;
    const base = new URL(server.url);
    expect(account).toMatchObject({ CalDAVHostName: base.hostname, CalDAVPort: Number(base.port), CalDAVUseSSL: false, CalDAVUsername: EMAIL });

    const client = new DAVClient({
      serverUrl: `http://${account.CalDAVHostName}:${account.CalDAVPort}/`,
      credentials: { username: String(account.CalDAVUsername), password: String(account.CalDAVPassword) },
      authMethod: 'Basic',
      defaultAccountType: 'caldav',
    });
    await client.login();
    const calendars = await client.fetchCalendars();
    expect(calendars.map((c) => c.displayName)).toEqual([EMAIL, `Tasks (${EMAIL})`]);
    expect(new URL(String(account.CalDAVPrincipalURL)).pathname).toBe(`/principals/${EMAIL}/`);

    // Spent: a second download is refused.
    expect((await fetch(new URL(action, url), form)).status).toBe(410);
  });
});
