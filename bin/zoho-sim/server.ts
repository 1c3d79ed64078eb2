/**
 * The two listeners: the accounts server (OAuth) and the API server (/crm/v8). Every API call
 * goes through the same gate: the `Zoho-oauthtoken` header, the route and its scope, the
 * concurrency cap, a scripted fault if one is armed, the credit budget, then the handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountsRoute, type AccountsContext } from './accounts/routes';
import type { Grants } from './accounts/grants';
import { route } from './api-routes';
import type { ApiContext } from './context';
import { ApiFailure, internalError, zohoError } from './errors';
import { INTERNAL_ERROR, SERVICE_UNAVAILABLE, type Fault, type Faults } from './faults';
import { readBody, send, toSimRequest, type SimRequest, type SimResponse } from './http';
import { Concurrency, Credits, TOO_MANY_REQUESTS, creditCost } from './limits';
import type { ResolvedOptions } from './options';
import { requireScope } from './scopes';

/** One request either server answered (or abandoned, status null), for tests and `--verbose`. */
export interface CallRecord {
  server: 'api' | 'accounts';
  method: string;
  /** Path and query as sent. */
  url: string;
  status: number | null;
  /** Simulated time the request arrived. */
  at: number;
}

export type CallLog = (call: CallRecord) => void;

/** Reports each request once its answer is sent or the connection is gone without one. */
function track(server: 'api' | 'accounts', req: IncomingMessage, res: ServerResponse, at: number, log: CallLog): void {
  res.once('close', () => log({ server, method: req.method ?? 'GET', url: req.url ?? '/', status: res.headersSent ? res.statusCode : null, at }));
}

export interface ApiGate {
  grants: Grants;
  faults: Faults;
  credits: Credits;
  concurrency: Concurrency;
  options: ResolvedOptions;
  /** Everything a handler needs, for the user the token belongs to. */
  context: (userId: string, scopes: readonly string[]) => ApiContext | undefined;
  now: () => number;
  calls: CallLog;
}

const AUTH_PREFIX = 'Zoho-oauthtoken ';

/** Applies an injected fault; returns true when the request is answered (or abandoned) by it. */
async function applyFault(fault: Fault, res: ServerResponse): Promise<boolean> {
  switch (fault.kind) {
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.ms));
      return false;
    case 'hang':
      return true;
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'respond':
      send(res, { status: fault.status, body: fault.body, headers: fault.headers });
      return true;
    case 'malformed':
      send(res, { status: fault.status ?? 200, text: '{"data":[{"id":"57257670', headers: { 'content-type': 'application/json;charset=UTF-8' } });
      return true;
    case 'throttle':
      send(res, { status: 429, body: TOO_MANY_REQUESTS });
      return true;
    case 'server-error': {
      const status = fault.status ?? 500;
      if (status === 502) send(res, { status, text: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } });
      else send(res, { status, body: status === 503 ? SERVICE_UNAVAILABLE : INTERNAL_ERROR });
      return true;
    }
  }
}

function authenticate(req: SimRequest, gate: ApiGate): { userId: string; scopes: readonly string[] } | SimResponse {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith(AUTH_PREFIX))
    return { status: 401, body: zohoError('AUTHENTICATION_FAILURE', 'Authentication failed') };
  const grant = gate.grants.authenticate(header.slice(AUTH_PREFIX.length).trim());
  if (!grant) return { status: gate.options.invalidTokenStatus, body: zohoError('INVALID_TOKEN', 'invalid oauth token') };
  return { userId: grant.refresh.userId, scopes: grant.refresh.scopes };
}

async function handleApi(req: IncomingMessage, res: ServerResponse, gate: ApiGate): Promise<void> {
  track('api', req, res, gate.now(), gate.calls);
  const sim = toSimRequest(req, await readBody(req));
  const who = authenticate(sim, gate);
  if ('status' in who) return send(res, who);
  const r = route(sim);
  requireScope(who.scopes, r.scope);
  let parsed: unknown;
  try {
    parsed = sim.body.length > 0 ? JSON.parse(sim.body.toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const cost = creditCost(sim.method, sim.path, parsed);
  const leave = gate.concurrency.enter(cost > 1);
  if (!leave) return send(res, { status: 429, body: TOO_MANY_REQUESTS });
  res.on('close', leave);
  // A scripted fault stands in for Zoho's own answer, holding its concurrency slot meanwhile.
  const fault = gate.faults.take('api', sim.method, req.url ?? '/');
  if (fault && (await applyFault(fault, res))) return;
  if (!gate.credits.take(cost)) return send(res, { status: 429, body: TOO_MANY_REQUESTS });
  const ctx = gate.context(who.userId, who.scopes);
  if (!ctx) return send(res, { status: 401, body: zohoError('INVALID_TOKEN', 'invalid oauth token') });
  send(res, r.run(ctx));
}

function guarded(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof ApiFailure) return send(res, { status: e.status, body: e.body });
      log(`zoho-sim: ${req.method} ${req.url} failed: ${e instanceof Error ? e.stack : String(e)}`);
      send(res, { status: 500, body: internalError() });
    });
  };
}

export function apiServer(gate: ApiGate): Server {
  return createServer(guarded((req, res) => handleApi(req, res, gate), gate.options.log));
}

export function accountsServer(ctx: AccountsContext, faults: Faults, log: (line: string) => void, now: () => number, calls: CallLog): Server {
  return createServer(
    guarded(async (req, res) => {
      track('accounts', req, res, now(), calls);
      const sim = toSimRequest(req, await readBody(req));
      const fault = faults.take('accounts', sim.method, req.url ?? '/');
      if (fault && (await applyFault(fault, res))) return;
      send(res, accountsRoute(sim, ctx));
    }, log),
  );
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

