/**
 * The console's "CRM connection" page end to end: headless Chromium (Playwright) against the
 * local server's handlers on DynamoDB Local, the Zoho connector against the Zoho simulator. One
 * set of tables and one console build serve three deployments side by side (the built-in CRM;
 * Zoho to connect from the console; Zoho connected by the environment), each its own listener:
 * the page says which CRM is in use; with Zoho it connects through the simulator's consent page
 * and back, shows the connection's state, fits a phone, and disconnects after asking.
 *
 * Screenshots go to CONSOLE_SCREENSHOTS (`npm run docs:screenshots` writes them to
 * docs/console/), else to a temporary directory.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../bin/lib/console-build';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { startZohoSimulator, type ZohoSimulator } from '../../bin/zoho-sim/index';
import { issueAdminPassword } from '../../lambda/accounts/admins';
import { buildApp } from '../../lambda/app/build';
import { launchChromium, screenshots } from '../helpers/browser';
import { freshTables, type TestTables } from '../helpers/dynamo';

const BOSS = 'boss@zillum.com';
const TITLE = 'CRM connection · crm-caldav admin';
const screenshot = screenshots();

let t: TestTables;
let sim: ZohoSimulator;
let builtin: LocalServer;
let zoho: LocalServer;
let configured: LocalServer;
let browser: Browser;
let page: Page;
let assets: Awaited<ReturnType<typeof buildConsole>>;
const pageErrors: string[] = [];

beforeAll(async () => {
  [t, sim, assets, browser] = await Promise.all([freshTables(), startZohoSimulator({ searchIndexDelayMs: 0 }), buildConsole(), launchChromium()]);
  const on = (env: Record<string, string>) => startLocalServer({ port: 0, app: buildApp({ env: { ...t.env, ...env }, doc: t.doc, tables: t.tables, console: assets }) });
  [builtin, zoho, configured] = await Promise.all([
    on({ CRM_CONNECTOR: 'builtin' }),
    // Not connected: the console's Connect goes to the accounts server configured here (the simulator's).
    on({ CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl }),
    on({ CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl, ZOHO_CLIENT_ID: sim.clientId, ZOHO_CLIENT_SECRET: sim.clientSecret, ZOHO_REFRESH_TOKEN: sim.refreshToken }),
  ]);
  // One admins table behind all three, and cookies are the host's whatever the port: one sign-in serves them all.
  const { password } = await issueAdminPassword(zoho.app.admins!, BOSS, new Date(), 'Boss');
  page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(new URL('/crm/admin/', builtin.url).href);
  await page.getByLabel('E-mail').fill(BOSS);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([builtin?.stop(), zoho?.stop(), configured?.stop()]);
  await sim?.stop();
  await t?.drop();
});

const shot = (name: string) => screenshot(page, name);

/** The page as the nav link opens it, on `server`. */
async function openConnection(server: LocalServer) {
  await page.goto(new URL('/crm/admin/#/users', server.url).href);
  await page.getByRole('link', { name: 'CRM connection' }).click();
  await page.getByRole('heading', { name: 'CRM connection', level: 1 }).waitFor();
  await expect.poll(() => page.title()).toBe(TITLE);
}

