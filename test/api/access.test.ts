import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAuthCache } from '../../lambda/accounts/credentials';
import { freshTables, type TestTables } from '../helpers/dynamo';
import { OLIVIA, UMA, apiOn } from './harness';

let t: TestTables;
let h: Awaited<ReturnType<typeof apiOn>>;
beforeAll(async () => {
  t = await freshTables();
  h = await apiOn(t);
});
afterAll(async () => {
  await t?.drop();
});

describe('authentication', () => {
  it('answers 401 with a JSON error and challenges for credentials', async () => {
    for (const as of [null, { authorization: 'Bearer wrong-token' }, { email: OLIVIA.email, password: 'wrong' }, { authorization: 'Digest abc' }]) {
      const res = await h.call('GET', '/crm/v1/events', { as });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('AUTHENTICATION_FAILURE');
      expect(res.headers['www-authenticate']).toMatch(/Basic realm=/);
    }
  });

  it('refuses a user whose CalDAV access is disabled', async () => {
    const u = await h.users.getUser(UMA.email);
    await h.users.putUser({ ...u!, enabled: false });
    clearAuthCache();
    try {
      expect((await h.call('GET', '/crm/v1/events', { as: UMA })).status).toBe(401);
    } finally {
      await h.users.putUser(u!);
    }
  });

  it('has no admin at all without a configured token', async () => {
    const { call } = await apiOn(t, { adminToken: undefined });
    expect((await call('GET', '/crm/v1/users', { as: 'admin' })).status).toBe(401);
  });
});

