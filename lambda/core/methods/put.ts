/**
 * PUT of a calendar object (RFC 4791 §5.3.2, RFC 4918 §9.7, RFC 7232). The body is stored
 * byte for byte, X-APPLE-*, X-WR-ALARMUID and VTIMEZONEs included, and the ETag returned: the
 * client's copy is exactly what we hold. The one exception: a TZID sent without its VTIMEZONE
 * gets one added (ics/complete-zones.ts), and then no ETag is returned, so the client fetches
 * what was stored (RFC 4791 §5.3.4).
 */
import { CAL } from '../namespaces';
import { assertOwnNode } from '../access';
import { DavError, forbidden } from '../errors';
import { analyzeCalendarObject, etagFor } from '../ics';
import { resolvePath, type DavNode } from '../paths';
import type { DavContext, CoreMethod, DavRequest } from '../types';
import type { StoredObject, WriteCondition } from '../../store/types';
import { rethrowStoreError } from '../store-errors';
import { asStoreCondition, checkWritePreconditions, hasWritePreconditions, pinState, readPreconditions } from './conditional';

export const put: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  if (node.kind !== 'object') throw notAnObjectLocation(node);

  checkMediaType(req);
  const ics = req.body;
  const size = Buffer.byteLength(ics, 'utf8');
  if (size > ctx.config.maxResourceSize) {
    throw new DavError(
      413,
      `The calendar object is ${size} bytes; at most ${ctx.config.maxResourceSize} are accepted`,
      CAL('max-resource-size'),
    );
  }
  const { text, ...info } = analyzeCalendarObject(ics);
  const object: StoredObject = {
    name: node.name,
    ...info,
    etag: etagFor(text),
    ics: text,
    lastModified: ctx.now().toISOString(),
    size: Buffer.byteLength(text, 'utf8'),
  };
  const cond = await writeCondition(req, ctx, node.email, node.name);
  const { created, carried } = await store(ctx, node.email, object, cond);
  await ctx.onObjectChange?.({ kind: 'put', owner: node.email, object, carried });
  const headers: Record<string, string> = text === ics ? { etag: object.etag } : {};
  return { status: created ? 201 : 204, headers };
};

function notAnObjectLocation(node: DavNode): DavError {
  if (node.kind === 'unknown') return new DavError(409, 'No collection exists to hold this resource');
  const message =
    node.kind === 'calendar'
      ? 'PUT a calendar object into the CRM calendar, e.g. its-uid.ics inside this collection'
      : 'Only the CRM calendar syncs with the server: events must be stored in /calendars/<you>/crm/';
  return forbidden(message, CAL('calendar-collection-location-ok'));
}

/** A missing Content-Type is tolerated; anything but iCalendar is not. */
function checkMediaType(req: DavRequest) {
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (type && type !== 'text/calendar') {
    const message = `Calendar objects must be sent as text/calendar, not ${type}`;
    throw new DavError(415, message, CAL('supported-calendar-data'));
  }
}

/** If-Match / If-None-Match checked here, then pinned in the store against races. */
async function writeCondition(req: DavRequest, ctx: DavContext, owner: string, name: string): Promise<WriteCondition> {
  const pre = readPreconditions(req.headers);
  if (!hasWritePreconditions(pre)) return {};
  const direct = asStoreCondition(pre);
  if (direct) return direct;
  const current = (await ctx.store.getObject(owner, name))?.etag ?? null;
  checkWritePreconditions(pre, current);
  return pinState(current);
}

/** A client's write: the store's transaction participant joins it (CommitOptions.join). */
async function store(ctx: DavContext, owner: string, object: StoredObject, cond: WriteCondition) {
  try {
    return await ctx.store.putObject(owner, object, cond, { join: true });
  } catch (err) {
    rethrowStoreError(err, owner, object.uid);
  }
}
