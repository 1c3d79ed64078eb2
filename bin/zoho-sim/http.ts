/** The simulator's own small HTTP layer: what a handler sees and what it answers. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { fail } from './errors';

export interface SimRequest {
  method: string;
  /** Path without the query string, percent-decoding left to the handler. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  /** Serialised as JSON; absent for 204/304. */
  body?: unknown;
  /** Sent verbatim instead of `body` (HTML pages, deliberately broken JSON). */
  text?: string;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown): SimResponse => ({ status, body });
export const empty = (status: 204 | 304): SimResponse => ({ status });

export async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw fail(413, 'FILE_SIZE_MORE_THAN_ALLOWED_SIZE', 'request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function toSimRequest(req: IncomingMessage, body: Buffer): SimRequest {
  const url = new URL(req.url ?? '/', 'http://simulator');
  return { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers, body };
}

export function send(res: ServerResponse, answer: SimResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload: string | undefined;
  if (answer.text !== undefined) payload = answer.text;
  else if (answer.body !== undefined && answer.status !== 204 && answer.status !== 304) {
    payload = JSON.stringify(answer.body);
    headers['content-type'] ??= 'application/json;charset=UTF-8';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(answer.status, headers);
  res.end(payload);
}

/** The JSON body of a write; a body that does not parse gets Zoho's 400 INVALID_DATA. */
export function jsonBody(req: SimRequest): unknown {
  const text = req.body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(400, 'INVALID_DATA', 'invalid data', { expected_data_type: 'jsonobject' });
  }
}

export const header = (req: SimRequest, name: string): string | undefined => {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
