/**
 * The admin console end to end: headless Chromium (Playwright) against the local server on
 * DynamoDB Local, as an admin uses it: sign in, add a user (time zone picked in any case), turn
 * CalDAV on and see the app password once, watch the initial export finish, retry a change
 * waiting for the CRM, see the device that synced by name, make the iPhone set-up link and use
 * it in a phone-sized browser, turn CalDAV off (after confirming) and on again keeping the
 * password, read the audit log, see every page fit a phone's width, be told why a session ended,
 * delete the user, sign out. The passwords shown are checked against the CalDAV door.
 *
 * Screenshots of each page go to CONSOLE_SCREENSHOTS (`npm run docs:screenshots` writes them to
 * docs/console/), else to a temporary directory.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAdminPassword } from '../../lambda/accounts/admins';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { launchChromium, screenshots } from '../helpers/browser';
import { startInteropServer, type InteropServer } from '../helpers/server';

const ADMIN_TOKEN = 'console-e2e-admin-token-0123456789';
const ANA = 'ana@zillum.com';
const IOS = 'iOS/18.2 (22C152) dataaccessd/1.0';
const screenshot = screenshots();

let server: InteropServer;
let browser: Browser;
let page: Page;
let adminPassword: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startInteropServer({ CRM_ADMIN_TOKEN: ADMIN_TOKEN }), launchChromium()]);
  adminPassword = (await issueAdminPassword(server.app.admins!, 'boss@zillum.com', new Date(), 'Boss')).password;
  page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  page.on('pageerror', (err) => pageErrors.push(err.message));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (name: string) => screenshot(page, name);

/** A CalDAV request as the iPhone makes it. */
const propfind = (password: string) =>
  fetch(new URL(`/calendars/${ANA}/crm/`, server.url), {
    method: 'PROPFIND',
    headers: { authorization: `Basic ${Buffer.from(`${ANA}:${password}`).toString('base64')}`, depth: '0', 'user-agent': IOS },
  });

/** Three of Ana's events in the CRM, in the window the initial export copies. */
async function crmEventsForAna() {
  const today = new Date().toISOString().slice(0, 10);
  for (const [i, title] of ['Kick-off', 'Site visit', 'Review'].entries()) {
    const res = await fetch(new URL('/crm/v1/events', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Event_Title: title, Owner: ANA, Start_DateTime: `${today}T${10 + i}:00:00Z`, End_DateTime: `${today}T${10 + i}:30:00Z` }),
    });
    expect(res.status).toBe(201);
  }
}

