/**
 * A calendar object's DAV:response, serialized once and kept beside the object for as long as
 * the object is (the listing cache's summaries are the same instances from one request to the
 * next): a device re-listing 2,000 unchanged objects pays for joining strings, not for building
 * and serializing 2,000 trees (bench/README.md, "CPU per request").
 *
 * Kept per object is only the last request shape it was answered for: one device asks the same
 * properties every time. A response depends on its object's name and ETag (which changes with
 * the content, the size and the time) and on the shape: the collection, who asks, what is asked.
 * Memory follows the listing cache's bound (store/listing-cache.ts, 100,000 summaries): about
 * 0.5 KB more per object listed, ~50 MB at the very most.
 */
import { preSerialize, type XmlElement } from '../xml';
import type { PropContext, PropRequest } from './types';

interface Kept {
  shape: string;
  name: string;
  etag: string;
  response: XmlElement;
}

const kept = new WeakMap<object, Kept>();

/** What the responses of one request's objects depend on besides each object. */
export const requestShape = (collection: string, request: PropRequest, ctx: PropContext): string =>
  `${collection}\n${ctx.user.email}\n${JSON.stringify(request)}`;

export function keptResponse(object: { name: string; etag: string }, shape: string, build: () => XmlElement): XmlElement {
  const hit = kept.get(object);
  if (hit && hit.shape === shape && hit.etag === object.etag && hit.name === object.name) return hit.response;
  const built = build();
  const response = preSerialize(built) ?? built;
  kept.set(object, { shape, name: object.name, etag: object.etag, response });
  return response;
}
