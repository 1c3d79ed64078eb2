/**
 * Paging as the record list does it (`getRecords/operation.md`): page/per_page reach the first
 * 2,000 records; past them only `page_token` (from `info.next_page_token`) goes on, up to 100,000.
 * A token is bound to the query that made it and expires (24 hours: not in the sources).
 */
import type { SimClock } from './clock';
import { fail, invalidParam } from './errors';
import { opaque } from './ids';

export const DISCRETE_LIMIT = 2000;
export const TOKEN_LIMIT = 100_000;
export const PAGE_TOKEN_MS = 24 * 60 * 60_000;

export interface Cursor {
  /** The query the token belongs to (module, params, If-Modified-Since). */
  bind: string;
  /** Sort key of the last record served. */
  last: SortKey;
  /** Records served so far through this chain of pages. */
  served: number;
  expiresAt: number;
}

export type SortKey = [number, string];

export class PageTokens {
  private readonly tokens = new Map<string, Cursor>();

  constructor(private readonly clock: SimClock) {}

  issue(cursor: Omit<Cursor, 'expiresAt'>): { token: string; expiresAt: number } {
    const token = opaque(20);
    const expiresAt = this.clock.now() + PAGE_TOKEN_MS;
    this.tokens.set(token, { ...cursor, expiresAt });
    return { token, expiresAt };
  }

  /** The cursor behind a token, with Zoho's errors for a token that is expired or not for this query. */
  resolve(token: string, bind: string): Cursor {
    const cursor = this.tokens.get(token);
    if (!cursor || cursor.bind !== bind)
      throw fail(400, 'TOKEN_BOUND_DATA_MISMATCH', 'The page_token given seems to be invalid or input param is added or altered or deleted', {
        param_name: 'page_token',
      });
    if (cursor.expiresAt <= this.clock.now())
      throw fail(400, 'EXPIRED_VALUE', 'Page token expired', { api_name: 'page_token', json_path: '$.query.page_token' });
    return cursor;
  }
}

export interface PageParams {
  page: number;
  perPage: number;
}

function positiveInt(q: URLSearchParams, name: string, fallback: number, max?: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || (max !== undefined && n > max)) throw invalidParam(name, max ? { range: { min: 1, max } } : {});
  return n;
}

export function pageParams(q: URLSearchParams, defaultPerPage = 200): PageParams {
  return { page: positiveInt(q, 'page', 1), perPage: positiveInt(q, 'per_page', defaultPerPage, 200) };
}

/** Plain page/per_page slicing for the APIs without page tokens (deleted, search, users, watch). */
export function slicePage<T>(items: T[], { page, perPage }: PageParams): { items: T[]; info: { per_page: number; count: number; page: number; more_records: boolean } } {
  const start = (page - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  return { items: slice, info: { per_page: perPage, count: slice.length, page, more_records: items.length > start + perPage } };
}
