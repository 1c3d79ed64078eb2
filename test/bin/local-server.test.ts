import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { composeApp } from '../../lambda/app/app';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { hashPassword } from '../../lambda/accounts/passwords';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';

const PASSWORD = 'abcd-efgh-jkmn-pqrs';
const authorization = `Basic ${Buffer.from(`ana@example.com:${PASSWORD}`).toString('base64')}`;
let server: LocalServer;

beforeAll(async () => {
  const users = new MemoryUserStore();
  await users.putUser({
    email: 'ana@example.com',
    passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }),
    enabled: true,
    createdAt: '2025-01-01T00:00:00Z',
  });
  server = await startLocalServer({
    port: 0,
    app: composeApp({ store: new MemoryCalendarStore(), users, config: DEFAULT_CONFIG }),
  });
});
afterAll(() => server?.stop());

describe('local server (memory stores)', () => {
  it('listens on 127.0.0.1 and answers OPTIONS without credentials', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(server.url, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('dav')).toContain('calendar-access');
    expect(res.headers.get('content-length')).toBe('0');
  });

  it('asks for Basic credentials', async () => {
    const res = await fetch(server.url, { method: 'PROPFIND', headers: { depth: '0' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="crm-caldav", charset="UTF-8"');
    expect(Number(res.headers.get('content-length'))).toBe((await res.arrayBuffer()).byteLength);
  });

  it('routes /.well-known/caldav to the redirect', async () => {
    const res = await fetch(new URL('/.well-known/caldav', server.url), { method: 'PROPFIND', redirect: 'manual' });
    expect([301, 302, 307, 308]).toContain(res.status);
  });

  it('passes authenticated requests with a body through to the method', async () => {
    const res = await fetch(server.url, {
      method: 'MKCALENDAR',
      headers: { authorization },
    });
    expect(res.status).toBe(403);
  });

  it('answers unknown methods with 405', async () => {
    const res = await fetch(server.url, { method: 'LOCK', headers: { authorization } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('PROPFIND');
  });
});

describe('start-up errors say which flag helps', () => {
  it('a port in use names --port, before any engine starts', async () => {
    const port = Number(new URL(server.url).port);
    const app = composeApp({ store: new MemoryCalendarStore(), users: new MemoryUserStore(), config: DEFAULT_CONFIG });
    await expect(startLocalServer({ port, app })).rejects.toThrow(`127.0.0.1:${port} is already in use (another crm-caldav server?): choose another port with --port N (or CALDAV_PORT)`);
  });
});
