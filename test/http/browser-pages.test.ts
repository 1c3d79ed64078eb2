/**
 * A browser at the server's address: `GET /` asking for HTML gets a page pointing to the
 * console, the icons browsers fetch on their own get 404, neither with a Basic challenge; CalDAV
 * clients (no text/html, or PROPFIND) get exactly what they got before.
 */
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeApp, type App } from '../../lambda/app/app';
import { hashPassword } from '../../lambda/accounts/passwords';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { createRouter } from '../../lambda/handlers/routing';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';
import { browserPage } from '../../lambda/http/browser-pages';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';

const CHROME_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const auth = { authorization: `Basic ${Buffer.from('ana@example.com:ana-app-password').toString('base64')}` };
let app: App;

beforeAll(async () => {
  const users = new MemoryUserStore();
  await users.putUser({ email: 'ana@example.com', passwordHash: await hashPassword('ana-app-password', { N: 1024, r: 8, p: 1 }), enabled: true, createdAt: '2025-01-01T00:00:00Z' });
  app = composeApp({ store: new MemoryCalendarStore(), users, config: DEFAULT_CONFIG });
});

async function send(method: string, url: string, headers: Record<string, string> = {}, body?: string) {
  const event = buildApiGatewayEvent({ method, url, headers, body: body === undefined ? undefined : Buffer.from(body) });
  const route = createRouter(async () => app);
  const result = await route(method, event.rawPath)(event, { awsRequestId: 'r' } as Context);
  return { status: result.statusCode!, headers: (result.headers ?? {}) as Record<string, string>, body: String(result.body ?? '') };
}

describe('browser pages', () => {
  it('answers a browser at / with a short page pointing to the console, no Basic prompt', async () => {
    const res = await send('GET', '/', { accept: CHROME_ACCEPT });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toContain('href="/crm/admin/"');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers.vary).toContain('Accept');
  });

  it('answers /favicon.ico (and the iOS icons) 404 without a Basic prompt', async () => {
    for (const path of ['/favicon.ico', '/apple-touch-icon.png', '/apple-touch-icon-precomposed.png']) {
      const res = await send('GET', path, { accept: 'image/avif,image/webp,*/*' });
      expect(res.status, path).toBe(404);
      expect(res.headers['www-authenticate'], path).toBeUndefined();
    }
  });

  it('leaves CalDAV clients as they were: GET / without text/html and PROPFIND / are challenged, and served once logged in', async () => {
    for (const [method, headers] of [['GET', {}], ['GET', { accept: '*/*' }], ['PROPFIND', { depth: '0', accept: CHROME_ACCEPT }]] as const) {
      const res = await send(method, '/', headers);
      expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    }
    const propfind = await send('PROPFIND', '/', { ...auth, depth: '0', 'content-type': 'application/xml' }, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>');
    expect(propfind.status).toBe(207);
    expect(propfind.body).toContain('/principals/ana@example.com/');
    // A browser that sends credentials is a logged-in client: it gets what GET / gives one.
    expect((await send('GET', '/', { ...auth, accept: CHROME_ACCEPT })).status).not.toBe(401);
  });

  it('is pure: other paths and methods are none of its business', () => {
    const req = (method: string, path: string, accept = CHROME_ACCEPT) => ({ method, path, headers: { accept }, body: '' });
    expect(browserPage(req('GET', '/calendars/ana@example.com/'))).toBeNull();
    expect(browserPage(req('POST', '/'))).toBeNull();
    expect(browserPage(req('HEAD', '/'))?.status).toBe(200);
    expect(browserPage(req('GET', '/', 'text/calendar'))).toBeNull();
  });
});
