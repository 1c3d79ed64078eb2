/**
 * MKCALENDAR (RFC 4791 §5.3.1), also fit for MKCOL: always refused. Each user has exactly one
 * calendar, the CRM calendar, which exists from the start; device-local calendars stay local.
 */
import { CAL, D } from '../namespaces';
import { assertOwnNode } from '../access';
import { forbidden } from '../errors';
import { resolvePath } from '../paths';
import type { CoreMethod } from '../types';

export const mkcalendar: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  if (node.kind === 'calendar') throw forbidden('The CRM calendar already exists', D('resource-must-be-null'));
  throw forbidden(
    'Only the CRM calendar is synced: calendars created on a device are not synced to the CRM',
    CAL('calendar-collection-location-ok'),
  );
};
