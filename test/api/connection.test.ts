/**
 * /crm/v1/connection as the console uses it, on the local server's handlers over DynamoDB Local
 * with the Zoho simulator: which CRM is in use, what the connect form offers, and the refusals
 * said so the admin can act on them (a bad data centre; a connection the environment made).
 * The consent round trip through a browser is test/console/connection.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { startZohoSimulator, type ZohoSimulator } from '../../bin/zoho-sim/index';
import { buildApp } from '../../lambda/app/build';
import { DATA_CENTRES } from '../../lambda/crm/zoho/config';
import { freshTables, type TestTables } from '../helpers/dynamo';

const ADMIN_TOKEN = 'connection-api-admin-token-0123456789';

let t: TestTables;
let sim: ZohoSimulator;
let builtin: LocalServer;
let zoho: LocalServer;
let configured: LocalServer;

beforeAll(async () => {
  [t, sim] = await Promise.all([freshTables(), startZohoSimulator()]);
  const on = (env: Record<string, string>) => startLocalServer({ port: 0, app: buildApp({ env: { ...t.env, CRM_ADMIN_TOKEN: ADMIN_TOKEN, ...env }, doc: t.doc, tables: t.tables }) });
  [builtin, zoho, configured] = await Promise.all([
    on({ CRM_CONNECTOR: 'builtin' }),
    on({ CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl }),
    on({ CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl, ZOHO_CLIENT_ID: sim.clientId, ZOHO_CLIENT_SECRET: sim.clientSecret, ZOHO_REFRESH_TOKEN: sim.refreshToken }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([builtin?.stop(), zoho?.stop(), configured?.stop()]);
  await sim?.stop();
  await t?.drop();
});

async function call(server: LocalServer, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(`/crm/v1${path}`, server.url), {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // Parsed JSON for assertions that walk it.
  return { status: res.status, json: (res.status === 204 ? null : await res.json()) as any };
}

const consent = (server: LocalServer, body: Record<string, unknown>) => call(server, 'POST', '/connection/consent', { clientId: sim.clientId, clientSecret: sim.clientSecret, ...body });

describe('GET /crm/v1/connection', () => {
  it('names the built-in CRM, with nothing to connect', async () => {
    expect(await call(builtin, 'GET', '/connection')).toEqual({ status: 200, json: { data: { connector: 'builtin' } } });
    expect((await consent(builtin, {})).status).toBe(404);
    expect((await call(builtin, 'DELETE', '/connection')).status).toBe(404);
  });

  it('with Zoho not connected, says what the connect form offers: the data centres, the configured accounts server, the callback', async () => {
    const { status, json } = await call(zoho, 'GET', '/connection');
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ connector: 'zoho', connected: false, source: null, connectedBy: null });
    expect(json.data.connect).toEqual({
      dataCentres: Object.entries(DATA_CENTRES).map(([id, accountsUrl]) => ({ id, accountsUrl })),
      defaultAccountsUrl: sim.accountsUrl,
      callbackPath: '/crm/zoho/oauth/callback',
    });
    expect(json.data.connect.dataCentres).toContainEqual({ id: 'eu', accountsUrl: 'https://accounts.zoho.eu' });
  });
});

describe('POST /crm/v1/connection/consent', () => {
  it('goes to the chosen data centre\'s consent page, or to the configured accounts server when none is chosen', async () => {
    const eu = await consent(zoho, { dataCentre: 'eu' });
    expect(eu.status).toBe(200);
    const url = new URL(eu.json.data.authorizeUrl);
    expect(url.origin + url.pathname).toBe('https://accounts.zoho.eu/oauth/v2/auth');
    expect(url.searchParams.get('redirect_uri')).toBe(new URL('/crm/zoho/oauth/callback', zoho.url).href);
    const dflt = await consent(zoho, {});
    expect(dflt.json.data.authorizeUrl.startsWith(`${sim.accountsUrl}/oauth/v2/auth?`)).toBe(true);
  });

  it('refuses an unknown data centre, naming the field and the choices, instead of using another', async () => {
    const { status, json } = await consent(zoho, { dataCentre: 'xx' });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 'INVALID_DATA', field: 'dataCentre' });
    expect(json.error.message).toContain('unknown data centre "xx"; one of us, eu');
  });

  it('refuses a missing secret, naming it', async () => {
    const { status, json } = await consent(zoho, { clientSecret: '' });
    expect(status).toBe(400);
    expect(json.error.field).toBe('clientSecret');
  });
});

describe('credentials Zoho refuses', () => {
  it('show as refused, with when and Zoho\'s error, once a call has been refused', async () => {
    // Tables of its own: the token item (and so the refusal) is the deployment's, shared by its containers.
    const own = await freshTables();
    const revoked = await startLocalServer({
      port: 0,
      app: buildApp({ env: { ...own.env, CRM_ADMIN_TOKEN: ADMIN_TOKEN, CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl, ZOHO_CLIENT_ID: sim.clientId, ZOHO_CLIENT_SECRET: sim.clientSecret, ZOHO_REFRESH_TOKEN: '1000.revoked-by-an-admin' }, doc: own.doc, tables: own.tables }),
    });
    try {
      expect((await call(revoked, 'GET', '/connection')).json.data).toMatchObject({ connected: true, refused: null });
      await expect(revoked.app.directory!.findUser('ana@zillum.com')).rejects.toThrow(/Zoho refused the credentials/);
      const { data } = (await call(revoked, 'GET', '/connection')).json;
      expect(data).toMatchObject({ connected: true, source: 'environment', refused: { error: expect.stringMatching(/^invalid_/) } });
      expect(Date.now() - Date.parse(data.refused.at)).toBeLessThan(60_000);
      // The configuration given a new refresh token: not refused, before any call is made with it.
      const renewed = await startLocalServer({
        port: 0,
        app: buildApp({ env: { ...own.env, CRM_ADMIN_TOKEN: ADMIN_TOKEN, CRM_CONNECTOR: 'zoho', ZOHO_ACCOUNTS_URL: sim.accountsUrl, ZOHO_CLIENT_ID: sim.clientId, ZOHO_CLIENT_SECRET: sim.clientSecret, ZOHO_REFRESH_TOKEN: sim.refreshToken }, doc: own.doc, tables: own.tables }),
      });
      try {
        expect((await call(renewed, 'GET', '/connection')).json.data).toMatchObject({ connected: true, refused: null });
      } finally {
        await renewed.stop();
      }
    } finally {
      await revoked.stop();
      await own.drop();
    }
  });
});

describe('a connection the environment made', () => {
  it('is shown, and connecting or disconnecting it here is a conflict that says where to change it', async () => {
    const shown = await call(configured, 'GET', '/connection');
    expect(shown.json.data).toMatchObject({ connector: 'zoho', connected: true, refused: null, source: 'environment', connectedBy: null });
    const connect = await consent(configured, {});
    expect(connect.status).toBe(409);
    expect(connect.json.error.message).toMatch(/^Zoho is connected by the environment \(ZOHO_CLIENT_ID …\): change it there$/);
    const disconnect = await call(configured, 'DELETE', '/connection');
    expect(disconnect.status).toBe(409);
    expect(disconnect.json.error.message).toBe('Zoho is connected by the environment: remove it there');
    expect((await call(configured, 'GET', '/connection')).json.data.connected).toBe(true);
  });
});
