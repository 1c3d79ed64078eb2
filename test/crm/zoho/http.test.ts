/**
 * The Zoho connector's plumbing against the simulator over real HTTP, its state on DynamoDB
 * Local: the shared access token (one mint for many containers, INVALID_TOKEN refreshed once,
 * Zoho's 10 mints per 10 minutes, refused credentials), the calls Zoho fails (429 with
 * retry_after, 5xx, no answer, unreadable JSON), the daily credit budget with its priorities and
 * the concurrency cap, and the 4xx refusals (also inside a 207) that must not look like outages.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startZohoSimulator, type ZohoSimulator } from '../../../bin/zoho-sim/index';
import { Budget, creditDay } from '../../../lambda/crm/zoho/budget';
import { zohoConfigFromEnv, type ZohoConfig } from '../../../lambda/crm/zoho/config';
import { ZohoConnector } from '../../../lambda/crm/zoho/connector';
import { ZohoHttp } from '../../../lambda/crm/zoho/http';
import { ZohoState } from '../../../lambda/crm/zoho/state';
import { MAX_MINTS, REFUSAL_HOLD_MS, TokenSource, ZohoAuthRefused } from '../../../lambda/crm/zoho/tokens';
import { CrmUnavailable, CrmValidationError, eventFieldDefaults, type CrmEventDraft } from '../../../lambda/crm/types';
import { KeyReader } from '../../../lambda/platform/dynamodb/key-reader';
import { freshTables, type TestTables } from '../../helpers/dynamo';

let sim: ZohoSimulator;
let config: ZohoConfig;
const made: TestTables[] = [];

beforeAll(async () => {
  sim = await startZohoSimulator({ searchIndexDelayMs: 0 });
  config = zohoConfigFromEnv(sim.connectorEnv());
});
afterAll(async () => {
  await sim?.stop();
  await Promise.all(made.map((t) => t.drop()));
});
beforeEach(() => sim.faults.clear());

/** One container's parts, on a connector table of its own unless given another container's state. */
async function container(opts: { state?: ZohoState; credentials?: ZohoConfig['credentials'] | null; dailyCredits?: number; concurrency?: number; timeoutMs?: number } = {}) {
  let state = opts.state;
  if (!state) {
    const t = await freshTables();
    made.push(t);
    state = new ZohoState(t.doc, t.tables.crm, new KeyReader(t.doc));
  }
  const credentials = opts.credentials === undefined ? config.credentials! : opts.credentials;
  const tokens = new TokenSource({ state, credentials: async () => credentials, timeoutMs: 2000 });
  const budget = new Budget(state, { dailyCredits: opts.dailyCredits ?? 1000, concurrency: opts.concurrency ?? 5 });
  const slept: number[] = [];
  const http = new ZohoHttp(tokens, budget, {
    timeoutMs: opts.timeoutMs ?? 2000,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { state, tokens, budget, http, slept };
}

const USERS = '/crm/v8/users';
const listUsers = (http: ZohoHttp) => http.call('GET', USERS, { query: { type: 'ActiveUsers' }, priority: 'sync' });

describe('the access token', () => {
  it('is minted once for containers sharing the state, and reused', async () => {
    const a = await container();
    const b = await container({ state: a.state });
    const before = sim.tokens.mints();
    const [x, y] = await Promise.all([a.tokens.get(), b.tokens.get()]);
    expect(x.accessToken).toBe(y.accessToken);
    expect(x.apiDomain).toBe(sim.apiUrl);
    await listUsers(a.http);
    await listUsers(b.http);
    expect(sim.tokens.mints() - before).toBe(1);
  });

  it('refused by Zoho (INVALID_TOKEN), is refreshed once and the call made again', async () => {
    const c = await container();
    await listUsers(c.http);
    const before = sim.tokens.mints();
    sim.tokens.expireAll();
    expect((await listUsers(c.http)).status).toBe(200);
    expect(sim.tokens.mints() - before).toBe(1);
  });

  it(`is never minted more than ${MAX_MINTS} times in 10 minutes: the next caller is told when`, async () => {
    const c = await container();
    const now = Date.now();
    expect(await c.state.leaseToken('seed', now, now + 1000)).toBe(true);
    await c.state.storeToken('seed', { accessToken: null, apiDomain: null, expiresAt: 0, mints: Array.from({ length: MAX_MINTS }, (_, i) => now - 60_000 + i) });
    const before = sim.tokens.mints();
    await expect(c.tokens.get()).rejects.toThrow(/Zoho allows 10 access tokens per 10 minutes; the next in \d+ s/);
    expect(sim.tokens.mints()).toBe(before);
  });

  it('with credentials Zoho refuses, or none, says to reconnect rather than retrying', async () => {
    const wrong = await container({ credentials: { ...config.credentials!, refreshToken: '1000.not-a-token' } });
    const refused = wrong.tokens.get();
    await expect(refused).rejects.toBeInstanceOf(ZohoAuthRefused);
    await expect(refused).rejects.toThrow(/reconnect in the admin console/);
    await expect((await container({ credentials: null })).tokens.get()).rejects.toThrow(/Zoho is not connected/);
  });

  it("keeps Zoho's refusal with the token for the console, until a token is issued again", async () => {
    const revoked = { ...config.credentials!, refreshToken: '1000.revoked' };
    const wrong = await container({ credentials: revoked });
    await expect(wrong.tokens.get()).rejects.toBeInstanceOf(ZohoAuthRefused);
    const refused = (await wrong.state.token())?.refused;
    expect(refused).toMatchObject({ error: expect.stringMatching(/^invalid_/) });
    expect(Math.abs(refused!.at - Date.now())).toBeLessThan(60_000);
    // An outage is not a refusal: the mark stays as it was, neither set nor cleared.
    sim.faults.inject({ server: 'accounts', path: '/oauth/v2/token' }, { kind: 'respond', status: 500, body: { error: 'server_error' } });
    const other = await container({ state: wrong.state, credentials: { ...revoked, refreshToken: '1000.other' } });
    await expect(other.tokens.get()).rejects.not.toBeInstanceOf(ZohoAuthRefused);
    expect(sim.faults.pending()).toBe(0);
    expect((await wrong.state.token())?.refused).toEqual(refused);
    // The credentials replaced: the next refresh succeeds and the mark goes.
    const fixed = await container({ state: wrong.state });
    await fixed.tokens.get();
    expect((await wrong.state.token())?.refused).toBeUndefined();
  });

  it(`does not send refused credentials to Zoho again for ${REFUSAL_HOLD_MS / 60_000} minutes; other credentials at once`, async () => {
    const revoked = { ...config.credentials!, refreshToken: '1000.revoked' };
    const first = await container({ credentials: revoked });
    await expect(first.tokens.get()).rejects.toBeInstanceOf(ZohoAuthRefused);
    // A fault on the token endpoint is left pending by a caller that does not ask Zoho.
    sim.faults.inject({ server: 'accounts', path: '/oauth/v2/token' }, { kind: 'respond', status: 400, body: { error: 'invalid_code' } });
    const held = await container({ state: first.state, credentials: revoked });
    await expect(held.tokens.get()).rejects.toThrow(/Zoho refused the credentials \(invalid_\w+\): reconnect/);
    expect(sim.faults.pending()).toBe(1);
    // An hour on, the same credentials are tried again (the fault answers them).
    const later = new TokenSource({ state: first.state, credentials: async () => revoked, now: () => Date.now() + REFUSAL_HOLD_MS + 1000, timeoutMs: 2000 });
    await expect(later.get()).rejects.toBeInstanceOf(ZohoAuthRefused);
    expect(sim.faults.pending()).toBe(0);
    // New credentials go at once.
    const fixed = await container({ state: first.state });
    expect((await fixed.tokens.get()).apiDomain).toBe(sim.apiUrl);
  });
});

describe("calls Zoho fails", () => {
  it('429: waits as retry_after says (else backs off with jitter), then succeeds; a 429 costs no credit', async () => {
    const c = await container();
    await listUsers(c.http);
    const used = await c.budget.usedToday();
    sim.faults.inject({ path: USERS }, { kind: 'respond', status: 429, body: { code: 'TOO_MANY_REQUESTS', status: 'error', message: 'slow down', details: { retry_after: 2 } } });
    sim.faults.inject({ path: USERS }, { kind: 'throttle' });
    expect((await listUsers(c.http)).status).toBe(200);
    expect(c.slept[0]).toBe(2000);
    expect(c.slept[1]).toBeLessThanOrEqual(1000);
    expect((await c.budget.usedToday()) - used).toBe(1);
  });

  it('5xx, no answer and unreadable JSON are tried three times, then CrmUnavailable names the call', async () => {
    const c = await container({ timeoutMs: 300 });
    sim.faults.inject({ path: USERS }, { kind: 'server-error', status: 503 }, 3);
    await expect(listUsers(c.http)).rejects.toThrow(/Zoho answered GET \/crm\/v8\/users with 503 SERVICE_UNAVAILABLE: try again later/);
    sim.faults.inject({ path: USERS }, { kind: 'hang' }, 3);
    await expect(listUsers(c.http)).rejects.toBeInstanceOf(CrmUnavailable);
    sim.faults.inject({ path: USERS }, { kind: 'malformed' }, 3);
    await expect(listUsers(c.http)).rejects.toThrow(/no readable JSON/);
    // Two failures then an answer: the caller never sees them.
    sim.faults.inject({ path: USERS }, { kind: 'drop' }, 1);
    sim.faults.inject({ path: USERS }, { kind: 'server-error', status: 502 }, 1);
    expect((await listUsers(c.http)).status).toBe(200);
  });
});

describe('the daily credit budget', () => {
  it('lets bulk work use 70 %, the reconcile and webhooks 90 %, phone changes all of it, counted across containers', async () => {
    const c = await container({ dailyCredits: 10 });
    const other = await container({ state: c.state, dailyCredits: 10 });
    await c.state.spend(creditDay(new Date()), 7);
    await expect(c.http.call('GET', USERS, { priority: 'bulk' })).rejects.toThrow(/budget for bulk work today is spent \(7 of 10\)/);
    await c.http.call('GET', USERS, { priority: 'sync' });
    // The other container's call is counted on top of this one's: 9 of 10.
    await other.http.call('GET', USERS, { priority: 'sync' });
    await expect(other.http.call('GET', USERS, { priority: 'sync' })).rejects.toThrow(/spent \(9 of 10\)/);
    await other.http.call('GET', USERS, { priority: 'phone' });
    await expect(other.http.call('GET', USERS, { priority: 'phone' })).rejects.toThrow(/budget for today is spent \(10 of 10\); it resumes tomorrow/);
    expect(await c.budget.usedToday()).toBe(10);
  });

  it('holds calls beyond the concurrency cap and lets the most urgent waiting one go first', async () => {
    const c = await container({ concurrency: 1 });
    const order: string[] = [];
    const first = await c.budget.acquire('bulk');
    const bulk = c.budget.acquire('bulk').then((release) => (order.push('bulk'), release()));
    const sync = c.budget.acquire('sync').then((release) => (order.push('sync'), release()));
    const phone = c.budget.acquire('phone').then((release) => (order.push('phone'), release()));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    first();
    await Promise.all([bulk, sync, phone]);
    expect(order).toEqual(['phone', 'sync', 'bulk']);
  });
});

describe("Zoho's refusals", () => {
  const owner = () => sim.state.users()[0]!;
  const draft = (): CrmEventDraft => ({
    Event_Title: 'Refused',
    Start_DateTime: '2026-12-10T09:00:00+01:00',
    End_DateTime: '2026-12-10T10:00:00+01:00',
    ...eventFieldDefaults(),
    Owner: { id: owner().id, email: owner().email, name: owner().email },
    caldav: { uid: `refused-${Date.now()}`, name: 'refused.ics' },
  });

  it('a 4xx naming a field, alone or inside a 207, is a validation error for that field, not an outage', async () => {
    const c = await container();
    const connector = new ZohoConnector({ http: c.http, state: c.state, config });
    sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'respond', status: 400, body: { data: [{ code: 'INVALID_DATA', status: 'error', message: 'invalid data', details: { api_name: 'Venue' } }] } });
    const refused = connector.upsertEvent(draft());
    await expect(refused).rejects.toBeInstanceOf(CrmValidationError);
    await expect(refused).rejects.toThrow(/Zoho refused POST Events: INVALID_DATA \(invalid data\)/);
    sim.faults.inject({ method: 'POST', path: '/crm/v8/Events' }, { kind: 'respond', status: 207, body: { data: [{ code: 'MANDATORY_NOT_FOUND', status: 'error', message: 'required field not found', details: { api_name: 'Event_Title' } }] } });
    await expect(connector.upsertEvent(draft())).rejects.toMatchObject({ field: 'Event_Title' });
    // No record was made by either.
    expect(sim.state.records('Events').filter((e) => e.Event_Title === 'Refused')).toEqual([]);
  });
});
