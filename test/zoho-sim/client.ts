/** A bare HTTP client for the simulator tests: raw status, headers and parsed body. */
import { startZohoSimulator, type ZohoSimulator, type ZohoSimulatorOptions } from '../../bin/zoho-sim/index';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when it is not JSON, or undefined when empty. */
  body: any;
  text: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

export async function refreshAccessToken(sim: ZohoSimulator, refreshToken = sim.refreshToken): Promise<Answer> {
  return request(`${sim.accountsUrl}/oauth/v2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: sim.clientId, client_secret: sim.clientSecret, refresh_token: refreshToken }),
  });
}

export interface Api {
  sim: ZohoSimulator;
  token: string;
  call(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; raw?: string; signal?: AbortSignal }): Promise<Answer>;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  /** Mints a new access token (after moving the clock past the old one's hour). */
  reauth(): Promise<void>;
}

/** Starts a simulator, mints an access token the way the connector would, and calls /crm/v8 with it. */
export async function connect(options: ZohoSimulatorOptions = {}): Promise<Api> {
  const sim = await startZohoSimulator(options);
  const api = {} as Api;
  const call: Api['call'] = (method, path, o = {}) =>
    request(`${sim.apiUrl}/crm/v8${path}`, {
      method,
      headers: { authorization: `Zoho-oauthtoken ${api.token}`, ...(o.body !== undefined || o.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
      body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      signal: o.signal,
    });
  const reauth = async () => {
    api.token = (await refreshAccessToken(sim)).body.access_token as string;
  };
  Object.assign(api, { sim, call, get: (path: string, headers?: Record<string, string>) => call('GET', path, { headers }), reauth });
  await reauth();
  return api;
}

export const EVENT = {
  Event_Title: 'Renewal Contract Review',
  Start_DateTime: '2026-08-25T10:00:00-05:00',
  End_DateTime: '2026-08-25T11:00:00-05:00',
};

/** An ISO instant to the second with `Z` (what Zoho accepts in headers and bodies). */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
