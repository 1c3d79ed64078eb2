/**
 * ADMIN_ALLOWED_IPS: the console and /crm/v1 only from listed addresses, checked in the handler
 * (so on AWS and on the local server alike) against the address the front door saw; set-up
 * links stay open.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ALLOWLIST_ENV, parseAllowlist } from '../../lambda/api/allowlist';
import { composeApp } from '../../lambda/app/app';
import { buildApp } from '../../lambda/app/build';
import { fixedApp } from '../../lambda/app/container';
import { consoleAssets } from '../../lambda/console/assets';
import { DEFAULT_CONFIG } from '../../lambda/core/types';
import { crmApiHandler } from '../../lambda/handlers/crm-api';
import { buildApiGatewayEvent } from '../../lambda/http/api-gateway-event';
import { acceptAlb } from '../../lambda/http/front-door';
import { MemoryCalendarStore, MemoryUserStore } from '../../lambda/store/memory';

const TOKEN = 'allowlist-admin-token-0123456789';

function handlerWith(allowed: string) {
  const app = composeApp({
    store: new MemoryCalendarStore(),
    users: new MemoryUserStore(),
    config: DEFAULT_CONFIG,
    adminToken: TOKEN,
    console: consoleAssets({ 'index.html': '<!doctype html><title>console</title>' }),
    allowlist: parseAllowlist(allowed),
  });
  return acceptAlb(crmApiHandler(fixedApp(app)));
}

async function call(handler: ReturnType<typeof handlerWith>, path: string, sourceIp: string, method = 'GET', headers: Record<string, string> = {}) {
  const event = buildApiGatewayEvent({ method, url: path, headers: { authorization: `Bearer ${TOKEN}`, ...headers }, sourceIp });
  const result = (await handler(event, { awsRequestId: 'a' } as Context)) as { statusCode: number; body: string; headers?: Record<string, string> };
  return { status: result.statusCode, body: result.body, headers: result.headers ?? {} };
}

describe('parseAllowlist', () => {
  it('reads addresses and CIDR ranges of both families, and nothing means everyone', () => {
    const list = parseAllowlist(' 203.0.113.0/24, 198.51.100.7  2001:db8::/48 ')!;
    expect(list.entries).toEqual(['203.0.113.0/24', '198.51.100.7', '2001:db8::/48']);
    for (const ok of ['203.0.113.1', '203.0.113.254', '198.51.100.7', '2001:db8:0:1::5', '::ffff:203.0.113.9']) expect(list.allows(ok), ok).toBe(true);
    for (const no of ['203.0.114.1', '198.51.100.8', '2001:db9::1', '', undefined, 'not-an-ip']) expect(list.allows(no), String(no)).toBe(false);
    expect(parseAllowlist(undefined)).toBeNull();
    expect(parseAllowlist(' , ')).toBeNull();
  });

  it('refuses entries it cannot read, naming the variable', () => {
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.1/8/2', '2001:db8::/129', '10.0.0.0/x']) {
      expect(() => parseAllowlist(bad), bad).toThrow(new RegExp(`${ALLOWLIST_ENV}: "${bad.replace(/[./]/g, '\\$&')}"`));
    }
    expect(() => buildApp({ env: { [ALLOWLIST_ENV]: 'nope', CALDAV_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' } })).toThrow(ALLOWLIST_ENV);
  });
});

describe('the allowlist in the CRM API handler', () => {
  it('lets listed addresses use the console and the API, refuses others with 403 before anything else', async () => {
    const handler = handlerWith('203.0.113.0/24');
    expect((await call(handler, '/crm/v1/users', '203.0.113.5')).status).toBe(200);
    expect((await call(handler, '/crm/admin/', '203.0.113.5')).status).toBe(200);
    const refused = await call(handler, '/crm/v1/users', '198.51.100.1');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/^Not allowed from this network address \(198\.51\.100\.1\)/) });
    const page = await call(handler, '/crm/admin/', '198.51.100.1');
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/plain/);
    // Before authentication too: a stranger learns nothing of the API.
    expect((await call(handler, '/crm/v1/session', '198.51.100.1', 'POST', { authorization: '' })).status).toBe(403);
  });

  it('keeps set-up links open from anywhere: phones open them on any network', async () => {
    const handler = handlerWith('203.0.113.0/24');
    expect((await call(handler, '/crm/v1/onboarding', '198.51.100.1')).status).toBe(200);
    expect((await call(handler, '/crm/v1/onboarding/check', '198.51.100.1', 'POST', { 'content-type': 'application/json' })).status).not.toBe(403);
  });

  it('behind the ALB, trusts the address the load balancer appended, not one the client wrote', async () => {
    const handler = handlerWith('203.0.113.0/24');
    const alb = (forwarded: string) =>
      handler(
        { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/y' } }, httpMethod: 'GET', path: '/crm/v1/users', queryStringParameters: {}, headers: { host: 'h', authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': forwarded }, body: '', isBase64Encoded: false },
        { awsRequestId: 'b' } as Context,
      );
    expect((await alb('203.0.113.5, 198.51.100.1')).statusCode).toBe(403);
    expect((await alb('198.51.100.1, 203.0.113.5')).statusCode).toBe(200);
  });

  it('lets everyone in when nothing is listed', async () => {
    expect((await call(handlerWith(''), '/crm/v1/users', '198.51.100.1')).status).toBe(200);
  });
});
