/**
 * GET /crm/v8/users?type=… and /users/{id} (`users/operations/getUsers/operation.md`,
 * `getSingleUser`). `{users:[…], info}`; 204 when no user matches.
 */
import type { ApiContext } from './context';
import { fail, invalidParam } from './errors';
import { empty, json, type SimRequest, type SimResponse } from './http';
import { pageParams, slicePage } from './paging';
import type { SimUser } from './users';

const TYPES: Record<string, (u: SimUser, ctx: ApiContext) => boolean> = {
  AllUsers: (u) => u.status !== 'deleted',
  ActiveUsers: (u) => u.status === 'active',
  AllActiveUsers: (u) => u.status === 'active',
  ActiveConfirmedUsers: (u) => u.status === 'active',
  DeactiveUsers: (u) => u.status === 'disabled' || u.status === 'inactive',
  DeletedUsers: (u) => u.status === 'deleted',
  AdminUsers: (u) => u.admin,
  ActiveConfirmedAdmins: (u) => u.admin && u.status === 'active',
  CurrentUser: (u, ctx) => u.id === ctx.user.id,
};

export function listUsers(req: SimRequest, ctx: ApiContext): SimResponse {
  const type = req.query.get('type') ?? 'AllUsers';
  const keep = TYPES[type];
  if (!keep) throw invalidParam('type', { supported_values: Object.keys(TYPES) });
  const ids = req.query.get('ids')?.split(',').map((s) => s.trim());
  const users = ctx.org.users
    .all()
    .filter((u) => keep(u, ctx))
    .filter((u) => !ids || ids.includes(u.id));
  const { items, info } = slicePage(users, pageParams(req.query));
  if (items.length === 0) return empty(204);
  return json(200, { users: items.map((u) => ctx.org.users.present(u, ctx.timeZone)), info });
}

export function getUser(_req: SimRequest, ctx: ApiContext, id: string): SimResponse {
  const user = ctx.org.users.get(id);
  if (!user) throw fail(400, 'INVALID_DATA', 'the id given seems to be invalid', { resource_path_index: 1 });
  return json(200, { users: [ctx.org.users.present(user, ctx.timeZone)] });
}
