/**
 * DELETE of a calendar object or a task (RFC 4918 §9.6, RFC 7232 If-Match). The CRM calendar,
 * the tasks list, the home and the principal belong to the CRM account and cannot be removed
 * from a device.
 */
import { assertOwnNode } from '../access';
import { forbidden, notFound, preconditionFailed } from '../errors';
import { resolvePath } from '../paths';
import type { CoreMethod, DavContext, DavResponse } from '../types';
import type { WriteCondition } from '../../store/types';
import { rethrowStoreError } from '../store-errors';
import { asStoreCondition, checkWritePreconditions, hasWritePreconditions, pinState, readPreconditions, type Preconditions } from './conditional';
import { afterUnscheduled } from '../scheduling/writes';
import { scheduleTagOfText } from '../scheduling/organizer-part';
import { INBOX_SLUG, listKey, storeKey, type ListRef } from '../paths';

export const deleteMethod: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  switch (node.kind) {
    case 'object':
      break;
    case 'inbox-item':
      // RFC 6638 §4: the owner removes messages they have seen; nothing else changes.
      return deleteInboxItem(ctx, node.email, node.name, readPreconditions(req.headers));
    case 'foreign-collection':
    case 'unknown':
      throw notFound();
    default:
      throw forbidden('The CRM calendar, the tasks list and the account cannot be deleted from a device');
  }
  const at: ListRef = { email: node.email, list: node.list };
  const key = listKey(at);
  // Scheduling (RFC 6638) is about events: deleting a to-do cancels nothing.
  const scheduling = node.list === 'events' ? ctx.scheduling : undefined;
  const pre = readPreconditions(req.headers);
  let cond: WriteCondition = asStoreCondition(pre) ?? {};
  if (hasWritePreconditions(pre) && !asStoreCondition(pre)) {
    const current = await ctx.store.getObject(key, node.name);
    // Without the conditions the answer would be 404, so they are not evaluated (RFC 7232 §5).
    if (!current) throw notFound();
    checkWritePreconditions(pre, current.etag);
    cond = pinState(current.etag);
  }
  // What is deleted, for the scheduling it ends (read with the deletion's own reads, unless a Schedule-Tag must be checked first).
  const before = scheduling ? ctx.store.getObject(key, node.name) : null;
  before?.catch(() => undefined);
  const wantedTag = req.headers['if-schedule-tag-match'];
  if (before && wantedTag !== undefined) {
    const current = await before;
    if (!current || scheduleTagOfText(current.ics) !== wantedTag.trim()) throw preconditionFailed('If-Schedule-Tag-Match: the event changed meanwhile');
    cond = pinState(current.etag);
  }
  let deleted: { uid: string; carried: boolean };
  try {
    // A client's write: the store's transaction participant joins it (CommitOptions.join).
    deleted = await ctx.store.deleteObject(key, node.name, cond, { join: true });
  } catch (err) {
    rethrowStoreError(err, at);
  }
  await ctx.onObjectChange?.({ kind: 'delete', owner: node.email, ...(node.list === 'tasks' ? { list: node.list } : {}), name: node.name, uid: deleted.uid, carried: deleted.carried });
  const removed = await before;
  if (scheduling && removed?.uid === deleted.uid) {
    await afterUnscheduled(ctx, scheduling, node.email, removed, req.headers['schedule-reply']?.trim().toUpperCase() !== 'F');
  }
  return { status: 204, headers: {} };
};

async function deleteInboxItem(ctx: DavContext, email: string, name: string, pre: Preconditions): Promise<DavResponse> {
  const key = storeKey(email, INBOX_SLUG);
  try {
    await ctx.store.deleteObject(key, name, asStoreCondition(pre) ?? {});
  } catch (err) {
    rethrowStoreError(err, { email, list: 'events' });
  }
  return { status: 204, headers: {} };
}
