/**
 * POST (RFC 6638 §5, §6.1.4): a free-busy request to the user's own scheduling outbox, answered
 * with a CALDAV:schedule-response per attendee. Invitations are not POSTed (implicit scheduling:
 * PUT the event); POST anywhere else is not supported.
 */
import { assertOwnNode } from '../access';
import { DavError } from '../errors';
import { CAL, D } from '../namespaces';
import { resolvePath } from '../paths';
import { xmlResponse } from '../responses';
import { busyTime, freeBusyReply, parseFreeBusyRequest } from '../scheduling/freebusy';
import { REQUEST_STATUS_TEXT } from '../scheduling/status';
import type { CoreMethod, DavContext } from '../types';
import { el, type XmlElement } from '../xml';
import { ALLOWED_METHODS } from './options';

/** At most this many attendees per request (CALDAV:max-attendees-per-instance's spirit). */
export const MAX_FREEBUSY_ATTENDEES = 100;

export const post: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  if (node.kind !== 'outbox') throw new DavError(405, 'POST is only for free-busy requests to the scheduling outbox', undefined, { allow: ALLOWED_METHODS });
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (type && type !== 'text/calendar') throw new DavError(415, `Free-busy requests are text/calendar, not ${type}`, CAL('supported-calendar-data'));
  const request = parseFreeBusyRequest(req.body, ctx.user.email);
  if (request.attendees.length > MAX_FREEBUSY_ATTENDEES) throw new DavError(403, `At most ${MAX_FREEBUSY_ATTENDEES} attendees per request`, CAL('max-attendees-per-instance'));
  const responses = await Promise.all(request.attendees.map((a) => answer(ctx, a, request)));
  return xmlResponse(200, el(CAL('schedule-response'), ...responses));
};

async function answer(ctx: DavContext, attendee: { address: string; email: string | null }, request: ReturnType<typeof parseFreeBusyRequest>): Promise<XmlElement> {
  const recipient = el(CAL('recipient'), el(D('href'), attendee.address));
  const known = attendee.email !== null && (attendee.email === ctx.user.email || ((await ctx.scheduling?.isCalendarUser(attendee.email)) ?? false));
  if (!known) return el(CAL('response'), recipient, el(CAL('request-status'), REQUEST_STATUS_TEXT['3.7']!));
  const objects = await ctx.store.findInRange(attendee.email!, request.start, request.end);
  const busy = busyTime(
    objects.map((o) => o.ics),
    attendee.email!,
    request,
  );
  return el(
    CAL('response'),
    recipient,
    el(CAL('request-status'), REQUEST_STATUS_TEXT['2.0']!),
    el(CAL('calendar-data'), freeBusyReply(request, attendee.address, busy, ctx.now())),
  );
}
