import { notFound } from './errors';
import { ownerOf, type DavNode } from './paths';
import type { Principal } from './types';

/**
 * Refuses any node owned by someone else. 404, not 403, so that one user cannot even learn
 * whether another user's calendar or event exists.
 */
export function assertOwnNode(node: DavNode, user: Principal): void {
  const owner = ownerOf(node);
  if (owner !== null && owner !== user.email) throw notFound();
}