describe('routing errors are JSON', () => {
  it('404 for unknown paths, 405 with Allow for unknown methods', async () => {
    const missing = await h.call('GET', '/crm/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    expect((await h.call('GET', '/crm/v2/events')).status).toBe(404);
    const wrong = await h.call('DELETE', '/crm/v1/events');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, POST');
    expect(wrong.json.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('accepts a trailing slash', async () => {
    expect((await h.call('GET', '/crm/v1/events/')).status).toBe(200);
  });

  it('503 when the CRM storage fails, 500 without details for anything unexpected', async () => {
    const { call, logs } = await apiOn(t, {
      crm: Object.assign(Object.create(h.crm), {
        listEvents: async () => {
          throw new (await import('../../lambda/crm/types')).CrmUnavailable('dynamo down');
        },
        getEvent: async () => {
          throw new TypeError('secret internal detail');
        },
      }),
    });
    const down = await call('GET', '/crm/v1/events');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    const boom = await call('GET', '/crm/v1/events/x1');
    expect(boom.status).toBe(500);
    expect(boom.json).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal error' } });
    expect(logs.at(-1)?.message).toBe('CRM API failure');
  });
});

describe('users (admin)', () => {
  it('creates a user with a generated app password that then works for the API', async () => {
    const res = await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'New.Person@CRM.example', name: 'New Person', timeZone: 'Europe/Paris', caldavEnabled: true, generatePassword: true } });
    expect(res.status).toBe(201);
    expect(res.json.data).toMatchObject({ id: 'new.person@crm.example', email: 'new.person@crm.example', name: 'New Person', timeZone: 'Europe/Paris', caldavEnabled: true });
    expect(res.json.data.caldavEnabledAt).toMatch(/^\d{4}-/);
    expect(res.json.data.appPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(res.headers.location).toBe('/crm/v1/users/new.person%40crm.example');
    const me = await h.call('GET', '/crm/v1/users/new.person@crm.example', { as: { email: 'new.person@crm.example', password: res.json.data.appPassword } });
    expect(me.status).toBe(200);
    expect(me.json.data).not.toHaveProperty('appPassword');
    expect(JSON.stringify(me.json)).not.toMatch(/scrypt|sha256/);
    expect((await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'new.person@crm.example' } })).status).toBe(409);
    // Generated: the fast hash its random bits allow. Chosen by a person: scrypt.
    expect((await h.users.getUser('new.person@crm.example'))!.passwordHash).toMatch(/^sha256\$/);
    await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'chosen@crm.example', caldavEnabled: true, password: 'correct horse' } });
    expect((await h.users.getUser('chosen@crm.example'))!.passwordHash).toMatch(/^scrypt\$/);
  });

  it('updates the time zone and the CalDAV flag; enabling stamps the date, disabling keeps it', async () => {
    await h.call('POST', '/crm/v1/users', { as: 'admin', body: { email: 'flip@crm.example' } });
    const off = (await h.call('GET', '/crm/v1/users/flip@crm.example', { as: 'admin' })).json.data;
    expect(off).toMatchObject({ caldavEnabled: false, caldavEnabledAt: null, timeZone: 'UTC', name: 'flip@crm.example' });
    // Enabled without any password, the user could never log in: refused, nothing stored.
    const lockedOut = await h.call('PATCH', '/crm/v1/users/flip@crm.example', { as: 'admin', body: { caldavEnabled: true } });
    expect(lockedOut.status).toBe(400);
    expect(JSON.stringify(lockedOut.json)).toContain('generatePassword');
    expect((await h.call('GET', '/crm/v1/users/flip@crm.example', { as: 'admin' })).json.data).toMatchObject({ caldavEnabled: false });
    const on = await h.call('PATCH', '/crm/v1/users/flip@crm.example', { as: 'admin', body: { caldavEnabled: true, timeZone: 'Asia/Tokyo', generatePassword: true } });
    expect(on.json.data).toMatchObject({ caldavEnabled: true, timeZone: 'Asia/Tokyo' });
    const offAgain = await h.call('PATCH', '/crm/v1/users/flip@crm.example', { as: 'admin', body: { caldavEnabled: false } });
    expect(offAgain.json.data).toMatchObject({ caldavEnabled: false, caldavEnabledAt: on.json.data.caldavEnabledAt });
    expect((await h.call('PATCH', '/crm/v1/users/ghost@crm.example', { as: 'admin', body: { name: 'x' } })).status).toBe(404);
    expect((await h.call('PUT', '/crm/v1/users/ghost@crm.example', { as: 'admin', body: { name: 'Ghost' } })).status).toBe(201);
  });

  it('validates user input', async () => {
    const bad = async (body: unknown, field: string) => {
      const res = await h.call('POST', '/crm/v1/users', { as: 'admin', body });
      expect(res.status).toBe(400);
      expect(res.json.error.field).toBe(field);
    };
    await bad({ email: 'not-an-email' }, 'email');
    await bad({ name: 'no email' }, 'email');
    await bad({ email: 'tz@crm.example', timeZone: 'Mars/Olympus' }, 'timeZone');
    await bad({ email: 'tz@crm.example', caldavEnabled: 'true' }, 'caldavEnabled');
    await bad({ email: 'tz@crm.example', password: 'short' }, 'password');
    await bad({ email: 'tz@crm.example', role: 'admin' }, 'role');
    expect(await h.users.getUser('tz@crm.example')).toBeNull();
  });

  it('keeps users away from the user list and other users’ records', async () => {
    expect((await h.call('GET', '/crm/v1/users')).status).toBe(403);
    expect((await h.call('GET', `/crm/v1/users/${UMA.email}`)).status).toBe(403);
    expect((await h.call('POST', '/crm/v1/users', { body: { email: 'x@crm.example' } })).status).toBe(403);
    expect((await h.call('GET', `/crm/v1/users/${OLIVIA.email}`)).json.data.name).toBe('Olivia Owner');
    const list = await h.call('GET', '/crm/v1/users', { as: 'admin' });
    expect(list.json.data.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining([OLIVIA.email, UMA.email]));
  });
});

