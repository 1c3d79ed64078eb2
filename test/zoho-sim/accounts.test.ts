/**
 * The accounts server against facts §2: the consent redirect, both grants (urlencoded and
 * multipart, as the SDK sends), Zoho's 200-with-error answers, the 10-per-10-minutes throttle,
 * the 10-active-tokens cap, expiry, revocation, and scope checks on the API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startZohoSimulator, type ZohoSimulator } from '../../bin/zoho-sim/index';
import { connect, refreshAccessToken, request, type Api } from './client';

let sim: ZohoSimulator | undefined;
let api: Api | undefined;
afterEach(async () => {
  await sim?.stop();
  await api?.sim.stop();
  sim = api = undefined;
});

const callEvents = (s: ZohoSimulator, token: string) =>
  request(`${s.apiUrl}/crm/v8/Events?fields=Event_Title`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });

async function consent(s: ZohoSimulator, params: Record<string, string>) {
  const url = new URL(`${s.accountsUrl}/oauth/v2/auth`);
  for (const [k, v] of Object.entries({ client_id: s.clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1:9/callback', ...params })) url.searchParams.set(k, v);
  const answer = await request(url.toString());
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location')!);
}

function exchange(s: ZohoSimulator, code: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ grant_type: 'authorization_code', client_id: s.clientId, client_secret: s.clientSecret, code, redirect_uri: 'http://127.0.0.1:9/callback', ...extra })) form.set(k, v);
  return request(`${s.accountsUrl}/oauth/v2/token`, { method: 'POST', body: form });
}

describe('token endpoint', () => {
  it('refreshes with the documented shape and no refresh_token, pointing at the API server', async () => {
    sim = await startZohoSimulator();
    const answer = await refreshAccessToken(sim);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ api_domain: sim.apiUrl, token_type: 'Bearer', expires_in: 3600 });
    expect(answer.body.access_token).toMatch(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    expect(answer.body).not.toHaveProperty('refresh_token');
    expect(sim.tokens.mints()).toBe(1);
    expect((await callEvents(sim, answer.body.access_token)).status).toBe(204);
  });

  it('answers bad credentials and grants with HTTP 200 and an error key, as Zoho does', async () => {
    sim = await startZohoSimulator();
    const post = (params: Record<string, string>) => request(`${sim!.accountsUrl}/oauth/v2/token`, { method: 'POST', body: new URLSearchParams(params) });
    const base = { grant_type: 'refresh_token', client_id: sim.clientId, client_secret: sim.clientSecret, refresh_token: sim.refreshToken };
    expect(await post({ ...base, client_id: '1000.NOPE' })).toMatchObject({ status: 200, body: { error: 'invalid_client' } });
    expect(await post({ ...base, client_secret: 'nope' })).toMatchObject({ status: 200, body: { error: 'invalid_client_secret' } });
    expect(await post({ ...base, refresh_token: '1000.x.y' })).toMatchObject({ status: 200, body: { error: 'invalid_code' } });
    expect(await post({ ...base, grant_type: 'password' })).toMatchObject({ status: 200, body: { error: 'unsupported_grant_type' } });
    // Zoho's curl examples put the parameters in the query string: that works too.
    const q = new URLSearchParams(base);
    expect((await request(`${sim.accountsUrl}/oauth/v2/token?${q}`, { method: 'POST' })).body.access_token).toBeDefined();
  });

  it('throttles the 11th token request within 10 minutes with Zoho\'s Access Denied body', async () => {
    sim = await startZohoSimulator();
    for (let i = 0; i < 10; i++) expect((await refreshAccessToken(sim)).status).toBe(200);
    const throttled = await refreshAccessToken(sim);
    expect(throttled.status).toBe(400);
    expect(throttled.body).toEqual({
      error_description: 'You have made too many requests continuously. Please try again after some time.',
      error: 'Access Denied',
      status: 'failure',
    });
    expect(sim.tokens.mints()).toBe(10);
    sim.clock.advance(10 * 60_000 + 1000);
    expect((await refreshAccessToken(sim)).status).toBe(200);
  });

  it('keeps 10 active access tokens per refresh token: the 11th invalidates the oldest', async () => {
    sim = await startZohoSimulator({ tokenRequestsPerWindow: 100 });
    const tokens: string[] = [];
    for (let i = 0; i < 11; i++) tokens.push((await refreshAccessToken(sim)).body.access_token);
    expect((await callEvents(sim, tokens[0]!)).body).toEqual({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' });
    expect((await callEvents(sim, tokens[1]!)).status).toBe(204);
  });
});

describe('access tokens on the API', () => {
  it('expire after an hour and on demand with 401 INVALID_TOKEN', async () => {
    api = await connect();
    expect((await api.get('/Events?fields=Event_Title')).status).toBe(204);
    api.sim.clock.advance(3600_000);
    const expired = await api.get('/Events?fields=Event_Title');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' });
    const fresh = (await refreshAccessToken(api.sim)).body.access_token as string;
    expect((await callEvents(api.sim, fresh)).status).toBe(204);
    api.sim.tokens.expireAll();
    expect((await callEvents(api.sim, fresh)).status).toBe(401);
  });

  it('wants the Zoho-oauthtoken scheme', async () => {
    api = await connect();
    const url = `${api.sim.apiUrl}/crm/v8/Events?fields=Event_Title`;
    const none = await request(url);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ code: 'AUTHENTICATION_FAILURE', details: {}, message: 'Authentication failed', status: 'error' });
    expect((await request(url, { headers: { authorization: `Bearer ${api.token}` } })).body.code).toBe('AUTHENTICATION_FAILURE');
  });

  it('can answer INVALID_TOKEN with another status when configured', async () => {
    api = await connect({ invalidTokenStatus: 400 });
    api.sim.tokens.expireAll();
    expect((await api.get('/Events?fields=Event_Title')).status).toBe(400);
  });
});

describe('consent flow', () => {
  it('redirects with code, location and accounts-server, and exchanges the code once (multipart, as the SDK sends)', async () => {
    sim = await startZohoSimulator();
    const back = await consent(sim, { scope: 'ZohoCRM.modules.ALL,ZohoCRM.users.READ', access_type: 'offline', state: 'xyz' });
    expect(back.origin + back.pathname).toBe('http://127.0.0.1:9/callback');
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('location')).toBe('us');
    expect(back.searchParams.get('accounts-server')).toBe(sim.accountsUrl);
    const code = back.searchParams.get('code')!;
    const first = await exchange(sim, code);
    expect(first.body).toMatchObject({ api_domain: sim.apiUrl, token_type: 'Bearer', expires_in: 3600 });
    expect(first.body.refresh_token).toMatch(/^1000\./);
    expect((await exchange(sim, code)).body).toEqual({ error: 'invalid_code' });
    const again = (await refreshAccessToken(sim, first.body.refresh_token)).body;
    expect(again.access_token).toBeDefined();
  });

  it('gives no refresh token for online access, refuses a code after 2 minutes and a changed redirect_uri', async () => {
    sim = await startZohoSimulator();
    const online = (await consent(sim, { scope: 'ZohoCRM.modules.ALL' })).searchParams.get('code')!;
    expect((await exchange(sim, online)).body).not.toHaveProperty('refresh_token');
    const late = (await consent(sim, { scope: 'ZohoCRM.modules.ALL' })).searchParams.get('code')!;
    sim.clock.advance(2 * 60_000 + 1);
    expect((await exchange(sim, late)).body).toEqual({ error: 'invalid_code' });
    const moved = (await consent(sim, { scope: 'ZohoCRM.modules.ALL' })).searchParams.get('code')!;
    expect((await exchange(sim, moved, { redirect_uri: 'http://127.0.0.1:9/other' })).body).toEqual({ error: 'invalid_redirect_uri' });
  });

  it('refuses an unknown client or an unregistered redirect URI on the consent page', async () => {
    sim = await startZohoSimulator({ redirectUris: ['http://127.0.0.1:9/callback'] });
    expect((await request(`${sim.accountsUrl}/oauth/v2/auth?client_id=1000.X&response_type=code&redirect_uri=http://127.0.0.1:9/callback&scope=a`)).status).toBe(400);
    const other = `${sim.accountsUrl}/oauth/v2/auth?client_id=${sim.clientId}&response_type=code&redirect_uri=http://evil.example/cb&scope=a`;
    expect((await request(other)).status).toBe(400);
  });

  it('enforces the granted scopes on the API with 401 OAUTH_SCOPE_MISMATCH', async () => {
    sim = await startZohoSimulator();
    const code = (await consent(sim, { scope: 'ZohoCRM.users.READ', access_type: 'offline' })).searchParams.get('code')!;
    const token = (await exchange(sim, code)).body.access_token as string;
    const events = await callEvents(sim, token);
    expect(events.status).toBe(401);
    expect(events.body).toEqual({ code: 'OAUTH_SCOPE_MISMATCH', message: 'Unauthorized', status: 'error', details: {} });
    const users = await request(`${sim.apiUrl}/crm/v8/users?type=ActiveUsers`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });
    expect(users.status).toBe(200);
  });
});

describe('revocation', () => {
  it('revokes a refresh token and every access token it minted', async () => {
    api = await connect();
    const revoke = (t: string) => request(`${api!.sim.accountsUrl}/oauth/v2/token/revoke?token=${t}`, { method: 'POST' });
    expect(await revoke(api.sim.refreshToken)).toMatchObject({ status: 200, body: { status: 'success' } });
    expect((await api.get('/Events?fields=Event_Title')).status).toBe(401);
    expect((await refreshAccessToken(api.sim)).body).toEqual({ error: 'invalid_code' });
    expect((await revoke(api.sim.refreshToken)).status).toBe(400);
  });
});
