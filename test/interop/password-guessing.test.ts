/**
 * Online guessing of a chosen password, on the whole stack (local server, DynamoDB Local): both
 * doors count the tries in the activity table and answer 429 with Retry-After once the account's
 * window is full; a phone on a generated app password is never held off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESS_LIMIT } from '../../lambda/accounts/guesses';
import { basic, propfindBody, startInteropServer, type InteropServer } from '../helpers/server';

const ADMIN_TOKEN = 'guessing-admin-token-0123456789abcdef';
let server: InteropServer;

beforeAll(async () => {
  server = await startInteropServer({ CRM_ADMIN_TOKEN: ADMIN_TOKEN });
}, 120_000);
afterAll(() => server?.stop());

const propfind = (email: string, password: string) =>
  fetch(new URL(`/calendars/${email}/crm/`, server.url), { method: 'PROPFIND', headers: { authorization: basic(email, password), depth: '0', 'content-type': 'application/xml' }, body: propfindBody('<d:getetag/>') });

describe('guessing a chosen password', () => {
  it(`is held off at both doors after ${GUESS_LIMIT} tries, the right password included, with Retry-After`, async () => {
    const user = await server.addUser('chosen@zillum.com', 'a-chosen-password');
    for (let i = 0; i < GUESS_LIMIT; i++) expect((await propfind(user.email, `guess-${i}`)).status).toBe(401);
    const held = await propfind(user.email, user.password);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await held.text()).not.toMatch(/at .*\.ts/);
    const api = await fetch(new URL('/crm/v1/events', server.url), { headers: { authorization: basic(user.email, user.password) } });
    expect(api.status).toBe(429);
    expect(JSON.stringify(await api.json())).toContain('TOO_MANY_REQUESTS');
    expect(api.headers.get('retry-after')).not.toBeNull();
  });

  it('never holds off a generated app password, and lists no device for the count', async () => {
    const made = await fetch(new URL('/crm/v1/users', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'phone@zillum.com', caldavEnabled: true, generatePassword: true }),
    });
    const { appPassword } = ((await made.json()) as { data: { appPassword: string } }).data;
    for (let i = 0; i <= GUESS_LIMIT; i++) expect((await propfind('phone@zillum.com', `guess-${i}`)).status).toBe(401);
    expect((await propfind('phone@zillum.com', appPassword)).status).toBe(207);
    // The count sits beside the devices in the activity table; the console's list shows devices only.
    const devices = await fetch(new URL('/crm/v1/users/chosen@zillum.com/devices', server.url), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(devices.status).toBe(200);
    expect(((await devices.json()) as { data: unknown[] }).data).toEqual([]);
  });
});
