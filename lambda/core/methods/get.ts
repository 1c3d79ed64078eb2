/**
 * GET of a calendar object: the stored text, byte for byte, with its validators (RFC 4791
 * §5.3.4, RFC 7232). Collections have no representation of their own, so a browser pointed at
 * one gets a short plain-text note instead of an error.
 */
import { assertOwnNode } from '../access';
import { notFound } from '../errors';
import { hrefs, objectLocation, resolvePath, type DavNode } from '../paths';
import { scheduleTagOfText } from '../scheduling/organizer-part';
import type { DavContext, CoreMethod, DavResponse } from '../types';
import type { StoredObject } from '../../store/types';
import { isNotModified, readPreconditions } from './conditional';

export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8';

export const get: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  const at = objectLocation(node);
  if (!at) return collectionNote(node, ctx);
  const object = await ctx.store.getObject(at.key, at.name);
  if (!object) throw notFound();
  const tag = node.kind === 'object' && node.list === 'events' ? scheduleTagOfText(object.ics) : null;
  // RFC 6638 §3.2.10: a scheduling object's GET carries its Schedule-Tag.
  const validators = { ...validatorsOf(object), ...(tag && { 'schedule-tag': tag }) };
  if (isNotModified(readPreconditions(req.headers), object.etag, new Date(object.lastModified))) {
    return { status: 304, headers: validators };
  }
  return {
    status: 200,
    headers: { 'content-type': ICS_CONTENT_TYPE, 'content-length': String(object.size), ...validators },
    body: object.ics,
  };
};

const validatorsOf = (o: StoredObject) => ({
  etag: o.etag,
  'last-modified': new Date(o.lastModified).toUTCString(),
});

function collectionNote(node: DavNode, ctx: DavContext): DavResponse {
  if (node.kind === 'foreign-collection' || node.kind === 'unknown') throw notFound();
  const body =
    'This is a CalDAV server. Add it to your calendar app as a CalDAV account; the calendar at ' +
    `${hrefs.calendar(ctx.user.email)} and the tasks list at ${hrefs.tasks(ctx.user.email)} stay in sync with the CRM.\n`;
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}
