/**
 * Deleting a user through the running server's CRM API: devices are refused at once, the
 * calendar is gone, a token a device kept is refused even after the user is created again, and
 * the CRM keeps the user's events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startInteropServer, type InteropServer } from '../helpers/server';

const ADMIN_TOKEN = 'delete-admin-token-0123456789';
const EMAIL = 'omar@example.com';
const IOS_ICS = fixture('interop', 'ios-event.ics');
let server: InteropServer;

beforeAll(async () => {
  server = await startInteropServer({ CRM_ADMIN_TOKEN: ADMIN_TOKEN });
});
afterAll(async () => {
  await server?.stop();
});

const admin = (method: string, path: string) =>
  fetch(new URL(path, server.url), { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

const syncBody = (token: string) =>
  `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;

describe('DELETE /crm/v1/users/{email}', () => {
  it('refuses the devices, removes the calendar and invalidates its sync tokens; the CRM event stays', async () => {
    const user = await server.addUser(EMAIL);
    const dav = server.as(user);
    const uid = /UID:(.+)\r?\n/.exec(IOS_ICS)![1]!.trim();
    expect((await dav.request('PUT', dav.paths.object('e.ics'), { body: IOS_ICS })).status).toBe(201);
    const sync = await dav.request('REPORT', dav.paths.calendar, { body: syncBody(''), depth: '0' });
    const token = /<d:sync-token>([^<]+)</.exec(sync.text)![1]!;
    const crmEvent = await server.app.crm!.connector.findEventByUid(EMAIL, uid);
    expect(crmEvent).not.toBeNull();

    const res = await admin('DELETE', `/crm/v1/users/${EMAIL}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown }).data).toMatchObject({ email: EMAIL, objects: 1, pendingDropped: 0 });
    expect((await dav.request('PROPFIND', dav.paths.calendar, { depth: '0' })).status).toBe(401);
    expect((await admin('DELETE', `/crm/v1/users/${EMAIL}`)).status).toBe(404);

    // Created again: an empty calendar, and the old device's token does not pass for "no change".
    const again = await server.addUser(EMAIL, 'another-password-123');
    const fresh = server.as(again);
    const listing = await fresh.request('PROPFIND', fresh.paths.calendar, { depth: '1' });
    expect(listing.text).not.toContain('e.ics');
    const stale = await fresh.request('REPORT', fresh.paths.calendar, { body: syncBody(token), depth: '0' });
    expect(stale.status).toBe(403);
    expect(stale.text).toContain('valid-sync-token');

    expect((await server.app.crm!.connector.getEvent(crmEvent!.id))?.Deleted).toBe(false);
  });

  it('is for the admin only', async () => {
    const user = await server.addUser('pia@example.com');
    const res = await fetch(new URL('/crm/v1/users/pia@example.com', server.url), { method: 'DELETE', headers: { authorization: user.authorization } });
    expect(res.status).toBe(403);
  });
});
