/**
 * Parameters of a token request wherever the client put them: the query string (Zoho's curl
 * examples), an urlencoded body, or multipart form-data (what Zoho's SDK sends).
 */
import type { SimRequest } from '../http';
import { header } from '../http';

function multipart(body: Buffer, boundary: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of body.toString('utf8').split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    out.set(name, part.slice(split + 4).replace(/\r\n$/, ''));
  }
  return out;
}

export function formParams(req: SimRequest): Map<string, string> {
  const params = new Map<string, string>(req.query);
  const type = header(req, 'content-type') ?? '';
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(type)?.[1];
  const fromBody = boundary
    ? multipart(req.body, boundary)
    : /application\/x-www-form-urlencoded/i.test(type) || (type === '' && req.body.length > 0)
      ? new Map<string, string>(new URLSearchParams(req.body.toString('utf8')))
      : new Map<string, string>();
  for (const [k, v] of fromBody) params.set(k, v);
  return params;
}
