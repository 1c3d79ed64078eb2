/** GET /crm/admin/…: the admin console's files, with strict headers and ETags. */
import { CONSOLE_CSP, CONSOLE_PATH, type ConsoleAssets } from '../console/assets';
import { notFound } from '../api/errors';
import type { ApiRequest, ApiResponse } from '../api/types';

export const isConsolePath = (path: string) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function serveConsole(req: ApiRequest, assets: ConsoleAssets | undefined): ApiResponse {
  if (!assets) throw notFound('The admin console is not installed here');
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' }, body: '' };
  if (req.path === CONSOLE_PATH) return { status: 308, headers: { location: `${CONSOLE_PATH}/`, ...SECURITY_HEADERS }, body: '' };
  // Any other path is a view of the single-page app (it routes by the fragment): the page itself.
  const name = req.path.slice(CONSOLE_PATH.length + 1) || 'index.html';
  const asset = assets.get(name) ?? (name.includes('.') ? undefined : assets.get('index.html'));
  if (!asset) throw notFound(`No such file ${req.path}`);
  const headers = { 'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'no-cache', ...SECURITY_HEADERS };
  if (req.headers['if-none-match'] === asset.etag) return { status: 304, headers, body: '' };
  return { status: 200, headers, body: asset.body };
}
