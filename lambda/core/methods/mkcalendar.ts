/**
 * MKCALENDAR (RFC 4791 §5.3.1), also fit for MKCOL: always refused. Each user has exactly the
 * collections that sync with the CRM, which exist from the start: the calendar and the tasks
 * list; calendars and lists created on a device stay on the device.
 *
 * iOS Reminders asks for a VTODO list (MKCALENDAR with supported-calendar-component-set VTODO)
 * when an account shows none; with the tasks list in the home it has one. A request for a list
 * anyway is answered with where the tasks list is, so the client (and whoever reads its log) is
 * told why and where to look instead of being left to retry.
 */
import { CAL, D } from '../namespaces';
import { assertOwnNode } from '../access';
import { forbidden } from '../errors';
import { hrefs, resolvePath } from '../paths';
import type { CoreMethod } from '../types';
import { findChild, findChildren, parseXml, type XmlElement } from '../xml';

export const mkcalendar: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  if (node.kind === 'calendar') {
    throw forbidden(node.list === 'tasks' ? 'The tasks list already exists' : 'The CRM calendar already exists', D('resource-must-be-null'));
  }
  if (asksForTasks(req.body)) {
    throw forbidden(
      `Each account has one tasks list, ${hrefs.tasks(ctx.user.email)}, which syncs with the CRM's tasks: lists created on a device are not synced`,
      CAL('calendar-collection-location-ok'),
    );
  }
  throw forbidden(
    'Only the CRM calendar is synced: calendars created on a device are not synced to the CRM',
    CAL('calendar-collection-location-ok'),
  );
};

/** Whether the body asks for a collection holding VTODO (unreadable bodies ask for nothing in particular). */
function asksForTasks(body: string): boolean {
  if (body.trim() === '') return false;
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch {
    return false;
  }
  return findChildren(root, D('set')).some((set) =>
    findChildren(set, D('prop')).some((prop) =>
      findChildren(findChild(prop, CAL('supported-calendar-component-set')), CAL('comp')).some((c) => c.attrs.name?.toUpperCase() === 'VTODO'),
    ),
  );
}
