/**
 * The local server in-process on a free port, against fresh DynamoDB tables, with users created
 * straight in the users table and Radicale-style request helpers (one per method, multistatus
 * bodies parsed with multistatus.ts).
 */
import { readFileSync } from 'node:fs';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import type { App } from '../../lambda/app/app';
import { hashPassword } from '../../lambda/accounts/passwords';
import { DynamoCalendarStore } from '../../lambda/store/dynamodb/calendar-store';
import { DynamoUserStore } from '../../lambda/store/dynamodb/user-store';
import { freshTables, type TestTables } from './dynamo';
import { parseMultistatus, type ParsedMultistatus } from './multistatus';

/** Cheap scrypt parameters: verification reads them from the stored hash, so logins stay fast. */
const TEST_COST = { N: 1024, r: 8, p: 1 };

export interface TestUser {
  email: string;
  password: string;
  authorization: string;
}

export interface RequestOptions {
  body?: string;
  headers?: Record<string, string>;
  depth?: '0' | '1' | 'infinity';
  /** Send no Authorization header. */
  anonymous?: boolean;
}

export interface DavReply {
  status: number;
  headers: Headers;
  text: string;
}

export interface MultistatusReply extends DavReply {
  ms: ParsedMultistatus;
}

export interface InteropServer {
  /** Base URL, ending in '/'. */
  url: string;
  tables: TestTables;
  /** The App behind the server's handlers (its scheduled pass, its CRM bridge). */
  app: App;
  users: DynamoUserStore;
  /** The calendar tables the server writes, read directly (change log, counter). */
  store: DynamoCalendarStore;
  addUser(email: string, password?: string): Promise<TestUser>;
  setEnabled(email: string, enabled: boolean): Promise<void>;
  /** A client speaking as `user` (or as nobody). */
  as(user: TestUser | null): DavClient;
  stop(): Promise<void>;
}

/** @param env extra environment for the server (e.g. CRM_ADMIN_TOKEN). */
export async function startInteropServer(env: Record<string, string> = {}): Promise<InteropServer> {
  const tables = await freshTables();
  const users = new DynamoUserStore(tables.doc, tables.tables.users);
  let server: LocalServer;
  try {
    server = await startLocalServer({
      port: 0,
      dynamodbEndpoint: tables.endpoint,
      env: { ...process.env, ...tables.env, ...env },
    });
  } catch (err) {
    await tables.drop();
    throw err;
  }
  return {
    url: server.url,
    tables,
    app: server.app,
    users,
    store: new DynamoCalendarStore(tables.doc, { events: tables.tables.events, sync: tables.tables.sync }),
    async addUser(email, password = `pw-${email}`) {
      await users.putUser({
        email,
        passwordHash: await hashPassword(password, TEST_COST),
        enabled: true,
        createdAt: new Date().toISOString(),
      });
      return { email, password, authorization: basic(email, password) };
    },
    async setEnabled(email, enabled) {
      const user = await users.getUser(email);
      if (!user) throw new Error(`no user ${email}`);
      await users.putUser({ ...user, enabled });
    },
    as: (user) => new DavClient(server.url, user),
    async stop() {
      await server.stop();
      await tables.drop();
    },
  };
}

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export class DavClient {
  constructor(
    readonly baseUrl: string,
    readonly user: TestUser | null,
  ) {}

  /** Paths of the user's collections, with '@' raw as the server writes them. */
  get paths() {
    const email = this.user?.email ?? '';
    return {
      principal: `/principals/${email}/`,
      home: `/calendars/${email}/`,
      calendar: `/calendars/${email}/crm/`,
      object: (name: string) => `/calendars/${email}/crm/${name}`,
    };
  }

  /** Redirects are not followed: tests look at them as the client would. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<DavReply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.user && !opts.anonymous) headers.authorization = this.user.authorization;
    if (opts.depth) headers.depth = opts.depth;
    if (opts.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = opts.body.startsWith('BEGIN:') ? 'text/calendar; charset=utf-8' : 'application/xml; charset=utf-8';
    }
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: opts.body, redirect: 'manual' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async propfind(path: string, body: string, depth: '0' | '1' | 'infinity' = '0', opts: RequestOptions = {}) {
    return withMultistatus(await this.request('PROPFIND', path, { ...opts, body, depth }));
  }

  async report(path: string, body: string, depth: '0' | '1' = '1', opts: RequestOptions = {}) {
    return withMultistatus(await this.request('REPORT', path, { ...opts, body, depth }));
  }

  get(path: string) {
    return this.request('GET', path);
  }

  put(path: string, ics: string, headers: Record<string, string> = {}) {
    return this.request('PUT', path, { body: ics, headers: { 'content-type': 'text/calendar; charset=utf-8', ...headers } });
  }

  delete(path: string, headers: Record<string, string> = {}) {
    return this.request('DELETE', path, { headers });
  }

  /** sync-collection on the user's calendar, asking for getetag. */
  syncCollection(token: string, opts: { limit?: number; props?: string } = {}) {
    return this.report(this.paths.calendar, syncCollectionBody(token, opts));
  }

  multiget(hrefs: string[], props = '<d:getetag/><c:calendar-data/>', path = this.paths.calendar) {
    return this.report(path, multigetBody(hrefs, props));
  }
}

/** Parses a 207 body; other statuses keep `ms` empty so assertions on status read first. */
function withMultistatus(reply: DavReply): MultistatusReply {
  const ms =
    reply.status === 207 ? parseMultistatus(reply.text) : { responses: new Map(), statuses: new Map(), syncToken: undefined };
  return { ...reply, ms };
}

const NS_DECL = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:ical="http://apple.com/ns/ical/"';

export const propfindBody = (props: string) => `<?xml version="1.0" encoding="utf-8"?>
<d:propfind ${NS_DECL}><d:prop>${props}</d:prop></d:propfind>`;

export function syncCollectionBody(token: string, opts: { limit?: number; props?: string } = {}) {
  const limit = opts.limit === undefined ? '' : `<d:limit><d:nresults>${opts.limit}</d:nresults></d:limit>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection ${NS_DECL}><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level>${limit}<d:prop>${opts.props ?? '<d:getetag/>'}</d:prop></d:sync-collection>`;
}

export const multigetBody = (hrefs: string[], props: string) => `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-multiget ${NS_DECL}><d:prop>${props}</d:prop>${hrefs.map((h) => `<d:href>${h}</d:href>`).join('')}</c:calendar-multiget>`;

export const timeRangeQueryBody = (start: string, end: string, props = '<d:getetag/>') => `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query ${NS_DECL}><d:prop>${props}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="${start}" end="${end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;

/** Clark names for the properties tests look at. */
export const P = {
  d: (local: string) => `{DAV:}${local}`,
  c: (local: string) => `{urn:ietf:params:xml:ns:caldav}${local}`,
  cs: (local: string) => `{http://calendarserver.org/ns/}${local}`,
  ical: (local: string) => `{http://apple.com/ns/ical/}${local}`,
};

/** Reads a fixture from test/fixtures/<dir>/<name>. */
export const fixture = (dir: string, name: string) =>
  readFileSync(new URL(`../fixtures/${dir}/${name}`, import.meta.url), 'utf8');

/** A reminder as iOS Reminders sends it (fixtures/ics/ios-reminder.ics), with its UID. */
export const IOS_REMINDER = { ics: fixture('ics', 'ios-reminder.ics'), uid: '6F2B9A10-3C4D-4E5F-8A9B-0C1D2E3F4A5B' } as const;
