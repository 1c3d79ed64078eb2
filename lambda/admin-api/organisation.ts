/**
 * GET /crm/v1/organisation (admin): what runs for everyone, for the admin's overview: the
 * version, the scheduled job's interval, reconciliation's last run and the CalDAV changes still
 * waiting for the CRM. POST /crm/v1/status/retry (admin) replays those now, for one user or all.
 */
import { requireAdmin } from '../api/auth';
import { json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import type { AdminApiDeps } from './types';
import { actorOf, recordAudit } from './audit';
import { email, parseJsonObject } from '../api/validate';

export class OrganisationRoutes {
  constructor(private readonly deps: AdminApiDeps) {}

  async get(caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    const [reconcile, pending] = await Promise.all([this.deps.jobs?.getReconcile() ?? null, this.deps.status?.() ?? null]);
    return json(200, {
      data: {
        version: this.deps.about?.version ?? null,
        schedule: { everyMinutes: this.deps.about?.scheduleMinutes ?? null },
        reconciliation: reconcile
          ? { lastRunAt: reconcile.lastRunAt ?? null, lastApplied: reconcile.lastApplied ?? null, cursor: reconcile.cursor }
          : null,
        pending,
      },
    });
  }

  /** `{ "owner"?: email }`: the outbox replay, as the scheduled job runs it. */
  async retry(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    if (!this.deps.retry) throw notFound('No CRM sync is configured here: nothing to retry');
    const body = req.body.trim() ? parseJsonObject(req.body) : {};
    const owner = body.owner === undefined ? undefined : (email(body.owner, 'owner') as string).toLowerCase();
    const report = await this.deps.retry(owner);
    await recordAudit(this.deps, req, actorOf(caller), { action: 'sync.retry', target: owner, detail: `${report.delivered} delivered, ${report.failed} still failing` });
    return json(200, { data: { ...report, pending: this.deps.status ? await this.deps.status(owner) : null } });
  }
}
