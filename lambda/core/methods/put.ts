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
import { analyzeCalendarObject, etagFor, UnsupportedComponent } from '../ics';
import { hrefs, listKey, resolvePath, type DavNode, type ListRef } from '../paths';
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
  const { text, ...info } = analyzeFor(node, ics);
  const object: StoredObject = {
    name: node.name,
    ...info,
    etag: etagFor(text),
    ics: text,
    lastModified: ctx.now().toISOString(),
    size: Buffer.byteLength(text, 'utf8'),
  };
  const at: ListRef = { email: node.email, list: node.list };
  const key = listKey(at);
  // Scheduling (RFC 6638) is about events: a to-do is stored as sent, whoever it names.
  const scheduling = node.list === 'events' ? ctx.scheduling : undefined;
  const commit = (toStore: StoredObject, cond: WriteCondition, ownEvent: boolean) => storeAndNotify(ctx, at, toStore, cond, ownEvent);
  if (scheduling && schedulesBeforeWrite(req, text)) {
    const scheduled = await putWithScheduling(req, ctx, scheduling, node.email, object, commit);
    const etag: Record<string, string> = scheduled.object.ics === ics ? { etag: scheduled.object.etag } : {};
    return { status: scheduled.created ? 201 : 204, headers: { ...etag, ...scheduled.headers } };
  }
  const cond = await writeCondition(req, ctx, key, node.name);
  // What the object was, for the scheduling it leaves behind: read with the write's own reads.
  const before = scheduling ? ctx.store.getObject(key, node.name) : null;
  before?.catch(() => undefined);
  const { created } = await commit(object, cond, true);
  const replaced = await before;
  if (scheduling && replaced) await afterUnscheduled(ctx, scheduling, node.email, replaced);
  const headers: Record<string, string> = text === ics ? { etag: object.etag } : {};
  return { status: created ? 201 : 204, headers };
};

/**
 * The text checked for the collection it is sent to: a component the other collection holds is
 * refused with where it belongs (a VTODO sent to the calendar, by calcurse's default `cal,todo`
 * for one, names the tasks list).
 */
function analyzeFor(node: Extract<DavNode, { kind: 'object' }>, ics: string) {
  try {
    return analyzeCalendarObject(ics, node.list === 'tasks' ? 'VTODO' : 'VEVENT');
  } catch (err) {
    if (!(err instanceof UnsupportedComponent)) throw err;
    const message =
      node.list === 'events'
        ? err.component === 'VTODO'
          ? `The CRM calendar holds events only. To-dos (VTODO) sync with the CRM's tasks through the tasks list ${hrefs.tasks(node.email)}: ` +
            'put them there (calcurse-caldav: one configuration with SyncFilter = cal for this calendar, another with SyncFilter = todo for the tasks list)'
          : `Only events are synced with the CRM calendar; ${err.component} is not supported`
        : err.component === 'VEVENT'
          ? `The tasks list holds to-dos (VTODO) only. Events (VEVENT) go to the CRM calendar ${hrefs.calendar(node.email)}`
          : `Only to-dos are synced with the tasks list; ${err.component} is not supported`;
    throw forbidden(message, CAL('supported-calendar-component'));
  }
}

/**
 * The store write and who hears of it: what the CRM commits alongside, and the change hook
 * after. An attendee's copy of someone else's meeting is not an event of the owner's: the CRM
 * knows it as the organizer's event (`ownEvent` false).
 */
async function storeAndNotify(ctx: DavContext, at: ListRef, object: StoredObject, cond: WriteCondition, ownEvent: boolean) {
  const { created, carried } = await store(ctx, at, object, cond, ownEvent);
  if (ownEvent) await ctx.onObjectChange?.({ kind: 'put', owner: at.email, ...(at.list === 'tasks' ? { list: at.list } : {}), object, carried });
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
      ? `PUT a calendar object into the ${node.list === 'tasks' ? 'tasks list' : 'CRM calendar'}, e.g. its-uid.ics inside this collection`
      : 'Only the CRM calendar and the tasks list sync with the server: events must be stored in /calendars/<you>/crm/, to-dos in /calendars/<you>/tasks/';
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
async function store(ctx: DavContext, at: ListRef, object: StoredObject, cond: WriteCondition, join = true) {
  try {
    return await ctx.store.putObject(listKey(at), object, cond, { join });
  } catch (err) {
    rethrowStoreError(err, at, object.uid);
  }
}