describe('admin console in Chromium', () => {
  let appPassword = '';

  it('signs in', async () => {
    await page.goto(new URL('/crm/admin/', server.url).href);
    await page.getByLabel('E-mail').fill('boss@zillum.com');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong e-mail or password');
    await shot('sign-in');
    await page.getByLabel('Password').fill(adminPassword);
    await expect.poll(() => page.title()).toBe('Sign in · crm-caldav admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('boss@zillum.com');
    await expect.poll(() => page.title()).toBe('Users · crm-caldav admin');
  });

  it('adds a user, CalDAV off for now', async () => {
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByLabel('E-mail').fill(ANA);
    await page.getByLabel('Name').fill('Ana Lopez');
    // Typed in any case, put right on leaving the field; the picker offers the zones.
    await page.getByLabel('Time zone').fill('europe/berlin');
    await page.getByLabel('Name').focus();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    expect(await page.locator('datalist#time-zones option[value="America/New_York"]').count()).toBe(1);
    await page.getByLabel('Turn CalDAV on now').uncheck();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Added ${ANA}` }).waitFor();
    const row = page.getByRole('row').filter({ hasText: ANA });
    await expect.poll(() => row.textContent()).toContain('Disabled');
    await page.getByRole('button', { name: 'Add user' }).click();
    await shot('users');
    expect(await server.users.getUser(ANA)).toMatchObject({ enabled: false, timeZone: 'Europe/Berlin' });
  });

  it('searches the list', async () => {
    await page.getByLabel('Search users').fill('lopez');
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    await page.getByLabel('Search users').fill('nobody-here');
    await expect.poll(() => page.getByRole('cell').first().textContent()).toContain('No user matches');
    await page.getByLabel('Search users').fill('');
  });

  it('turns CalDAV on: the app password is shown once and works; the export finishes', async () => {
    await crmEventsForAna();
    await page.getByRole('link', { name: ANA }).click();
    await page.getByRole('heading', { name: 'Ana Lopez' }).waitFor();
    await expect.poll(() => page.title()).toBe(`${ANA} · Users · crm-caldav admin`);
    // Never had a password: nothing to keep.
    expect(await page.getByRole('button', { name: 'Enable, keep the app password' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Enable CalDAV' }).click();
    // The export starts with the enable: its state is followed as it is, never "Queued" for the schedule.
    const states = new Set<string>();
    const watching = (async () => {
      for (let i = 0; i < 300 && !states.has('Done'); i++) {
        states.add((await page.getByTestId('export-state').textContent().catch(() => '')) ?? '');
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const secret = page.getByTestId('secret');
    await secret.waitFor();
    appPassword = (await secret.textContent())!.trim();
    expect(appPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect((await propfind(appPassword)).status).toBe(207);

    await expect.poll(() => page.getByTestId('export-state').textContent(), { timeout: 30_000 }).toBe('Done');
    await watching;
    expect([...states].filter((s) => s !== '' && s !== 'Not enabled' && s !== 'Starting' && s !== 'Running' && s !== 'Done')).toEqual([]);
    expect(await page.getByTestId('export-summary').textContent()).toBe('3 exported');
    const bar = page.getByRole('progressbar', { name: 'Initial export' });
    expect([await bar.getAttribute('value'), await bar.getAttribute('max')]).toEqual(['3', '3']);
    await shot('user-password-once');
  });

  it('shows a change waiting for the CRM with its last error, and retries it', async () => {
    const [object] = await server.store.listObjects(ANA);
    await server.app.crm!.outbox.record({ owner: ANA, name: object!.name, uids: ['x'], error: 'CrmUnavailable: the CRM timed out', at: new Date().toISOString() });
    await page.reload();
    const pending = page.getByTestId('pending');
    await expect.poll(() => pending.textContent()).toContain('1 change waiting since');
    expect(await pending.textContent()).toContain(`on ${object!.name}: CrmUnavailable: the CRM timed out`);
    await shot('user-pending');
    // The list shows it at a glance too, beside the device count.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: ANA });
    await expect.poll(() => row.getByTestId('pending-cell').textContent()).toBe('1 waiting');
    expect(await row.getByTestId('devices-cell').textContent()).toMatch(/^1 · /);
    await page.getByRole('link', { name: ANA }).click();
    await page.getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Retried: 1 delivered, 0 still failing.');
    await expect.poll(() => pending.textContent()).toContain('Nothing waiting');
  });

  it('shows the device that synced, and never the password again', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Ana Lopez' }).waitFor();
    await expect.poll(() => page.getByTestId('devices').textContent()).toContain('iPhone or iPad');
    const device = page.getByTestId('devices').getByRole('row').nth(1);
    expect(await device.getByRole('cell').nth(1).textContent()).toBe('iOS 18.2');
    // The raw agent stays there in small print, for the curious.
    expect(await page.getByTestId('devices').textContent()).toContain(IOS);
    expect(await page.getByTestId('devices').textContent()).toContain('PROPFIND');
    expect(await page.getByTestId('secret').count()).toBe(0);
    expect(await page.content()).not.toContain(appPassword);
  });

  it('makes the iPhone set-up link with its QR code', async () => {
    await page.getByRole('button', { name: 'Make a set-up link' }).click();
    const link = page.getByTestId('setup-link');
    await link.waitFor();
    expect(await link.textContent()).toMatch(new RegExp(`^${server.url}crm/v1/onboarding#[A-Za-z0-9._-]+$`));
    await page.getByTestId('qr').waitFor();
    expect(await page.getByTestId('qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await shot('user');
  });

  it('the set-up link works in a phone-sized browser: the page\'s script reads the fragment under its CSP and the settings carry a working password', async () => {
    const url = (await page.getByTestId('setup-link').textContent())!;
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const phoneErrors: string[] = [];
    phone.on('pageerror', (err) => phoneErrors.push(err.message));
    // The browser's own icon request is answered 404 (no Basic prompt): not the page's error.
    phone.on('console', (msg) => msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico') && phoneErrors.push(msg.text()));
    const requested: string[] = [];
    phone.on('request', (req) => requested.push(req.url()));
    await phone.goto(url);
    await expect.poll(() => phone.locator('#email').textContent()).toBe(ANA);
    await phone.getByRole('button', { name: 'Show the settings to type in instead' }).click();
    await phone.waitForURL(/\/crm\/v1\/onboarding\/manual$/);
    const text = (await phone.locator('body').textContent())!;
    appPassword = /Password: +(\S+)/.exec(text)![1]!;
    expect((await propfind(appPassword)).status).toBe(207);
    // The secret never left the browser in a URL: only in the POST bodies.
    const secret = new URL(url).hash.slice(1);
    for (const sent of requested) expect(sent).not.toContain(secret);
    expect(phoneErrors).toEqual([]);
    await phone.close();
  });

  it('asks before a new app password, and Cancel keeps the old one', async () => {
    await page.getByRole('button', { name: 'Reset app password' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Reset app password' });
    expect(await dialog.textContent()).toContain('The current one stops working at once');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect((await propfind(appPassword)).status).toBe(207);
  });

  it('turns CalDAV off once confirmed: the device is refused at once', async () => {
    await page.getByRole('button', { name: 'Disable CalDAV' }).click();
    // One click only asks.
    expect((await propfind(appPassword)).status).toBe(207);
    const dialog = page.getByRole('alertdialog', { name: 'Disable CalDAV' });
    expect(await dialog.textContent()).toContain('Every device of this user is refused');
    await shot('user-confirm-disable');
    await dialog.getByRole('button', { name: 'Disable CalDAV' }).click();
    await expect.poll(() => page.getByTestId('caldav-state').textContent()).toBe('CalDAV disabled');
    expect((await propfind(appPassword)).status).toBe(401);
  });

  it('turns CalDAV back on keeping the app password: the device works again, no new password shown', async () => {
    await page.getByRole('button', { name: 'Enable, keep the app password' }).click();
    await expect.poll(() => page.getByTestId('caldav-state').textContent()).toBe('CalDAV enabled');
    expect(await page.getByTestId('secret').count()).toBe(0);
    expect((await propfind(appPassword)).status).toBe(207);
    await page.getByRole('button', { name: 'Disable CalDAV' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Disable CalDAV' }).click();
    await expect.poll(() => page.getByTestId('caldav-state').textContent()).toBe('CalDAV disabled');
  });

  it('shows every change in the audit log: who, what, whom, from where', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await expect.poll(() => page.title()).toBe('Audit log · crm-caldav admin');
    const log = page.getByTestId('audit');
    await log.waitFor();
    const text = (await log.textContent())!;
    for (const action of ['admin.sign-in', 'admin.sign-in-failed', 'user.create', 'user.enable', 'user.disable', 'link.create', 'link.spent', 'sync.retry']) expect(text, action).toContain(action);
    expect(text).toContain('password kept');
    expect(text).toContain('boss@zillum.com');
    expect(text).toMatch(/127\.0\.0\.1|::1/);
    expect(text).not.toContain(appPassword);
    await shot('audit');
  });

  it('fits a phone: no page is wider than a 390 px window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // Each page with its content loaded: the widest part is the data.
    for (const [hash, heading, content] of [['#/users', 'Users', 'users'], [`#/users/${encodeURIComponent(ANA)}`, 'Ana Lopez', 'devices'], ['#/organisation', 'Organisation', 'version'], ['#/audit', 'Audit log', 'audit']] as const) {
      await page.goto(new URL(`/crm/admin/${hash}`, server.url).href);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.getByTestId(content).first().waitFor();
      const width = await page.evaluate('document.documentElement.scrollWidth');
      expect(width, hash).toBeLessThanOrEqual(390);
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect(signOut!.x + signOut!.width, `${hash} Sign out`).toBeLessThanOrEqual(390);
      if (hash === '#/users') await shot('phone-users');
    }
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(new URL(`/crm/admin/#/users/${encodeURIComponent(ANA)}`, server.url).href);
    await page.getByRole('heading', { name: 'Ana Lopez' }).waitFor();
  });

  it('says why a session ended when the password was reset meanwhile, then signs in again', async () => {
    await server.app.admins!.deleteAccount('boss@zillum.com');
    adminPassword = (await issueAdminPassword(server.app.admins!, 'boss@zillum.com', new Date(), 'Boss')).password;
    await page.getByRole('link', { name: 'Organisation' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'session' });
    await expect.poll(() => notice.textContent()).toBe('Your session was ended (signed out, or the password was reset): sign in again.');
    await expect.poll(() => page.title()).toBe('Sign in · crm-caldav admin');
    await page.getByLabel('E-mail').fill('boss@zillum.com');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organisation' }).waitFor();
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: ANA }).click();
    await page.getByRole('heading', { name: 'Ana Lopez' }).waitFor();
  });

  it('deletes the user once its e-mail is typed', async () => {
    const remove = page.getByRole('button', { name: `Delete ${ANA}` });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Type the e-mail to confirm').fill(ANA);
    await remove.click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(new RegExp(`^Deleted ${ANA}: 3 calendar object\\(s\\) removed`));
    expect(await server.users.getUser(ANA)).toBeNull();
  });

  it('shows the organisation: version, schedule, reconciliation, waiting changes', async () => {
    await runScheduledPass(server.app.jobDeps!);
    await page.getByRole('link', { name: 'Organisation' }).click();
    await page.getByRole('heading', { name: 'Organisation' }).waitFor();
    expect(await page.getByTestId('version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await page.getByTestId('reconciled').textContent()).toMatch(/now|second/);
    await shot('organisation');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
