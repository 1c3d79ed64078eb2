/**
 * The set-up link's pages, as the phone's browser sees them. The link carries its secret in the
 * URL fragment (`/crm/v1/onboarding#<token>`), which browsers never send: no access log, proxy
 * or Referer ever sees it. The landing page is the same for every link; its one inline script
 * reads the fragment, asks whether the link is live (POST, token in the body) and puts the token
 * into the two forms, whose POST bodies spend it.
 *
 * The script is allowed by its SHA-256 in the Content-Security-Policy, not by 'unsafe-inline':
 * only this exact text runs, so nothing injected into the page could. A served script file
 * ('self') would do as well but costs a second request and route for a dozen lines.
 */
import { createHash } from 'node:crypto';

export const ONBOARDING_PATH = '/crm/v1/onboarding';
export const CHECK_PATH = `${ONBOARDING_PATH}/check`;
export const PROFILE_PATH = `${ONBOARDING_PATH}/profile`;
export const MANUAL_PATH = `${ONBOARDING_PATH}/manual`;

/** The link a phone opens: the secret after `#`, never sent to any server. */
export const linkUrl = (origin: string, token: string) => `${origin}${ONBOARDING_PATH}#${token}`;

export interface HtmlPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `body{font:17px -apple-system,system-ui,sans-serif;max-width:32em;margin:2em auto;padding:0 1em;color:#1c1c1e}
button{font:inherit;width:100%;padding:.8em;margin:.4em 0;border-radius:.6em;border:0;background:#007aff;color:#fff}
button.plain{background:#e5e5ea;color:#007aff}`;

/** Reads the fragment, checks the link, arms the forms; messages stay in the page's own words. */
const SCRIPT = `(function () {
  var token = decodeURIComponent(location.hash.slice(1));
  var say = function (text) { var p = document.getElementById('status'); p.textContent = text; p.hidden = false; document.getElementById('wait').hidden = true; };
  if (!token) return say('This link is incomplete: open the whole link you were sent, or ask your CRM admin for a new one.');
  fetch(${JSON.stringify(CHECK_PATH)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token }), credentials: 'omit' })
    .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
    .then(function (r) {
      if (!r.ok) return say(r.body && r.body.error ? r.body.error.message : 'This link cannot be used.');
      document.getElementById('email').textContent = r.body.data.email;
      var fields = document.querySelectorAll('input[name=token]');
      for (var i = 0; i < fields.length; i++) fields[i].value = token;
      document.getElementById('wait').hidden = true;
      document.getElementById('ready').hidden = false;
    })
    .catch(function () { say('The server could not be reached: check the connection and open the link again.'); });
})();`;

const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`;

/** No caching, no Referer, no sniffing: these pages lead to a password. */
export const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };

const csp = (script: boolean) =>
  `default-src 'none'; style-src 'unsafe-inline'; ${script ? `script-src '${SCRIPT_HASH}'; connect-src 'self'; ` : ''}form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

function page(status: number, title: string, body: string, script = false): HtmlPage {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}${script ? `<script>${SCRIPT}</script>` : ''}</body></html>
`;
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp(script), 'x-frame-options': 'DENY', ...NO_STORE },
    body: html,
  };
}

/** GET /crm/v1/onboarding: the same page for every link; the script finds which. */
export const landingPage = (): HtmlPage =>
  page(
    200,
    'Add your CRM calendar',
    `<p id="wait">Checking the link…</p>
<noscript><p>This page needs JavaScript to read the link. Turn it on in Settings → Safari → Advanced, or ask your CRM admin for the settings.</p></noscript>
<p id="status" hidden></p>
<div id="ready" hidden>
<p>This sets up the calendar of <b id="email"></b> on this iPhone or iPad. The link works once.</p>
<form method="post" action="${PROFILE_PATH}"><input type="hidden" name="token"><button>Download the profile</button></form>
<p>Then open Settings, tap <i>Profile Downloaded</i> and <i>Install</i>.</p>
<form method="post" action="${MANUAL_PATH}"><input type="hidden" name="token"><button class="plain">Show the settings to type in instead</button></form>
</div>`,
    true,
  );

/** A link that cannot be used, and what to do about it. */
export const refusalPage = (message: string): HtmlPage => page(410, 'Link not usable', `<p>${escapeHtml(message)}</p>`);
