/**
 * Zoho's two callbacks as mounts of the /crm router: its notifications (POST /crm/zoho/notify,
 * checked by the channel's token) and its OAuth redirect after the admin's consent (GET
 * /crm/zoho/oauth/callback, checked by the consent's one-time state).
 */
import type { ApiRequest, ApiResponse, Mount } from '../api/types';
import type { ChangeAppliers } from '../crm/types';
import type { ZohoParts } from '../crm/zoho';
import { CALLBACK_PATH, type ZohoConnection } from '../crm/zoho/connection';
import { errorText, type Logger } from '../platform/log';

export const ZOHO_NOTIFY_PATH = '/crm/zoho/notify';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

export function zohoNotifyMount(zoho: Pick<ZohoParts, 'notify'>, apply: ChangeAppliers): Mount {
  return {
    matches: (path) => path === ZOHO_NOTIFY_PATH,
    async serve(req: ApiRequest): Promise<ApiResponse> {
      if (req.method.toUpperCase() !== 'POST') return json(405, { error: 'POST only' }, { allow: 'POST' });
      const outcome = await zoho.notify(req.body, apply);
      return json(outcome.status, outcome.body);
    },
  };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(status: number, title: string, message: string): ApiResponse {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/crm/admin/#/connection">Back to the admin console</a></p></body></html>
`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }, body: html };
}

export function zohoCallbackMount(connection: Pick<ZohoConnection, 'finishConsent'>, log: Logger): Mount {
  return {
    matches: (path) => path === CALLBACK_PATH,
    async serve(req: ApiRequest): Promise<ApiResponse> {
      if (req.method.toUpperCase() !== 'GET') return page(405, 'Not allowed', 'Zoho sends the browser here with GET.');
      try {
        return page(200, 'Connected to Zoho', await connection.finishConsent(req.query));
      } catch (err) {
        log('error', 'Zoho connection failed', { error: errorText(err) });
        return page(400, 'Not connected', err instanceof Error ? err.message : 'The connection could not be made.');
      }
    },
  };
}