describe('leads, contacts and the people lookup', () => {
  it('admin CRUD with versions; users read but do not write', async () => {
    const created = await h.call('POST', '/crm/v1/leads', { as: 'admin', body: { First_Name: 'Lee', Last_Name: 'Lead', Email: 'lee@acme.example', Company: 'Acme' } });
    expect(created.status).toBe(201);
    const lead = created.json.data;
    expect(lead).toMatchObject({ module: 'Leads', Full_Name: 'Lee Lead', Email: 'lee@acme.example', Secondary_Email: null });
    expect((await h.call('GET', `/crm/v1/leads/${lead.id}`)).json.data).toEqual(lead);
    expect((await h.call('GET', '/crm/v1/leads')).json.data.map((p: { id: string }) => p.id)).toContain(lead.id);
    expect((await h.call('GET', `/crm/v1/contacts/${lead.id}`)).status).toBe(404);
    expect((await h.call('PATCH', `/crm/v1/leads/${lead.id}`, { body: { Company: 'x' } })).status).toBe(403);
    expect((await h.call('POST', '/crm/v1/contacts', { body: { Last_Name: 'x' } })).status).toBe(403);

    const patched = await h.call('PATCH', `/crm/v1/leads/${lead.id}`, { as: 'admin', body: { Company: 'Acme GmbH' }, headers: { 'if-match': `"${lead.Modified_Time}"` } });
    expect(patched.json.data).toMatchObject({ Company: 'Acme GmbH', First_Name: 'Lee' });
    const stale = await h.call('PUT', `/crm/v1/leads/${lead.id}`, { as: 'admin', body: { Last_Name: 'Stale' }, headers: { 'if-match': `"${lead.Modified_Time}"` } });
    expect(stale.status).toBe(409);
    const put = await h.call('PUT', `/crm/v1/leads/${lead.id}`, { as: 'admin', body: { Last_Name: 'Only' } });
    expect(put.json.data).toMatchObject({ Last_Name: 'Only', First_Name: null, Email: null, Company: null });
    expect((await h.call('DELETE', `/crm/v1/leads/${lead.id}`, { as: 'admin' })).status).toBe(204);
    expect((await h.call('GET', `/crm/v1/leads/${lead.id}`)).status).toBe(404);
  });

  it('validates people', async () => {
    const res = await h.call('POST', '/crm/v1/contacts', { as: 'admin', body: { Last_Name: 'C', Email: 'bad@' } });
    expect(res.json.error).toMatchObject({ code: 'INVALID_DATA', field: 'Email' });
    expect((await h.call('POST', '/crm/v1/contacts', { as: 'admin', body: { First_Name: 'No last name' } })).json.error.field).toBe('Last_Name');
    expect((await h.call('POST', '/crm/v1/contacts', { as: 'admin', body: { Last_Name: 'C', Phone: '1' } })).json.error.field).toBe('Phone');
  });

  it('looks a person up by e-mail: lead > contact > user, case-insensitive', async () => {
    const c = (await h.call('POST', '/crm/v1/contacts', { as: 'admin', body: { Last_Name: 'Shared', Email: 'shared@acme.example' } })).json.data;
    expect((await h.call('GET', '/crm/v1/people', { query: { email: 'SHARED@acme.example' } })).json.data).toMatchObject({ type: 'contact', id: c.id });
    const l = (await h.call('POST', '/crm/v1/leads', { as: 'admin', body: { Last_Name: 'Shared', Email: 'shared@acme.example' } })).json.data;
    expect((await h.call('GET', '/crm/v1/people', { query: { email: 'shared@acme.example' } })).json.data).toMatchObject({ type: 'lead', id: l.id });
    expect((await h.call('GET', '/crm/v1/people', { query: { email: UMA.email } })).json.data).toMatchObject({ type: 'user', id: UMA.email });
    expect((await h.call('GET', '/crm/v1/people', { query: { email: 'nobody@x.example' } })).status).toBe(404);
    expect((await h.call('GET', '/crm/v1/people', { query: { email: 'garbage' } })).json.error.field).toBe('email');
    expect((await h.call('GET', '/crm/v1/people')).json.error.field).toBe('email');
  });
});

describe('status hook', () => {
  it('is 404 until the sync bridge provides it; then users see their own status, the admin anyone’s', async () => {
    expect((await h.call('GET', '/crm/v1/status')).status).toBe(404);
    const asked: Array<string | undefined> = [];
    const { call } = await apiOn(t, { status: async (owner) => (asked.push(owner), { pending: 0, owner }) });
    expect((await call('GET', '/crm/v1/status', { query: { owner: UMA.email } })).json.data).toEqual({ pending: 0, owner: OLIVIA.email });
    expect((await call('GET', '/crm/v1/status', { as: 'admin', query: { owner: UMA.email } })).json.data.owner).toBe(UMA.email);
    await call('GET', '/crm/v1/status', { as: 'admin' });
    expect(asked).toEqual([OLIVIA.email, UMA.email, undefined]);
  });
});
