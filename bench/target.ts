/**
 * What a bench run talks to: our own server in this process on DynamoDB Local (metered: every
 * DynamoDB call is counted), or any CalDAV server by URL (`--url`, e.g. sabre/dav), found the
 * way a client finds it: current-user-principal → calendar-home-set → the first calendar.
 */
import { XMLParser } from 'fast-xml-parser';
import { formatSyncToken, parseSyncToken } from '../lambda/core/sync-token';
import { BenchClient } from './http';
import type { DynamoMeter } from './meter';
import type { CpuProbe } from './cpu';
import { startSystem, type SystemOptions } from './setup';

export interface BenchTarget {
  /** For the report: which server, on what. */
  label: string;
  client: BenchClient;
  /** The calendar collection's path, ending in `/`. */
  calendar: string;
  /** Only our own server, in this process, has its DynamoDB calls counted. */
  meter?: DynamoMeter;
  /** The servers' CPU, where it can be read. */
  cpu?: CpuProbe;
  /** A sync token `back` changes before `current`, where the server's token format is known. */
  tokenBefore?(current: string, back: number): string | undefined;
  /** A client of a server that has seen nothing yet (a new Lambda container): our own only. */
  coldClient?(): Promise<BenchClient>;
  stop(): Promise<void>;
}

export async function localTarget(env: NodeJS.ProcessEnv, opts: SystemOptions): Promise<BenchTarget> {
  const system = await startSystem(env, opts);
  const { email } = system.user;
  return {
    label: `crm-caldav on ${system.engine}, CRM: ${opts.crm === 'builtin' ? 'built-in (the shipped default)' : 'none (the CalDAV core alone)'}`,
    client: new BenchClient(system.url, system.user.authorization),
    calendar: `/calendars/${email}/crm/`,
    meter: system.meter,
    cpu: system.cpu,
    tokenBefore: (current, back) => {
      const seq = parseSyncToken(email, current);
      return seq !== null && seq > back ? formatSyncToken(email, seq - back) : undefined;
    },
    coldClient: async () => new BenchClient(await system.coldServer(), system.user.authorization),
    stop: () => system.stop(),
  };
}

const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, isArray: (name) => name === 'response' || name === 'href' });

interface Multistatus {
  multistatus?: { response?: Array<{ href?: string[]; propstat?: unknown }> };
}

/** Every href found under `prop` in the responses of a multistatus. */
function hrefsOf(text: string, prop: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown, inside: boolean) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'href' && inside) found.push(...[value].flat().map(String));
      else walk(value, inside || key === prop);
    }
  };
  for (const response of (xml.parse(text) as Multistatus).multistatus?.response ?? []) walk(response.propstat, false);
  return found;
}

const origin = (url: string) => new URL(url).origin;
const pathOf = (href: string, base: string) => new URL(href, base).pathname;

export async function httpTarget(url: string, user: string, password: string): Promise<BenchTarget> {
  const base = url.replace(/\/$/, '');
  const client = new BenchClient(origin(base), `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
  const propfind = async (path: string, depth: string, props: string) => {
    const reply = await client.expect(
      { method: 'PROPFIND', path, headers: { depth, 'content-type': 'application/xml' }, body: `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>${props}</d:prop></d:propfind>` },
      207,
    );
    return reply.text;
  };
  const root = new URL(base).pathname.replace(/\/?$/, '/');
  const principal = hrefsOf(await propfind(root, '0', '<d:current-user-principal/>'), 'current-user-principal')[0];
  if (!principal) throw new Error(`${url}: no current-user-principal for ${user}`);
  const home = hrefsOf(await propfind(pathOf(principal, base), '0', '<c:calendar-home-set/>'), 'calendar-home-set')[0];
  if (!home) throw new Error(`${url}: no calendar-home-set for ${user}`);
  const listing = await propfind(pathOf(home, base), '1', '<d:resourcetype/>');
  const calendars = (xml.parse(listing) as Multistatus).multistatus?.response?.filter((r) => JSON.stringify(r.propstat ?? '').includes('"calendar"')) ?? [];
  const calendar = calendars[0]?.href?.[0];
  if (!calendar) throw new Error(`${url}: no calendar in ${home}`);
  const path = pathOf(calendar, base).replace(/\/?$/, '/');
  const objects = (xml.parse(await propfind(path, '1', '<d:getetag/>')) as Multistatus).multistatus?.response?.length ?? 0;
  // The seed creates its events with If-None-Match: *, so a second run would only get 412s.
  if (objects > 1) throw new Error(`${url}: calendar ${path} already holds ${objects - 1} objects; the bench needs an empty one (a fresh data directory)`);
  return { label: `${url} as ${user}`, client, calendar: path, stop: async () => {} };
}
