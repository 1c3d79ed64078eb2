/**
 * The admin API's side of the audit log (accounts/audit.ts): each change it makes is recorded
 * after it succeeded, with the caller, the client address and the user agent; `GET /audit`
 * pages through the log for the console. An entry that cannot be written is logged as an error
 * and does not undo or fail the change it describes (that change already happened).
 */
import type { AuditChannel, NewAuditEntry } from '../accounts/audit';
import { requireAdmin } from '../api/auth';
import { invalid, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import { errorText } from '../platform/log';
import type { AdminApiDeps } from './types';

export const ADMIN_TOKEN_ACTOR = 'admin token';

/** Who, by which door: a console session names its admin; the bearer token is just the token. */
export function actorOf(caller: Caller): { actor: string; via: AuditChannel } {
  if (caller.kind === 'admin') return caller.email ? { actor: caller.email, via: 'console' } : { actor: ADMIN_TOKEN_ACTOR, via: 'token' };
  return { actor: caller.email, via: 'link' };
}

export type AuditFacts = Pick<NewAuditEntry, 'action' | 'target' | 'detail'>;

/** Records what `req` did, as `who`; never throws. */
export async function recordAudit(deps: Pick<AdminApiDeps, 'audit' | 'log'>, req: ApiRequest, who: { actor: string; via: AuditChannel }, facts: AuditFacts): Promise<void> {
  if (!deps.audit) return;
  try {
    await deps.audit.record({ ...who, ...facts, from: req.sourceIp, userAgent: req.headers['user-agent'] });
  } catch (err) {
    deps.log?.('error', 'could not write the audit log', { action: facts.action, target: facts.target, error: errorText(err) });
  }
}

const MAX_PAGE = 200;

/** GET /audit[?limit=&before=]: the admin reads the log, newest first. */
export async function listAudit(deps: Pick<AdminApiDeps, 'audit'>, req: ApiRequest, caller: Caller): Promise<ApiResponse> {
  requireAdmin(caller);
  if (!deps.audit) throw notFound('No audit log is kept here');
  const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid('limit', `a whole number from 1 to ${MAX_PAGE}`);
  const before = req.query.before;
  if (before !== undefined && !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\w-]+$/.test(before)) throw invalid('before', 'the `next` of the page before');
  const page = await deps.audit.list({ limit, ...(before ? { before } : {}) });
  return json(200, { data: page.entries, info: { count: page.entries.length, ...(page.next ? { next: page.next } : {}) } });
}
