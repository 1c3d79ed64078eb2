/**
 * `npm run zoho:sim`: starts a seeded org and prints the environment for `npm start`; the printed
 * credentials work against the printed servers; SIGTERM stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from './client';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function start(args: string[]): Promise<{ env: Map<string, string>; output: string }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'bin/zoho-sim/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no environment line in: ${output}`)), 20_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('CRM_CONNECTOR=zoho'));
      if (line && output.includes('Ctrl-C')) {
        clearTimeout(timer);
        const env = new Map(line.trim().replace(/ npm start$/, '').split(' ').map((kv) => kv.split('=', 2) as [string, string]));
        resolve({ env, output });
      }
    });
    child!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child!.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

describe('npm run zoho:sim', () => {
  it('prints the environment for npm start, whose credentials reach a seeded org, and stops on SIGTERM', async () => {
    const { env } = await start(['--port', '0', '--refresh-token', '1000.fixed.token']);
    expect([...env.keys()]).toEqual(['CRM_CONNECTOR', 'ZOHO_ACCOUNTS_URL', 'ZOHO_API_DOMAIN', 'ZOHO_CLIENT_ID', 'ZOHO_CLIENT_SECRET', 'ZOHO_REFRESH_TOKEN']);
    expect(env.get('ZOHO_REFRESH_TOKEN')).toBe('1000.fixed.token');
    const token = await request(`${env.get('ZOHO_ACCOUNTS_URL')}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: env.get('ZOHO_CLIENT_ID')!, client_secret: env.get('ZOHO_CLIENT_SECRET')!, refresh_token: env.get('ZOHO_REFRESH_TOKEN')! }),
    });
    expect(token.body.api_domain).toBe(env.get('ZOHO_API_DOMAIN'));
    const auth = { authorization: `Zoho-oauthtoken ${token.body.access_token}` };
    const users = await request(`${env.get('ZOHO_API_DOMAIN')}/crm/v8/users?type=ActiveUsers`, { headers: auth });
    expect(users.body.users.map((u: { email: string }) => u.email)).toEqual(['patriciab@zillum.com', 'other@zillum.com', 'ted@zillum.com']);
    const leads = await request(`${env.get('ZOHO_API_DOMAIN')}/crm/v8/Leads?fields=Email`, { headers: auth });
    expect(leads.body.data.length).toBeGreaterThan(0);
    const events = await request(`${env.get('ZOHO_API_DOMAIN')}/crm/v8/Events?fields=Event_Title`, { headers: auth });
    expect(events.body.data.length).toBeGreaterThan(0);
    const exited = new Promise<number | null>((r) => child!.once('exit', r));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
