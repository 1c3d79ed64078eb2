/**
 * What a web browser gets from the CalDAV door without credentials, instead of a Basic prompt it
 * has no use for: the server's address itself (`GET /` asking for HTML) answers a short page
 * pointing to the admin console, and the icons browsers fetch on their own answer 404. CalDAV
 * clients never ask for text/html, so they keep getting the 401 challenge that makes them log in;
 * PROPFIND and every other method are untouched.
 */
import type { DavRequest, DavResponse } from '../core/types';

const ICONS = new Set(['/favicon.ico', '/apple-touch-icon.png', '/apple-touch-icon-precomposed.png']);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM calendar server</title>
<style>body{font:16px -apple-system,system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em;color:#1c1c1e}code{font-size:.95em}</style></head>
<body><h1>CRM calendar server</h1>
<p>This address is a CalDAV server: add it to a calendar app (iPhone: Settings → Calendar → Accounts → Add Account → Other → Add CalDAV Account) with your CRM e-mail and the app password your admin gave you.</p>
<p>Admins: the console is at <a href="/crm/admin/">/crm/admin/</a>.</p>
</body></html>
`;

const wantsHtml = (accept: string | undefined) => /\btext\/html\b/i.test(accept ?? '');

/** The answer for a browser's request without credentials, or null for everything else. */
export function browserPage(req: DavRequest): DavResponse | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  if (ICONS.has(req.path)) {
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=86400' }, body: 'Not Found\n' };
  }
  if (req.path !== '/' || !wantsHtml(req.headers.accept)) return null;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      // A cache in between must not hand this page to a CalDAV client, nor the 401 to a browser.
      vary: 'Accept, Authorization',
    },
    body: PAGE,
  };
}