describe('the CRM connection page', () => {
  it('with the built-in CRM, says so: nothing to connect', async () => {
    await openConnection(builtin);
    expect(await page.getByRole('link', { name: 'CRM connection' }).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.getByTestId('crm').textContent()).toContain('The built-in CRM');
    expect(await page.getByRole('button', { name: 'Connect' }).count()).toBe(0);
  });

  it('with Zoho not connected, offers the form; the API\'s refusal shows as an error', async () => {
    await openConnection(zoho);
    await expect.poll(() => page.getByTestId('zoho-state').textContent()).toBe('Not connected');
    // The redirect URI to register with Zoho's API client: our callback on this origin.
    expect(await page.getByTestId('redirect-uri').textContent()).toBe(new URL('/crm/zoho/oauth/callback', zoho.url).href);
    // The configured accounts server is chosen; Zoho's data centres are offered.
    const select = page.getByLabel('Data centre');
    expect(await select.inputValue()).toBe('');
    expect(await select.locator('option:checked').textContent()).toBe(`Configured: ${sim.accountsUrl.replace('http://', '')} (ZOHO_ACCOUNTS_URL)`);
    expect(await select.locator('option').allTextContents()).toContain('Europe (accounts.zoho.eu)');
    await shot('connection-form');
    await page.getByLabel('Client ID').fill('x'.repeat(201));
    await page.getByLabel('Client secret').fill(sim.clientSecret);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Client ID: longer than 200 characters');
    expect(page.url()).toContain(zoho.url.replace(/\/$/, ''));
  });

  it('connects through Zoho\'s consent page and back, then shows the connection', async () => {
    await page.getByLabel('Client ID').fill(sim.clientId);
    await page.getByRole('button', { name: 'Connect' }).click();
    // Zoho (simulated) approves and sends the browser to our callback, which stores the token.
    await page.getByRole('heading', { name: 'Connected to Zoho' }).waitFor();
    expect(page.url()).toContain('/crm/zoho/oauth/callback?');
    expect(sim.calls().some((c) => c.server === 'accounts' && c.url.startsWith('/oauth/v2/auth?'))).toBe(true);
    await page.getByRole('link', { name: 'Back to the admin console' }).click();
    await page.getByRole('heading', { name: 'CRM connection', level: 1 }).waitFor();
    await expect.poll(() => page.title()).toBe(TITLE);
    await expect.poll(() => page.getByTestId('zoho-state').textContent()).toBe('Connected');
    const facts = page.getByTestId('zoho-facts');
    expect(await page.getByTestId('connected-by').textContent()).toMatch(new RegExp(`^${BOSS}, (now|\\d+ seconds? ago)`));
    expect(await facts.textContent()).toContain('this console');
    expect(await facts.textContent()).toContain(sim.accountsUrl.replace('http://', ''));
    expect(await page.getByTestId('credits').textContent()).toMatch(/^\d+ of 12,000/);
    expect(await page.getByRole('progressbar', { name: 'API credits used today' }).getAttribute('max')).toBe('12000');
    expect(await page.getByTestId('connect-form').count()).toBe(0);
    // The connect made the CalDAV UID field in Zoho with the new token.
    expect(sim.state.fields('Events').some((f) => f.field_label === 'CalDAV UID')).toBe(true);
  });

  it('shows changes waiting for Zoho with the last error, and retries them', async () => {
    await zoho.app.crm!.outbox.record({ owner: 'ana@zillum.com', name: 'pricing.ics', uids: ['pricing'], error: 'CrmUnavailable: Zoho answered 503', at: new Date().toISOString() });
    await page.reload();
    await expect.poll(() => page.getByTestId('waiting').textContent()).toContain('1 waiting, the oldest since');
    expect(await page.getByTestId('last-error').textContent()).toMatch(/ago|now/);
    expect(await page.getByTestId('last-error').textContent()).toContain("ana@zillum.com's pricing.ics: CrmUnavailable: Zoho answered 503");
    await shot('connection');
    await page.getByRole('button', { name: 'Retry now' }).click();
    // The entry names an object the store does not have: its current state (gone, and never in Zoho) is delivered at once.
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Retried the waiting changes: 1 delivered, 0 still failing.');
    await expect.poll(() => page.getByTestId('waiting').textContent()).toBe('Nothing waiting: every change from the phones has reached Zoho.');
  });

  it('fits a phone: nothing wider than a 390 px window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByTestId('zoho-facts').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('phone-connection');
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('disconnects only once confirmed: the token is revoked at Zoho and the form is back, fitting a phone', async () => {
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Disconnect' });
    expect(await dialog.textContent()).toContain('Zoho is asked to revoke it');
    // One click only asks.
    expect(((await (await page.request.get(new URL('/crm/v1/connection', zoho.url).href, { headers: { 'x-requested-with': 'crm-admin-console' } })).json()) as { data: { connected: boolean } }).data.connected).toBe(true);
    await shot('connection-confirm-disconnect');
    await dialog.getByRole('button', { name: 'Disconnect from Zoho' }).click();
    await expect.poll(() => page.getByTestId('zoho-state').textContent()).toBe('Not connected');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Disconnected from Zoho: the refresh token is forgotten here and Zoho was asked to revoke it.');
    await page.getByTestId('connect-form').waitFor();
    expect(sim.calls().some((c) => c.server === 'accounts' && c.url.startsWith('/oauth/v2/token/revoke') && c.status === 200)).toBe(true);
    // The form fits a phone too (the select's longest choice included).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('connected by the environment: the same facts, read-only, saying why', async () => {
    await openConnection(configured);
    await expect.poll(() => page.getByTestId('zoho-state').textContent()).toBe('Connected');
    expect(await page.getByRole('status').filter({ hasText: 'Configured by the environment' }).textContent()).toContain("change the deployment's configuration");
    expect(await page.getByTestId('zoho-facts').textContent()).toContain('ZOHO_CLIENT_ID');
    expect(await page.getByRole('button', { name: 'Disconnect' }).count()).toBe(0);
    expect(await page.getByTestId('connect-form').count()).toBe(0);
    await shot('connection-configured');
  });

  it('says when Zoho refused the credentials, and where to replace them', async () => {
    // A deployment whose refresh token an admin revoked at Zoho; its own connector table (the token item is the deployment's).
    const own = await freshTables();
    const env = { CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl, ZOHO_CLIENT_ID: sim.clientId, ZOHO_CLIENT_SECRET: sim.clientSecret, ZOHO_REFRESH_TOKEN: '1000.revoked-by-an-admin' };
    const revoked = await startLocalServer({ port: 0, app: buildApp({ env: { ...t.env, ...env }, doc: t.doc, tables: { ...t.tables, crm: own.tables.crm }, console: assets }) });
    try {
      await openConnection(revoked);
      await expect.poll(() => page.getByTestId('zoho-state').textContent()).toBe('Connected');
      await expect(revoked.app.directory!.findUser('ana@zillum.com')).rejects.toThrow(/Zoho refused the credentials/);
      await page.reload();
      await expect.poll(() => page.getByTestId('zoho-state').textContent()).toBe('Refused by Zoho');
      const said = await page.getByTestId('zoho-refused').textContent();
      expect(said).toMatch(/^Zoho refused this connection's credentials \(invalid_\w+\) .+: nothing reaches Zoho/);
      expect(said).toContain('until a new refresh token is set where the connection is configured: the environment (ZOHO_CLIENT_ID');
      await shot('connection-refused');
    } finally {
      await openConnection(configured);
      await revoked.stop();
      await own.drop();
    }
  });

  it('says in the page\'s error style when the server cannot tell', async () => {
    // The API's answer while the CRM is out (api/errors.ts), given by the browser's network layer: the page shows it instead of Loading.
    await page.route('**/crm/v1/connection', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The CRM is temporarily unavailable; try again' } }) }));
    await page.reload();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The CRM is temporarily unavailable; try again');
    expect(await page.getByRole('heading', { name: 'CRM connection', level: 1 }).count()).toBe(1);
    await page.unroute('**/crm/v1/connection');
    expect(pageErrors).toEqual([]);
  });
});
