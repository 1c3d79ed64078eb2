/**
 * DELETE of a calendar object (RFC 4918 §9.6, RFC 7232 If-Match). The CRM calendar, the home
 * and the principal belong to the CRM account and cannot be removed from a device.
 */
import { assertOwnNode } from '../access';
import { forbidden, notFound } from '../errors';
import { resolvePath } from '../paths';
import type { CoreMethod } from '../types';
import type { WriteCondition } from '../../store/types';
import { rethrowStoreError } from '../store-errors';
import { asStoreCondition, checkWritePreconditions, hasWritePreconditions, pinState, readPreconditions } from './conditional';

export const deleteMethod: CoreMethod = async (req, ctx) => {
  const node = resolvePath(req.path);
  assertOwnNode(node, ctx.user);
  switch (node.kind) {
    case 'object':
      break;
    case 'foreign-collection':
    case 'unknown':
      throw notFound();
    default:
      throw forbidden('The CRM calendar and its account cannot be deleted from a device');
  }
  const pre = readPreconditions(req.headers);
  let cond: WriteCondition = asStoreCondition(pre) ?? {};
  if (hasWritePreconditions(pre) && !asStoreCondition(pre)) {
    const current = await ctx.store.getObject(node.email, node.name);
    // Without the conditions the answer would be 404, so they are not evaluated (RFC 7232 §5).
    if (!current) throw notFound();
    checkWritePreconditions(pre, current.etag);
    cond = pinState(current.etag);
  }
  let deleted: { uid: string; carried: boolean };
  try {
    // A client's write: the store's transaction participant joins it (CommitOptions.join).
    deleted = await ctx.store.deleteObject(node.email, node.name, cond, { join: true });
  } catch (err) {
    rethrowStoreError(err, node.email);
  }
  await ctx.onObjectChange?.({ kind: 'delete', owner: node.email, name: node.name, uid: deleted.uid, carried: deleted.carried });
  return { status: 204, headers: {} };
};
