/** Zoho's notification callback, POST /crm/zoho/notify, as a mount of the /crm router. */
import type { ApiRequest, ApiResponse, Mount } from '../api/types';
import type { CrmEvent } from '../crm/types';
import type { ZohoParts } from '../crm/zoho';

export const ZOHO_NOTIFY_PATH = '/crm/zoho/notify';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

export function zohoNotifyMount(zoho: Pick<ZohoParts, 'notify'>, apply: (events: CrmEvent[], deletedIds: string[]) => Promise<unknown>): Mount {
  return {
    matches: (path) => path === ZOHO_NOTIFY_PATH,
    async serve(req: ApiRequest): Promise<ApiResponse> {
      if (req.method.toUpperCase() !== 'POST') return json(405, { error: 'POST only' }, { allow: 'POST' });
      const outcome = await zoho.notify(req.body, apply);
      return json(outcome.status, outcome.body);
    },
  };
}
