/**
 * The CRM connection (admin): GET /crm/v1/connection says which CRM the deployment syncs with and,
 * for a hosted one, how it is doing (connected, the notification channel, the last reconcile,
 * API credits today); POST /crm/v1/connection/consent starts connecting to Zoho (the console then
 * sends the browser to Zoho's consent page, whose callback finishes it); DELETE disconnects.
 */
import { requireAdmin } from '../api/auth';
import { ApiError, json, notFound } from '../api/errors';
import type { ApiRequest, ApiResponse, Caller } from '../api/types';
import { parseJsonObject, str } from '../api/validate';
import { actorOf, recordAudit } from './audit';
import { originOf, serverOf } from './onboarding';
import type { AdminApiDeps } from './types';

export class ConnectionRoutes {
  constructor(private readonly deps: AdminApiDeps) {}

  async get(caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    const c = this.deps.connection;
    return json(200, { data: c ? await c.status() : { connector: this.deps.crmName ?? 'none' } });
  }

  /** `{ dataCentre | accountsUrl, clientId, clientSecret }` → `{ authorizeUrl }`. */
  async consent(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    const c = this.connection();
    const body = parseJsonObject(req.body);
    const clientId = str(body.clientId, 'clientId', { max: 200 }) as string;
    const clientSecret = str(body.clientSecret, 'clientSecret', { max: 200 }) as string;
    if (!clientId || !clientSecret) throw new ApiError(400, 'INVALID_DATA', 'clientId and clientSecret are required', clientId ? 'clientSecret' : 'clientId');
    const dataCentre = body.dataCentre === undefined ? undefined : (str(body.dataCentre, 'dataCentre', { max: 10 }) as string);
    const accountsUrl = body.accountsUrl === undefined ? undefined : (str(body.accountsUrl, 'accountsUrl', { max: 200 }) as string);
    if (accountsUrl !== undefined && !/^https?:\/\/[^/\s]+$/.test(accountsUrl)) throw new ApiError(400, 'INVALID_DATA', 'accountsUrl must be an origin such as https://accounts.zoho.eu', 'accountsUrl');
    const by = actorOf(caller);
    const started = await c.startConsent({ dataCentre, accountsUrl, clientId, clientSecret, origin: originOf(serverOf(req)), by: by.actor });
    await recordAudit(this.deps, req, by, { action: 'crm.connect.start', detail: dataCentre ?? accountsUrl ?? 'default data centre' });
    return json(200, { data: started });
  }

  async disconnect(req: ApiRequest, caller: Caller): Promise<ApiResponse> {
    requireAdmin(caller);
    await this.connection().disconnect();
    await recordAudit(this.deps, req, actorOf(caller), { action: 'crm.disconnect' });
    return json(204, null);
  }

  private connection(): NonNullable<AdminApiDeps['connection']> {
    if (!this.deps.connection) throw notFound('This deployment syncs with no CRM that is connected here');
    return this.deps.connection;
  }
}
