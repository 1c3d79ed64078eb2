/**
 * PROPFIND (RFC 4918 §9.1) at Depth 0 or 1. Depth infinity (also what a missing header means)
 * is refused as RFC 4918 §9.1 allows: the tree is shallow and clients always send a Depth.
 */
import { assertOwnNode } from '../access';
import { badRequest, forbidden, notFound } from '../errors';
import { resolvePath } from '../paths';
import { propResponse, type Resource } from '../props';
import { keptResponse, requestShape } from '../props/kept-responses';
import { CAL, D } from '../namespaces';
import { listKey, storeKey, INBOX_SLUG } from '../paths';
import type { PropRequest } from '../props/types';
import { ALLPROP, propRequestOf } from '../props/request';
import { hrefOf, loadResource } from '../resource';
import { multistatus } from '../responses';
import type { DavContext, CoreMethod } from '../types';
import { parseXml } from '../xml';

export const propfind: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  const depth = parseDepth(req.headers['depth']);
  const request = req.body.trim() === '' ? ALLPROP : propRequestOf(propfindRoot(req.body));
  const res = await loadResource(node, ctx);
  if (!res) throw notFound();
  const members = depth === 1 ? await membersOf(res, ctx, request) : [];
  const shape = requestShape(hrefOf(res), request, ctx);
  const responseOf = (r: Resource) =>
    r.kind === 'object' ? keptResponse(r.object, shape, () => propResponse(hrefOf(r), r, request, ctx)) : propResponse(hrefOf(r), r, request, ctx);
  return multistatus([res, ...members].map(responseOf));
};

function parseDepth(header: string | undefined): 0 | 1 {
  const value = header?.trim().toLowerCase() ?? 'infinity';
  if (value === '0') return 0;
  if (value === '1') return 1;
  if (value === 'infinity') throw forbidden('Depth infinity is not supported', D('propfind-finite-depth'));
  throw badRequest(`Invalid Depth header: ${header}`);
}

function propfindRoot(body: string) {
  const root = parseXml(body);
  if (root.name !== D('propfind')) throw badRequest('Expected a DAV:propfind body');
  return root;
}

/** Internal members. Users see only their own principal and nothing of anyone else's. */
async function membersOf(res: Resource, ctx: DavContext, request: PropRequest): Promise<Resource[]> {
  const { email } = ctx.user;
  switch (res.kind) {
    case 'root':
      return [{ kind: 'principals' }];
    case 'principals':
      return [{ kind: 'principal', email }];
    case 'home': {
      const [calendar, tasks, inbox] = await Promise.all([
        loadResource({ kind: 'calendar', email: res.email, list: 'events' }, ctx),
        loadResource({ kind: 'calendar', email: res.email, list: 'tasks' }, ctx),
        loadResource({ kind: 'inbox', email: res.email }, ctx),
      ]);
      return [calendar, tasks, inbox, { kind: 'outbox', email: res.email }].filter((r): r is Resource => r !== null);
    }
    case 'calendar': {
      // A Schedule-Tag is read from the text, which listings do not carry: asked for, the texts are loaded.
      const key = listKey(res);
      const objects = wantsText(request) ? await ctx.store.findInRange(key, null, null, res.meta.seq) : await ctx.store.listObjects(key, res.meta.seq);
      return objects.map((object) => ({ kind: 'object', email: res.email, list: res.list, object }));
    }
    case 'inbox':
      return (await ctx.store.listObjects(storeKey(res.email, INBOX_SLUG), res.meta.seq)).map((object) => ({ kind: 'inbox-item', email: res.email, object }));
    default:
      return [];
  }
}

const wantsText = (request: PropRequest) => request.type === 'prop' && request.names.includes(CAL('schedule-tag'));
