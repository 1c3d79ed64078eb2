/**
 * REPORT (RFC 3253 §3.6): calendar-multiget and calendar-query (RFC 4791 §7.8, §7.9) and
 * sync-collection (RFC 6578 §3), only on the user's own calendar, tasks list and their objects. Any other
 * report, or a report on a resource that does not support it, is 403 DAV:supported-report.
 */
import { assertOwnNode } from '../access';
import { forbidden, notFound } from '../errors';
import { listKey, resolvePath, type DavNode } from '../paths';
import { CAL, D } from '../namespaces';
import { calendarQuery } from '../reports/calendar-query';
import { calendarMultiget } from '../reports/multiget';
import { syncCollection } from '../reports/sync-collection';
import type { DavContext, CoreMethod, DavResponse } from '../types';
import { parseXml, type XmlElement } from '../xml';

type OwnNode = Extract<DavNode, { kind: 'calendar' | 'object' }>;
type Report = (root: XmlElement, node: OwnNode, ctx: DavContext) => Promise<DavResponse>;

const objectName = (node: OwnNode) => (node.kind === 'object' ? node.name : null);

const REPORTS: Record<string, { on: Array<OwnNode['kind']>; run: Report }> = {
  [CAL('calendar-multiget')]: { on: ['calendar', 'object'], run: (root, node, ctx) => calendarMultiget(root, node, ctx) },
  [CAL('calendar-query')]: {
    on: ['calendar', 'object'],
    run: (root, node, ctx) => calendarQuery(root, node, objectName(node), ctx),
  },
  [D('sync-collection')]: { on: ['calendar'], run: (root, node, ctx) => syncCollection(root, node, ctx) },
};

const unsupported = () => forbidden('Report not supported on this resource', D('supported-report'));

export const report: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  if (node.kind === 'unknown' || node.kind === 'foreign-collection') throw notFound();
  const root = parseXml(req.body);
  if (node.kind === 'object' && !(await ctx.store.getObject(listKey(node), node.name))) throw notFound();
  const handler = REPORTS[root.name];
  if (!handler || (node.kind !== 'calendar' && node.kind !== 'object') || !handler.on.includes(node.kind)) {
    throw unsupported();
  }
  return handler.run(root, node, ctx);
};
