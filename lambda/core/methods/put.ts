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
import { afterUnscheduled, putWithScheduling, schedulesBeforeWrite } from '../scheduling/writes';

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
  const owner = node.email;
  const commit = (toStore: StoredObject, cond: WriteCondition, ownEvent: boolean) => storeAndNotify(ctx, owner, toStore, cond, ownEvent);
  if (ctx.scheduling && schedulesBeforeWrite(req, text)) {
    const scheduled = await putWithScheduling(req, ctx, ctx.scheduling, owner, object, commit);
    const etag: Record<string, string> = scheduled.object.ics === ics ? { etag: scheduled.object.etag } : {};
    return { status: scheduled.created ? 201 : 204, headers: { ...etag, ...scheduled.headers } };
  }
  const cond = await writeCondition(req, ctx, owner, node.name);
  // What the object was, for the scheduling it leaves behind: read with the write's own reads.
  const before = ctx.scheduling ? ctx.store.getObject(owner, node.name) : null;
  before?.catch(() => undefined);
  const { created } = await commit(object, cond, true);
  const replaced = await before;
  if (ctx.scheduling && replaced) await afterUnscheduled(ctx, ctx.scheduling, owner, replaced);
  const headers: Record<string, string> = text === ics ? { etag: object.etag } : {};
  return { status: created ? 201 : 204, headers };
};

/**
 * The store write and who hears of it: what the CRM commits alongside, and the change hook
 * after. An attendee's copy of someone else's meeting is not an event of the owner's: the CRM
 * knows it as the organizer's event (`ownEvent` false).
 */
async function storeAndNotify(ctx: DavContext, owner: string, object: StoredObject, cond: WriteCondition, ownEvent: boolean) {
  const { created, carried } = await store(ctx, owner, object, cond, ownEvent);
  if (ownEvent) await ctx.onObjectChange?.({ kind: 'put', owner, object, carried });
  return { created };
}

function notAnObjectLocation(node: DavNode): DavError {
  if (node.kind === 'unknown') return new DavError(409, 'No collection exists to hold this resource');
  if (node.kind === 'inbox' || node.kind === 'inbox-item' || node.kind === 'outbox') {
    // RFC 6638 §2.1, §2.2: only the server delivers into an inbox; the outbox holds nothing.
    return forbidden('The scheduling inbox and outbox cannot be written: invitations are sent by PUTting the event into the calendar', CAL('calendar-collection-location-ok'));
  }
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

/** A client's write: the store's transaction participant joins it (CommitOptions.join), unless it is not the owner's event. */
async function store(ctx: DavContext, owner: string, object: StoredObject, cond: WriteCondition, join = true) {
  try {
    return await ctx.store.putObject(owner, object, cond, { join });
  } catch (err) {
    rethrowStoreError(err, owner, object.uid);
  }
}
