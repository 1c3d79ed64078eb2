/**
 * Budgets and scripted failures: the daily credit window and the concurrency cap answer 429
 * with Zoho's body; injected faults replace the next matching answers (status and body,
 * malformed JSON, delay, hang, dropped connection, 429, 5xx), on the API and the accounts server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT, connect, refreshAccessToken, type Api } from './client';

let api: Api | undefined;
afterEach(async () => {
  await api?.sim.stop();
  api = undefined;
});

const TOO_MANY = {
  code: 'TOO_MANY_REQUESTS',
  details: {},
  message: 'Number of API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded',
  status: 'error',
};

describe('credits', () => {
  it('spends one credit a call, one per ten records on writes, and answers 429 past the daily budget until the window moves', async () => {
    api = await connect({ creditsPerDay: 6 });
    expect(api.sim.credits()).toBe(0);
    await api.get('/Events?fields=Event_Title');
    expect(api.sim.credits()).toBe(1);
    const written = await api.call('POST', '/Events', { body: { data: Array.from({ length: 25 }, () => EVENT) } });
    expect(written.status).toBe(201);
    expect(api.sim.credits()).toBe(4);
    await api.get('/users');
    await api.get('/users');
    expect(api.sim.credits()).toBe(6);
    const refused = await api.get('/users');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(TOO_MANY);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(api.sim.credits()).toBe(6);
    api.sim.clock.advance(24 * 3600_000);
    await api.reauth();
    expect((await api.get('/users')).status).toBe(200);
  });
});

describe('concurrency', () => {
  it('answers 429 to a call beyond the cap while others are in flight, and frees the slot when one ends', async () => {
    api = await connect({ concurrency: 2 });
    api.sim.faults.inject({ path: '/crm/v8/users' }, { kind: 'hang' }, 2);
    const aborts = [new AbortController(), new AbortController()];
    const hanging = aborts.map((a) => api!.call('GET', '/users', { signal: a.signal }).catch(() => 'aborted'));
    await new Promise((r) => setTimeout(r, 100));
    const third = await api.get('/Events?fields=Event_Title');
    expect(third.status).toBe(429);
    expect(third.body).toEqual(TOO_MANY);
    aborts[0]!.abort();
    await hanging[0];
    await new Promise((r) => setTimeout(r, 50));
    expect((await api.get('/Events?fields=Event_Title')).status).toBe(204);
    aborts[1]!.abort();
    await hanging[1];
  });
});

describe('fault injection', () => {
  it('replaces the next N matching answers, then answers normally again', async () => {
    api = await connect();
    const body = { code: 'INTERNAL_ERROR', message: 'Internal Server Error', status: 'error', details: {} };
    api.sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'respond', status: 500, body }, 2);
    expect(api.sim.faults.pending()).toBe(2);
    expect(await api.call('POST', '/Events', { body: { data: [EVENT] } })).toMatchObject({ status: 500, body });
    expect((await api.get('/Events?fields=Event_Title')).status).toBe(204);
    expect((await api.call('POST', '/Events', { body: { data: [EVENT] } })).status).toBe(500);
    expect((await api.call('POST', '/Events', { body: { data: [EVENT] } })).status).toBe(201);
    expect(api.sim.state.counts().Events).toBe(1);
    expect(api.sim.faults.pending()).toBe(0);
  });

  it('sends malformed JSON, Zoho\'s 429 and 503 bodies, a gateway 502, and matches by pattern', async () => {
    api = await connect();
    api.sim.faults.inject({ path: /Events\?fields/ }, { kind: 'malformed' });
    const malformed = await api.get('/Events?fields=Event_Title');
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    api.sim.faults.inject({ path: '/crm/v8/Events' }, { kind: 'throttle' });
    expect(await api.get('/Events?fields=Event_Title')).toMatchObject({ status: 429, body: TOO_MANY });
    api.sim.faults.inject({ path: '/crm/v8/Events' }, { kind: 'server-error', status: 503 });
    expect(await api.get('/Events?fields=Event_Title')).toMatchObject({
      status: 503,
      body: { code: 'SERVICE_UNAVAILABLE', details: {}, message: 'Service temporarily unavailable for maintenance', status: 'error' },
    });
    api.sim.faults.inject({ path: '/crm/v8/Events' }, { kind: 'server-error', status: 502 });
    const gateway = await api.get('/Events?fields=Event_Title');
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toContain('text/html');
  });

  it('delays, hangs until the client gives up, and drops the connection', async () => {
    api = await connect();
    api.sim.faults.inject({ path: '/crm/v8/users' }, { kind: 'delay', ms: 150 });
    const started = Date.now();
    expect((await api.get('/users')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    api.sim.faults.inject({ path: '/crm/v8/users' }, { kind: 'hang' });
    await expect(api.call('GET', '/users', { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    api.sim.faults.inject({ path: '/crm/v8/users' }, { kind: 'drop' });
    await expect(api.get('/users')).rejects.toThrow();
    expect((await api.get('/users')).status).toBe(200);
  });

  it('keeps a history of calls with their statuses, null for one abandoned unanswered', async () => {
    api = await connect();
    api.sim.faults.inject({ path: '/crm/v8/users' }, { kind: 'hang' });
    await api.call('GET', '/users', { signal: AbortSignal.timeout(100) }).catch(() => undefined);
    await api.get('/Events?fields=Event_Title');
    await new Promise((r) => setTimeout(r, 50));
    expect(api.sim.calls().map((c) => [c.server, c.method, c.url, c.status])).toEqual([
      ['accounts', 'POST', '/oauth/v2/token', 200],
      ['api', 'GET', '/crm/v8/users', null],
      ['api', 'GET', '/crm/v8/Events?fields=Event_Title', 204],
    ]);
  });

  it('spends no credits on injected answers', async () => {
    api = await connect();
    api.sim.faults.inject({ path: '/crm/v8/users' }, { kind: 'server-error' });
    await api.get('/users');
    expect(api.sim.credits()).toBe(0);
  });

  it('fails the token endpoint on the accounts server too', async () => {
    api = await connect();
    const mintsBefore = api.sim.tokens.mints();
    api.sim.faults.inject({ server: 'accounts', path: '/oauth/v2/token' }, { kind: 'server-error', status: 503 });
    expect((await refreshAccessToken(api.sim)).status).toBe(503);
    expect(api.sim.tokens.mints()).toBe(mintsBefore);
    expect((await refreshAccessToken(api.sim)).status).toBe(200);
  });
});
